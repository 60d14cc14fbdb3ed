package sandbox

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
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

// Webhook bounds, the defaults of Config's fields. Deliveries to one
// receiver (scheme, host and port) never wait on another's: each has its
// own queue and its own share of the sends, so a receiver that hangs until
// the ack deadline holds up only its own notifications.
const (
	// DefaultWebhookConcurrency is how many sends run at once, to all
	// receivers together: a goroutine and a connection each.
	DefaultWebhookConcurrency = 256
	// DefaultWebhookHostConcurrency is how many of them go to one receiver.
	DefaultWebhookHostConcurrency = 4
	// DefaultWebhookQueue is how many notifications the dispatcher holds,
	// waiting for a send slot, being sent or waiting for a resend; a new
	// one past it is dropped (journaled "queue-full").
	DefaultWebhookQueue = 10_000
	// DefaultWebhookHostQueue is how many of them may be for one receiver,
	// so that one receiver that never acks cannot fill the queue of all.
	DefaultWebhookHostQueue = 1_000
	// DefaultWebhookJournalSize is how many attempts GET /__admin/webhooks
	// keeps.
	DefaultWebhookJournalSize = 1000
)

// webhookAckLimit is the most of a receiver's answer that is read: an ack
// is a few dozen bytes.
const webhookAckLimit = 64 << 10

// webhookIdleConns is how many idle keep-alive connections to receivers are
// kept, all together (per receiver: its host concurrency);
// webhookIdleTimeout closes those idle longer.
const (
	webhookIdleConns   = 64
	webhookIdleTimeout = 30 * time.Second
)

// Webhook kinds, as the journal names them.
const (
	WebhookApproval = "approval"
	WebhookCancel   = "cancel"
)

// Outcomes of journaled webhook attempts.
const (
	OutcomeDelivered = "delivered"
	OutcomeRetrying  = "retrying"
	OutcomeGaveUp    = "gave-up"
	OutcomeDropped   = "dropped"    // a scenario, or no notifyUrl: not sent
	OutcomeQueueFull = "queue-full" // past WebhookQueue or WebhookHostQueue: not sent
	OutcomeRefused   = "refused"    // the host is not in WebhookAllow: not sent
)

// webhookJob is one notification on its way, at its attempt-th send.
type webhookJob struct {
	id          uint64 // the notification's, in its attempts' journal entries
	gen         uint64
	kind        string
	url         string // without userinfo
	note        string
	body        []byte
	pgCno       string
	cancelPgCno string
	attempt     int // 1 is the first send, 2.. the resends
	host        *hostQueue
	place       jobPlace // where the dispatcher holds it
	dropped     bool     // by the admin API while being sent: not resent

	due   time.Time // while scheduled: when, on the base clock
	seq   uint64    // while scheduled: order among equal due times
	index int       // while scheduled: its place in the heap
}

// entry is a journal entry about job: what the notification is, with
// outcome and why; an attempt that sent it adds the attempt and the answer.
func (j *webhookJob) entry(outcome, why string) WebhookAttempt {
	return WebhookAttempt{Notification: j.id, Kind: j.kind, URL: j.url, PgCno: j.pgCno, CancelPgCno: j.cancelPgCno,
		Outcome: outcome, Error: why, Note: j.note, Body: j.body}
}

// WebhookAttempt is one journaled send (or a decision not to send).
type WebhookAttempt struct {
	// ID numbers the journal's entries, from 1, never reused (not even
	// across a reset); Notification is the notification the entry is about,
	// the same for all the sends of one.
	ID           uint64          `json:"id"`
	Notification uint64          `json:"notification"`
	Time         string          `json:"time"` // RFC 3339, KST
	Kind         string          `json:"kind"`
	URL          string          `json:"url"` // the notifyUrl, without userinfo
	PgCno        string          `json:"pgCno"`
	CancelPgCno  string          `json:"cancelPgCno,omitempty"`
	Attempt      int             `json:"attempt"`
	Status       int             `json:"status,omitempty"` // the receiver's HTTP status
	ResCd        string          `json:"resCd,omitempty"`  // the receiver's ack
	Error        string          `json:"error,omitempty"`
	Note         string          `json:"note,omitempty"` // what the mock changed, such as userinfo dropped
	DurationMs   float64         `json:"durationMs"`
	Outcome      string          `json:"outcome"` // the Outcome* constants
	NextAttempt  string          `json:"nextAttemptIn,omitempty"`
	Body         json.RawMessage `json:"body"`
}

