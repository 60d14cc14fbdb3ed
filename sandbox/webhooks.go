package sandbox

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kicc-mock/kicc-mock/httpio"
	"github.com/kicc-mock/kicc-mock/kicc"
)

// Webhook defaults. KICC documents the 10 s ack deadline and "up to 15
// resends" but no intervals; the mock's are short so that a developer sees
// the retries, and configurable.
var DefaultWebhookRetryIntervals = []time.Duration{
	time.Second, 2 * time.Second, 5 * time.Second, 10 * time.Second, 30 * time.Second, time.Minute,
}

// Webhook limits.
const (
	DefaultWebhookWorkers     = 4
	DefaultWebhookQueue       = 1000
	DefaultWebhookJournalSize = 1000
)

// Webhook kinds, as the journal names them.
const (
	WebhookApproval = "approval"
	WebhookCancel   = "cancel"
)

// webhookJob is one notification on its way, at its attempt-th send.
type webhookJob struct {
	gen         uint64
	kind        string
	url         string
	body        []byte
	pgCno       string
	cancelPgCno string
	attempt     int // 1 is the first send, 2.. the resends
}

// WebhookAttempt is one journaled send (or a decision not to send).
type WebhookAttempt struct {
	Time        string          `json:"time"` // RFC 3339, KST
	Kind        string          `json:"kind"`
	URL         string          `json:"url"`
	PgCno       string          `json:"pgCno"`
	CancelPgCno string          `json:"cancelPgCno,omitempty"`
	Attempt     int             `json:"attempt"`
	Status      int             `json:"status,omitempty"` // the receiver's HTTP status
	ResCd       string          `json:"resCd,omitempty"`  // the receiver's ack
	Error       string          `json:"error,omitempty"`
	DurationMs  float64         `json:"durationMs"`
	Outcome     string          `json:"outcome"` // delivered, retrying, gave-up, dropped, queue-full
	NextAttempt string          `json:"nextAttemptIn,omitempty"`
	Body        json.RawMessage `json:"body"`
}

// dispatcher sends webhooks the way KICC does: a success is HTTP 200 with
// resCd "0000" within the ack deadline; anything else is resent after the
// next interval, up to maxResends times. Waits go through the server's
// clock, so tests drive retries with a fake one. A bounded queue feeds a
// few workers; a full queue drops the notification (journaled).
//
// Its memory grows with use: the queue holds pointers and the attempt ring
// is appended to up to its size. Allocated whole up front, the two were
// 300 KB of pointer-bearing memory that every GC cycle of a mock that never
// sends a webhook had to scan.
type dispatcher struct {
	s          *Sandbox
	version    string
	client     *http.Client
	queue      chan *webhookJob
	intervals  []time.Duration
	maxResends int
	gen        atomic.Uint64
	ctx        context.Context
	cancel     context.CancelFunc
	wg         sync.WaitGroup
	mu         sync.Mutex // guards closed, ring, next
	closed     bool
	ring       []WebhookAttempt // grows to ringSize, then wraps; every element is an attempt
	ringSize   int
	next       int // slot of the next attempt
}

func newDispatcher(s *Sandbox, version string) *dispatcher {
	cfg := s.cfg
	d := &dispatcher{
		s:          s,
		version:    version,
		client:     &http.Client{Timeout: cfg.WebhookTimeout},
		queue:      make(chan *webhookJob, cfg.WebhookQueue),
		intervals:  cfg.WebhookRetryIntervals,
		maxResends: cfg.WebhookMaxResends,
		ringSize:   cfg.WebhookJournalSize,
	}
	d.ctx, d.cancel = context.WithCancel(context.Background())
	for range cfg.WebhookWorkers {
		d.wg.Add(1)
		go d.work()
	}
	return d
}

// send queues a notification after delay (0: now).
func (d *dispatcher) send(kind, url, pgCno, cancelPgCno string, body []byte, delay time.Duration) {
	job := webhookJob{gen: d.gen.Load(), kind: kind, url: url, body: body, pgCno: pgCno, cancelPgCno: cancelPgCno, attempt: 1}
	if delay > 0 {
		d.later(job, delay)
		return
	}
	d.enqueue(job)
}

// dropped journals a notification a scenario suppressed.
func (d *dispatcher) dropped(kind, url, pgCno, cancelPgCno string, body []byte, why string) {
	d.record(WebhookAttempt{Kind: kind, URL: url, PgCno: pgCno, CancelPgCno: cancelPgCno,
		Outcome: "dropped", Error: why, Body: body})
}

func (d *dispatcher) enqueue(job webhookJob) {
	if job.gen != d.gen.Load() || d.ctx.Err() != nil {
		return // reset or closed since it was scheduled
	}
	select {
	case d.queue <- &job:
	default:
		d.record(WebhookAttempt{Kind: job.kind, URL: job.url, PgCno: job.pgCno, CancelPgCno: job.cancelPgCno,
			Attempt: job.attempt, Outcome: "queue-full", Error: "webhook queue is full; notification dropped", Body: job.body})
	}
}

