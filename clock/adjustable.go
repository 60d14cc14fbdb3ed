package clock

import (
	"sync/atomic"
	"time"
)

// Adjustable is a base clock shifted by an offset that the admin API sets: a
// tester moves "now" to 23:59:59 KST and time keeps running from there. The
// offset is read atomically on every Now, so moving it needs no lock on the
// request path.
type Adjustable struct {
	base   Clock
	offset atomic.Int64 // nanoseconds
}

// NewAdjustable wraps base with a zero offset.
func NewAdjustable(base Clock) *Adjustable { return &Adjustable{base: base} }

// Now is the base time plus the offset.
func (a *Adjustable) Now() time.Time {
	return a.base.Now().Add(time.Duration(a.offset.Load()))
}

// Since is Now().Sub(t). On the real clock it reads only the monotonic
// clock (time.Now reads the wall clock too), for timing every request.
func (a *Adjustable) Since(t time.Time) time.Duration {
	if _, real := a.base.(Real); real {
		// t's monotonic reading has the offset of its time added, as Now's
		// has: adding today's offset keeps an offset moved meanwhile counted.
		return time.Since(t) + time.Duration(a.offset.Load())
	}
	return a.Now().Sub(t)
}

// After waits on the base clock: an offset moves dates, not durations.
func (a *Adjustable) After(d time.Duration) <-chan time.Time {
	return a.base.After(d)
}

// Set makes Now read t from this moment on.
func (a *Adjustable) Set(t time.Time) {
	a.offset.Store(int64(t.Sub(a.base.Now())))
}

// Advance moves Now forward by d (back, when d is negative).
func (a *Adjustable) Advance(d time.Duration) { a.offset.Add(int64(d)) }

// Reset returns to the base clock's time.
func (a *Adjustable) Reset() { a.offset.Store(0) }

// Offset is how far Now is from the base clock.
func (a *Adjustable) Offset() time.Duration { return time.Duration(a.offset.Load()) }
