package store

// SetWriteFault makes every write transaction of p fail with err after its
// work is done, as a full disk fails the commit; nil ends it.
func (p *Persistent) SetWriteFault(err error) {
	if err == nil {
		p.writeFault.Store(nil)
		return
	}
	p.writeFault.Store(&err)
}
