package journal

import (
	"bytes"
	"sync"
	"sync/atomic"
)

// SubscriptionBuffer is how many entries a subscriber may fall behind by
// before the journal drops what it cannot take.
const SubscriptionBuffer = 64

// Subscription receives the entries the journal records from when it was
// made, for a live view (the dashboard's event stream). The journal never
// waits for a subscriber: an entry that finds C full is not delivered, and
// Lost reports it, so the reader refetches the journal instead.
type Subscription struct {
	// C carries the new entries, oldest first. It is never closed.
	C <-chan Entry
	c chan Entry
	// Refetch receives a value when the reader should read the journal
	// again rather than trust C: entries were dropped, or the journal was
	// cleared (and C emptied). It holds at most one pending value.
	Refetch <-chan struct{}
	refetch chan struct{}
	lost    atomic.Bool
}

// subscribers is the journal's set of subscriptions. n lets Record skip the
// lock and the copy when nobody listens, which is almost always.
type subscribers struct {
	n   atomic.Int32
	mu  sync.Mutex
	set map[*Subscription]struct{}
	// clearedThrough is the Seq of the newest entry Clear forgot: an entry
	// captured before the clear and published after it is not sent.
	clearedThrough uint64
}

// Subscribe starts a subscription; Unsubscribe ends it.
func (j *Journal) Subscribe() *Subscription {
	sub := &Subscription{c: make(chan Entry, SubscriptionBuffer), refetch: make(chan struct{}, 1)}
	sub.C, sub.Refetch = sub.c, sub.refetch
	j.subs.mu.Lock()
	if j.subs.set == nil {
		j.subs.set = map[*Subscription]struct{}{}
	}
	j.subs.set[sub] = struct{}{}
	j.subs.n.Store(int32(len(j.subs.set)))
	j.subs.mu.Unlock()
	return sub
}

// Unsubscribe ends sub: nothing more is sent to it.
func (j *Journal) Unsubscribe(sub *Subscription) {
	j.subs.mu.Lock()
	delete(j.subs.set, sub)
	j.subs.n.Store(int32(len(j.subs.set)))
	j.subs.mu.Unlock()
}

// Invalidate tells every subscriber to read the journal again: it changed
// other than by a new entry (cleared, reset).
func (j *Journal) Invalidate() {
	j.subs.mu.Lock()
	defer j.subs.mu.Unlock()
	for sub := range j.subs.set {
		sub.askRefetch()
	}
}

// cleared is Invalidate after Clear forgot the entries up to seq: what the
// subscribers have not read is taken back too, for a reader cannot tell
// whether an entry it reads from C after a Refetch came before the clear or
// after it. Any entry taken back that came after is in the journal the
// reader reads again.
func (j *Journal) cleared(seq uint64) {
	j.subs.mu.Lock()
	defer j.subs.mu.Unlock()
	j.subs.clearedThrough = seq
	for sub := range j.subs.set {
		for drained := false; !drained; {
			select {
			case <-sub.c:
			default:
				drained = true
			}
		}
		sub.askRefetch()
	}
}

// TakeLost reports whether entries were dropped since the last call, and
// forgets it.
func (s *Subscription) TakeLost() bool { return s.lost.Swap(false) }

func (s *Subscription) askRefetch() {
	select {
	case s.refetch <- struct{}{}:
	default: // one is pending already
	}
}

// capture is a copy of the slot just written, for publish, or nil when
// nobody listens (almost always: one atomic load). It runs under the
// journal's lock, the slot's buffer being reused once the ring comes round;
// the decoding and the sends wait for publish, outside it.
func (j *Journal) capture(s *slot) *slot {
	if j.subs.n.Load() == 0 {
		return nil
	}
	c := *s
	c.data = bytes.Clone(s.data)
	return &c
}

// publish hands the captured entry to every subscriber that has room.
func (j *Journal) publish(s *slot) {
	if s == nil {
		return
	}
	e := decodeEntry(s)
	j.subs.mu.Lock()
	defer j.subs.mu.Unlock()
	if e.Seq <= j.subs.clearedThrough {
		return // Clear came between capture and now
	}
	for sub := range j.subs.set {
		select {
		case sub.c <- e:
		default:
			sub.lost.Store(true)
			sub.askRefetch()
		}
	}
}

// Subscribers is how many subscriptions are open.
func (j *Journal) Subscribers() int { return int(j.subs.n.Load()) }