// dispatcher sends webhooks the way KICC does: a success is HTTP 200 with
// resCd "0000" within the ack deadline; anything else, a redirect included,
// is resent after the next interval, up to maxResends times. Waits go
// through the server's clock, so tests drive retries with a fake one.
//
// Every notification held counts against WebhookQueue and its receiver's
// WebhookHostQueue until it is delivered or given up; sends run in
// goroutines started for them, at most WebhookConcurrency at once and
// WebhookHostConcurrency per receiver, taken from the receivers' queues in
// turn. Scheduled ones (delays, resends) wait in one heap watched by one
// goroutine. So an idle dispatcher holds one goroutine and nothing else,
// and a busy one at most the bounds. The attempt ring, too, grows with use
// up to its size: allocated whole up front it was 300 KB of pointer-bearing
// memory that every GC cycle of a mock that never sends a webhook scanned.
type dispatcher struct {
	s          *Sandbox
	version    string
	client     *http.Client
	allow      AllowList
	intervals  []time.Duration
	maxResends int
	gen        atomic.Uint64
	notes      atomic.Uint64 // the last notification id
	ctx        context.Context
	cancel     context.CancelFunc
	wg         sync.WaitGroup

	mu     sync.Mutex // guards the fields below, down to jmu
	closed bool
	active int                    // sends in flight, all hosts
	hosts  map[string]*hostQueue  // by target.key, while it holds a notification
	jobs   map[uint64]*webhookJob // by notification id, while held: its length counts against WebhookQueue
	ready  []*hostQueue           // hosts with one due and a free slot, in turn
	timers jobHeap
	seq    uint64
	wake   chan struct{} // the earliest scheduled notification changed

	jmu      sync.Mutex       // guards ring, next and lastID
	lastID   uint64           // of the newest attempt
	ring     []WebhookAttempt // grows to ringSize, then wraps; every element is an attempt
	ringSize int
	next     int // slot of the next attempt
}

func newDispatcher(s *Sandbox, version string) *dispatcher {
	cfg := s.cfg
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns = webhookIdleConns
	tr.MaxIdleConnsPerHost = cfg.WebhookHostConcurrency
	tr.IdleConnTimeout = webhookIdleTimeout
	d := &dispatcher{
		s:          s,
		version:    version,
		client:     NewWebhookClient(tr),
		allow:      cfg.WebhookAllow,
		intervals:  cfg.WebhookRetryIntervals,
		maxResends: cfg.WebhookMaxResends,
		hosts:      map[string]*hostQueue{},
		jobs:       map[uint64]*webhookJob{},
		wake:       make(chan struct{}, 1),
		ringSize:   cfg.WebhookJournalSize,
	}
	d.ctx, d.cancel = context.WithCancel(context.Background())
	d.wg.Add(1)
	go d.timerLoop()
	return d
}

