package sandbox

import (
	"container/heap"
	"slices"
	"time"
)

// hostQueue is one receiver's share of the dispatcher: its notifications
// due now, in order, and how many of its sends are running. A receiver
// that hangs fills only its own queue and its own slots; the others go on.
// It exists while the dispatcher holds a notification for it.
type hostQueue struct {
	key     string
	waiting []*webhookJob // due, waiting for one of this host's slots, oldest first
	active  int           // sends in flight
	held    int           // notifications held for this host: waiting, in flight or scheduled
	ready   bool          // in dispatcher.ready
}

// jobHeap orders scheduled notifications (scripted delays, resends) by
// when they are due, then by when they were scheduled: one goroutine waits
// for the earliest, rather than one goroutine per pending resend.
type jobHeap []*webhookJob

func (h jobHeap) Len() int { return len(h) }
func (h jobHeap) Less(i, j int) bool {
	if !h[i].due.Equal(h[j].due) {
		return h[i].due.Before(h[j].due)
	}
	return h[i].seq < h[j].seq
}
func (h jobHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index, h[j].index = i, j
}
func (h *jobHeap) Push(x any) {
	j := x.(*webhookJob)
	j.index = len(*h)
	*h = append(*h, j)
}
func (h *jobHeap) Pop() any {
	old := *h
	j := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	j.index = -1
	return j
}

// scheduleLocked holds job until delay has passed on the clock.
func (d *dispatcher) scheduleLocked(job *webhookJob, delay time.Duration) {
	job.due = d.baseNow().Add(delay)
	d.seq++
	job.seq = d.seq
	job.place = jobScheduled
	heap.Push(&d.timers, job)
	if job.index == 0 { // the earliest now: the timer goroutine waits too long
		select {
		case d.wake <- struct{}{}:
		default:
		}
	}
}

// timerLoop moves scheduled notifications to their host's queue when they
// are due.
func (d *dispatcher) timerLoop() {
	defer d.wg.Done()
	for {
		d.mu.Lock()
		now := d.baseNow()
		for len(d.timers) > 0 && !d.timers[0].due.After(now) {
			d.enqueueLocked(heap.Pop(&d.timers).(*webhookJob))
		}
		d.pumpLocked()
		var wait time.Duration
		if len(d.timers) > 0 {
			wait = d.timers[0].due.Sub(now)
		}
		d.mu.Unlock()
		var fire <-chan time.Time
		if wait > 0 {
			fire = d.s.clock.After(wait)
		}
		select {
		case <-fire:
		case <-d.wake:
		case <-d.ctx.Done():
			return
		}
	}
}

// baseNow is the time of the clock the dispatcher waits on: the server's
// clock without the admin API's offset. clock.Adjustable's After waits on
// that base clock, so due times are kept on it too; with the offset, moving
// the mock's clock back a day would hold every resend for a day.
func (d *dispatcher) baseNow() time.Time {
	for {
		off := d.s.clock.Offset()
		now := d.s.clock.Now()
		if d.s.clock.Offset() == off { // not moved in between
			return now.Add(-off)
		}
	}
}

// enqueueLocked puts a due notification in its host's queue.
func (d *dispatcher) enqueueLocked(job *webhookJob) {
	h := job.host
	job.place = jobWaiting
	h.waiting = append(h.waiting, job)
	d.readyLocked(h)
}

// readyLocked puts h at the back of the line of hosts to send for, when it
// has a notification due and a free slot.
func (d *dispatcher) readyLocked(h *hostQueue) {
	if !h.ready && len(h.waiting) > 0 && h.active < d.s.cfg.WebhookHostConcurrency {
		h.ready = true
		d.ready = append(d.ready, h)
	}
}

// pumpLocked starts sends while there are free slots, one per host in turn,
// so that a host with many notifications due does not take every slot.
func (d *dispatcher) pumpLocked() {
	for !d.closed && d.active < d.s.cfg.WebhookConcurrency && len(d.ready) > 0 {
		h := d.ready[0]
		d.ready[0] = nil
		d.ready = d.ready[1:]
		h.ready = false
		job := h.waiting[0]
		h.waiting[0] = nil
		h.waiting = h.waiting[1:]
		if len(h.waiting) == 0 {
			h.waiting = nil // let the array go
		}
		job.place = jobSending
		h.active++
		d.active++
		d.readyLocked(h)
		d.wg.Add(1)
		go d.attempt(job)
	}
	if len(d.ready) == 0 {
		d.ready = nil
	}
}

// releaseLocked lets go of a notification that is done with (delivered,
// given up, or forgotten by a reset).
func (d *dispatcher) releaseLocked(job *webhookJob) {
	h := job.host
	h.held--
	delete(d.jobs, job.id)
	job.place = jobDone
	if h.held == 0 {
		delete(d.hosts, h.key)
	}
}

// jobPlace is where the dispatcher holds a notification.
type jobPlace uint8

const (
	jobNew       jobPlace = iota
	jobScheduled          // in the heap, for a delay or a resend
	jobWaiting            // in its host's queue, due
	jobSending            // a send is in flight
	jobDone               // released
)

// dropLocked gives up a held notification: taken out of the heap or its
// host's queue, or, while it is being sent, marked so that it is not
// resent. It reports whether the notification was released now.
func (d *dispatcher) dropLocked(job *webhookJob) bool {
	switch job.place {
	case jobScheduled:
		heap.Remove(&d.timers, job.index)
	case jobWaiting:
		h := job.host
		h.waiting = slices.DeleteFunc(h.waiting, func(j *webhookJob) bool { return j == job })
		if len(h.waiting) == 0 && h.ready {
			// pumpLocked takes a ready host's first notification.
			h.ready = false
			d.ready = slices.DeleteFunc(d.ready, func(x *hostQueue) bool { return x == h })
		}
	default:
		job.dropped = true
		return false
	}
	d.releaseLocked(job)
	return true
}
