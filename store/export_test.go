package store

import bolt "go.etcd.io/bbolt"

// SetWriteFault makes every write transaction of p fail with err after its
// work is done, as a full disk fails the commit; nil ends it.
func (p *Persistent) SetWriteFault(err error) {
	if err == nil {
		p.writeFault.Store(nil)
		return
	}
	p.writeFault.Store(&err)
}

// buckets lists the database's bucket names, for the tests.
func (p *Persistent) buckets() []string {
	var out []string
	_ = p.db.View(func(tx *bolt.Tx) error {
		return tx.ForEach(func(name []byte, _ *bolt.Bucket) error {
			out = append(out, string(name))
			return nil
		})
	})
	return out
}