// NewWebhookClient is an HTTP client for webhooks over tr (nil: Go's
// default transport). A redirect is the receiver's answer, not a new place
// to send to: following it would resend the body (307) or turn it into an
// empty GET counted as delivered (302), and let a notifyUrl lead past
// WebhookAllow.
func NewWebhookClient(tr http.RoundTripper) *http.Client {
	return &http.Client{Transport: tr,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// send takes a notification for url, sent after delay (0: now), unless the
// URL is refused or the queue is full (both journaled), and returns its id.
func (d *dispatcher) send(kind, url, pgCno, cancelPgCno string, body []byte, delay time.Duration) uint64 {
	job := &webhookJob{id: d.notes.Add(1), gen: d.gen.Load(), kind: kind, url: redactURL(url), body: body, pgCno: pgCno,
		cancelPgCno: cancelPgCno, attempt: 1}
	t, err := parseTarget(url)
	switch {
	case err != nil:
		d.refuse(job, err.Error())
		return job.id
	case t.userinfo:
		job.note = noteUserinfo
	}
	if !d.allow.Allows(t) {
		d.refuse(job, "the host "+t.host+":"+t.port+" is not in --webhook-allow ("+d.allow.String()+"); no request was sent")
		return job.id
	}
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		return job.id
	}
	h := d.hosts[t.key]
	var full string
	switch {
	case len(d.jobs) >= d.s.cfg.WebhookQueue:
		full = "webhook queue is full: " + strconv.Itoa(len(d.jobs)) + " notifications are pending (--webhook-queue); notification dropped"
	case h != nil && h.held >= d.s.cfg.WebhookHostQueue:
		full = "webhook queue of " + t.key + " is full: " + strconv.Itoa(h.held) + " notifications to it are pending (--webhook-host-queue); notification dropped"
	}
	if full != "" {
		d.mu.Unlock()
		a := job.entry(OutcomeQueueFull, full)
		a.Attempt = job.attempt
		d.record(a)
		return job.id
	}
	if h == nil {
		h = &hostQueue{key: t.key}
		d.hosts[t.key] = h
	}
	h.held++
	d.jobs[job.id] = job
	job.host = h
	if delay > 0 {
		d.scheduleLocked(job, delay)
	} else {
		d.enqueueLocked(job)
		d.pumpLocked()
	}
	d.mu.Unlock()
	return job.id
}

// refuse journals a notification that is not sent to where it says.
func (d *dispatcher) refuse(job *webhookJob, why string) {
	d.record(job.entry(OutcomeRefused, why))
	d.s.log.Warn("webhook refused", "kind", job.kind, "url", job.url, "pgCno", job.pgCno, "error", why)
}

// dropped journals a notification a scenario suppressed.
func (d *dispatcher) dropped(kind, url, pgCno, cancelPgCno string, body []byte, why string) {
	d.record(WebhookAttempt{Notification: d.notes.Add(1), Kind: kind, URL: redactURL(url), PgCno: pgCno, CancelPgCno: cancelPgCno,
		Outcome: OutcomeDropped, Error: why, Body: body})
}

// attempt sends job once, journals it, and schedules the resend on failure.
// It runs in its own goroutine, holding one of the host's slots.
func (d *dispatcher) attempt(job *webhookJob) {
	defer d.wg.Done()
	start := d.s.clock.Now()
	status, resCd, err := d.post(job)
	a := job.entry("", "") // the outcome is decided below
	a.Attempt, a.Status, a.ResCd = job.attempt, status, resCd
	a.DurationMs = float64(d.s.clock.Now().Sub(start).Microseconds()) / 1000
	a.Time = start.In(kicc.KST).Format(time.RFC3339Nano)
	d.mu.Lock()
	dropped := job.dropped
	d.mu.Unlock()
	var wait time.Duration
	switch {
	case err == nil:
		a.Outcome = OutcomeDelivered
	case dropped:
		a.Outcome, a.Error = OutcomeDropped, err.Error()+"; "+msgDroppedByAdmin+", not resent"
	case job.attempt > d.maxResends:
		a.Outcome, a.Error = OutcomeGaveUp, err.Error()+"; no resends left"
	default:
		wait = d.interval(job.attempt)
		a.Outcome, a.Error, a.NextAttempt = OutcomeRetrying, err.Error(), wait.String()
	}
	// A reset since the send began forgot this notification: its attempt
	// is not journaled after the reset, and it is not resent.
	stale := job.gen != d.gen.Load()
	if !stale {
		// Journal before scheduling the resend, so the journal's order is
		// the order of attempts.
		d.record(a)
		d.s.log.Info("webhook", "kind", job.kind, "url", job.url, "attempt", a.Attempt, "status", status,
			"resCd", resCd, "outcome", a.Outcome, "error", a.Error)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	h := job.host
	h.active--
	d.active--
	// A drop may have come since dropped was read, while the attempt was
	// journaled: it said the notification is not resent.
	if wait > 0 && !stale && !d.closed && !job.dropped {
		job.attempt++
		d.scheduleLocked(job, wait)
	} else {
		d.releaseLocked(job)
	}
	d.readyLocked(h)
	d.pumpLocked()
}

// interval is the wait after the attempt-th send failed; the last interval
// repeats.
func (d *dispatcher) interval(attempt int) time.Duration { return RetryInterval(d.intervals, attempt) }

// RetryInterval is the wait after the attempt-th send (1 is the first)
// failed: intervals[attempt-1], the last one repeating.
func RetryInterval(intervals []time.Duration, attempt int) time.Duration {
	if len(intervals) == 0 {
		intervals = DefaultWebhookRetryIntervals
	}
	i := min(attempt-1, len(intervals)-1)
	return intervals[max(i, 0)]
}

// webhookError is why a send did not count as acknowledged.
type webhookError string

func (e webhookError) Error() string { return string(e) }

func (d *dispatcher) post(job *webhookJob) (status int, resCd string, err error) {
	ctx, cancel := context.WithTimeout(d.ctx, d.s.cfg.WebhookTimeout)
	defer cancel()
	return PostWebhook(ctx, d.client, job.url, job.body, "kicc-mock/"+d.version)
}

// PostWebhook sends one webhook body to url as KICC does, and reports how
// the receiver answered: err is nil only for KICC's success, HTTP 200 with
// resCd "0000"; a redirect is a failure. ctx bounds the send (KICC's ack
// deadline is kicc.WebhookAckDeadline); hc should not follow redirects
// (NewWebhookClient).
func PostWebhook(ctx context.Context, hc *http.Client, url string, body []byte, userAgent string) (status int, resCd string, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, "", err
	}
	req.Header.Set("Content-Type", httpio.ContentTypeJSON)
	req.Header.Set("User-Agent", userAgent)
	resp, err := hc.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, webhookAckLimit))
	if err != nil {
		return resp.StatusCode, "", err
	}
	var ack kicc.WebhookAck
	_ = json.Unmarshal(data, &ack) // a non-JSON ack is a failure below
	switch {
	case resp.StatusCode >= 300 && resp.StatusCode < 400:
		where := "without a Location"
		if loc := resp.Header.Get("Location"); loc != "" {
			where = "to Location " + strconv.Quote(redactURL(loc))
		}
		return resp.StatusCode, ack.ResCd, webhookError("receiver answered HTTP " + strconv.Itoa(resp.StatusCode) +
			", a redirect " + where + "; webhooks do not follow redirects, the notifyUrl must ack itself")
	case resp.StatusCode != http.StatusOK:
		return resp.StatusCode, ack.ResCd, webhookError("receiver answered HTTP " + strconv.Itoa(resp.StatusCode))
	case ack.ResCd != kicc.ResOK:
		return resp.StatusCode, ack.ResCd, webhookError("receiver's ack has resCd " + strconv.Quote(ack.ResCd) + ", not \"0000\"")
	}
	return resp.StatusCode, ack.ResCd, nil
}