// later enqueues job once delay has passed on the clock.
func (d *dispatcher) later(job webhookJob, delay time.Duration) {
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		return
	}
	d.wg.Add(1)
	d.mu.Unlock()
	go func() {
		defer d.wg.Done()
		select {
		case <-d.s.clock.After(delay):
			d.enqueue(job)
		case <-d.ctx.Done():
		}
	}()
}

func (d *dispatcher) work() {
	defer d.wg.Done()
	for {
		select {
		case <-d.ctx.Done():
			return
		case job := <-d.queue:
			if job.gen == d.gen.Load() {
				d.attempt(*job)
			}
		}
	}
}

// attempt sends job once, journals it and schedules the resend on failure.
func (d *dispatcher) attempt(job webhookJob) {
	start := d.s.clock.Now()
	status, resCd, err := d.post(job)
	a := WebhookAttempt{Kind: job.kind, URL: job.url, PgCno: job.pgCno, CancelPgCno: job.cancelPgCno,
		Attempt: job.attempt, Status: status, ResCd: resCd, Body: job.body}
	a.DurationMs = float64(d.s.clock.Now().Sub(start).Microseconds()) / 1000
	a.Time = start.In(kicc.KST).Format(time.RFC3339Nano)
	var wait time.Duration
	switch {
	case err == nil:
		a.Outcome = "delivered"
	case job.attempt > d.maxResends:
		a.Outcome, a.Error = "gave-up", err.Error()+"; no resends left"
	default:
		wait = d.interval(job.attempt)
		a.Outcome, a.Error, a.NextAttempt = "retrying", err.Error(), wait.String()
	}
	// Journal before scheduling the resend, so the journal's order is the
	// order of attempts.
	d.record(a)
	if wait > 0 {
		job.attempt++
		d.later(job, wait)
	}
	d.s.log.Info("webhook", "kind", job.kind, "url", job.url, "attempt", a.Attempt, "status", status,
		"resCd", resCd, "outcome", a.Outcome, "error", a.Error)
}

// interval is the wait after the attempt-th send failed; the last interval
// repeats.
func (d *dispatcher) interval(attempt int) time.Duration {
	i := min(attempt-1, len(d.intervals)-1)
	return d.intervals[max(i, 0)]
}

// webhookError is why a send did not count as acknowledged.
type webhookError string

func (e webhookError) Error() string { return string(e) }

func (d *dispatcher) post(job webhookJob) (status int, resCd string, err error) {
	ctx, cancel := context.WithTimeout(d.ctx, d.s.cfg.WebhookTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, job.url, bytes.NewReader(job.body))
	if err != nil {
		return 0, "", err
	}
	req.Header.Set("Content-Type", httpio.ContentTypeJSON)
	req.Header.Set("User-Agent", "kicc-mock/"+d.version)
	resp, err := d.client.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return resp.StatusCode, "", err
	}
	var ack kicc.WebhookAck
	_ = json.Unmarshal(data, &ack) // a non-JSON ack is a failure below
	switch {
	case resp.StatusCode != http.StatusOK:
		return resp.StatusCode, ack.ResCd, webhookError("receiver answered HTTP " + strconv.Itoa(resp.StatusCode))
	case ack.ResCd != kicc.ResOK:
		return resp.StatusCode, ack.ResCd, webhookError("receiver's ack has resCd " + strconv.Quote(ack.ResCd) + ", not \"0000\"")
	}
	return resp.StatusCode, ack.ResCd, nil
}

func (d *dispatcher) record(a WebhookAttempt) {
	if a.Time == "" {
		a.Time = d.s.clock.Now().In(kicc.KST).Format(time.RFC3339Nano)
	}
	if len(a.Body) == 0 {
		a.Body = json.RawMessage("null")
	}
	d.s.metrics.WebhookAttempt(a.Kind, a.Outcome)
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(d.ring) < d.ringSize {
		d.ring = append(d.ring, a)
	} else {
		d.ring[d.next] = a
	}
	d.next = (d.next + 1) % d.ringSize
}

// attempts returns the journal, newest first.
func (d *dispatcher) attempts() []WebhookAttempt {
	d.mu.Lock()
	defer d.mu.Unlock()
	n := len(d.ring) // while it grows, next == len(ring): the newest is ring[n-1]
	out := make([]WebhookAttempt, 0, n)
	for i := 1; i <= n; i++ {
		out = append(out, d.ring[(d.next-i+len(d.ring))%len(d.ring)])
	}
	return out
}

// reset forgets the journal and every pending send and resend.
func (d *dispatcher) reset() {
	d.gen.Add(1)
	d.mu.Lock()
	defer d.mu.Unlock()
	d.ring, d.next = nil, 0
}

// close stops the workers and every pending wait; an in-flight send is
// cancelled.
func (d *dispatcher) close() {
	d.mu.Lock()
	d.closed = true
	d.mu.Unlock()
	d.cancel()
	d.wg.Wait()
}

// Webhooks returns the journal of webhook attempts, newest first, that
// keep says to.
func (s *Sandbox) Webhooks(keep func(*WebhookAttempt) bool, limit int) []WebhookAttempt {
	out := []WebhookAttempt{}
	for _, a := range s.hooks.attempts() {
		if !keep(&a) {
			continue
		}
		if limit >= 0 && len(out) >= limit {
			break
		}
		out = append(out, a)
	}
	return out
}