// record journals a, numbered and timed, and returns it as journaled.
func (d *dispatcher) record(a WebhookAttempt) WebhookAttempt {
	if a.Time == "" {
		a.Time = d.s.clock.Now().In(kicc.KST).Format(time.RFC3339Nano)
	}
	if len(a.Body) == 0 {
		a.Body = json.RawMessage("null")
	}
	d.s.metrics.WebhookAttempt(a.Kind, a.Outcome)
	d.jmu.Lock()
	defer d.jmu.Unlock()
	d.lastID++
	a.ID = d.lastID
	if len(d.ring) < d.ringSize {
		d.ring = append(d.ring, a)
	} else {
		d.ring[d.next] = a
	}
	d.next = (d.next + 1) % d.ringSize
	return a
}

// attempts returns the journal, newest first.
func (d *dispatcher) attempts() []WebhookAttempt {
	d.jmu.Lock()
	defer d.jmu.Unlock()
	n := len(d.ring) // while it grows, next == len(ring): the newest is ring[n-1]
	out := make([]WebhookAttempt, 0, n)
	for i := 1; i <= n; i++ {
		out = append(out, d.ring[(d.next-i+len(d.ring))%len(d.ring)])
	}
	return out
}

// reset forgets the journal and every pending send and resend. Sends in
// flight finish, unjournaled and not resent.
func (d *dispatcher) reset() {
	d.gen.Add(1)
	d.mu.Lock()
	var forgotten []*webhookJob
	for _, h := range d.hosts {
		forgotten = append(forgotten, h.waiting...)
		h.waiting, h.ready = nil, false
	}
	forgotten = append(forgotten, d.timers...)
	d.ready, d.timers = nil, nil
	for _, j := range forgotten {
		d.releaseLocked(j)
	}
	d.mu.Unlock()
	d.jmu.Lock()
	d.ring, d.next = nil, 0
	d.jmu.Unlock()
}

// close stops every send and every wait; an in-flight send is cancelled.
func (d *dispatcher) close() {
	d.mu.Lock()
	d.closed = true
	d.mu.Unlock()
	d.cancel()
	d.wg.Wait()
	d.client.CloseIdleConnections()
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

// msgDroppedByAdmin is the journal's word for a notification given up
// through the admin API.
const msgDroppedByAdmin = "dropped through the admin API"

// Errors of ResendWebhook and DropWebhook.
var (
	ErrNoWebhookAttempt   = errors.New("no such webhook attempt in the journal")
	ErrWebhookNotPending  = errors.New("the notification is not waiting for a send: it was delivered, given up, dropped or never queued")
	ErrWebhookNoNotifyURL = errors.New("the notification has no notifyUrl to send to")
)

// find is the journal entry id.
func (d *dispatcher) find(id uint64) (WebhookAttempt, bool) {
	d.jmu.Lock()
	defer d.jmu.Unlock()
	for i := range d.ring {
		if d.ring[i].ID == id {
			return d.ring[i], true
		}
	}
	return WebhookAttempt{}, false
}

// ResendWebhook sends the notification of journal entry id again, now, as
// a new notification (attempt 1, with resends of its own), and returns the
// new notification's id. Its URL is the journaled one: without the
// userinfo, which the mock never sends anyway.
func (s *Sandbox) ResendWebhook(id uint64) (uint64, error) {
	a, ok := s.hooks.find(id)
	switch {
	case !ok:
		return 0, ErrNoWebhookAttempt
	case a.URL == "":
		return 0, ErrWebhookNoNotifyURL
	}
	body := []byte(a.Body)
	if string(body) == "null" {
		body = nil
	}
	return s.hooks.send(a.Kind, a.URL, a.PgCno, a.CancelPgCno, body, 0), nil
}

// DropWebhook gives up the notification of journal entry id while it waits
// for a send or a resend, and journals that; one being sent now finishes
// that send and is not resent. It returns the journal's new entry.
func (s *Sandbox) DropWebhook(id uint64) (WebhookAttempt, error) {
	d := s.hooks
	a, ok := d.find(id)
	if !ok {
		return WebhookAttempt{}, ErrNoWebhookAttempt
	}
	d.mu.Lock()
	job := d.jobs[a.Notification]
	if job == nil || job.dropped || job.gen != d.gen.Load() {
		d.mu.Unlock()
		return WebhookAttempt{}, ErrWebhookNotPending
	}
	sends := job.attempt - 1
	if job.place == jobSending {
		sends = job.attempt
	}
	released := d.dropLocked(job)
	d.mu.Unlock()
	why := msgDroppedByAdmin + " after " + strconv.Itoa(sends) + " send(s)"
	if !released {
		why += "; the send in flight finishes, and is not resent"
	}
	return d.record(job.entry(OutcomeDropped, why)), nil
}
