package sandbox

import (
	"container/heap"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kicc-mock/kicc-mock/clock"
	"github.com/kicc-mock/kicc-mock/kicc"
	"github.com/kicc-mock/kicc-mock/store"
)

// failsafe bounds every wait of these tests for something that should
// happen at once; reaching it is a failure, never the thing tested.
const failsafe = 30 * time.Second

var t0 = time.Date(2026, 11, 25, 12, 0, 0, 0, kicc.KST)

// newHookSandbox is a sandbox on a fake clock, closed at the end of t.
func newHookSandbox(t *testing.T, cfg Config) (*Sandbox, *clock.Fake) {
	t.Helper()
	fake := clock.NewFake(t0)
	s := New(cfg, Deps{Clock: clock.NewAdjustable(fake), Log: slog.New(slog.DiscardHandler), IDs: kicc.NewIDGenerator(1)})
	t.Cleanup(s.Close)
	return s, fake
}

// payTo records a payment whose approval webhook goes to notify, and pays
// it: the webhook is on its way when payTo returns.
func payTo(t *testing.T, s *Sandbox, notify string) string {
	t.Helper()
	now := s.clock.Now()
	pg := s.ids.Next(now)
	require.NoError(t, s.trades.Create(store.Payment{PgCno: pg, MallID: "T0000001", ShopOrderNo: "ORD-" + pg,
		ShopTransactionID: "K" + pg, GoodsName: "x", TradeType: kicc.TradeTypeMweb, NotifyURL: notify,
		Currency: kicc.CurrencyKRW, Amount: 1000, State: store.PaymentCreated, CreatedAt: now}))
	_, err := s.Approve(pg)
	require.NoError(t, err)
	return pg
}

// hangingReceiver holds every request until the test ends (or the mock
// gives up on it). entered gets a value as each request reaches the
// handler; returned counts the handlers that have returned.
type hangingReceiver struct {
	*httptest.Server
	entered  chan struct{}
	returned atomic.Int32
}

// newHangingReceivers starts n receivers, each its own host:port.
func newHangingReceivers(t *testing.T, n int) []*hangingReceiver {
	release := make(chan struct{})
	out := make([]*hangingReceiver, n)
	for i := range out {
		r := &hangingReceiver{entered: make(chan struct{}, 64)}
		r.Server = httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, req *http.Request) {
			defer r.returned.Add(1)
			r.entered <- struct{}{}
			select {
			case <-release:
			case <-req.Context().Done():
			}
		}))
		t.Cleanup(r.Close)
		out[i] = r
	}
	t.Cleanup(func() { close(release) }) // runs first: the servers' Close waits for their handlers
	return out
}

// ackReceiver acks every webhook and says so on arrived.
type ackReceiver struct {
	*httptest.Server
	arrived chan *http.Request
}

func newAckReceiver(t *testing.T) *ackReceiver {
	r := &ackReceiver{arrived: make(chan *http.Request, 64)}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		_, _ = io.WriteString(w, `{"resCd":"0000","resMsg":"정상"}`)
		r.arrived <- req
	}))
	t.Cleanup(r.Close)
	return r
}

func waitFor[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(failsafe):
		t.Fatalf("%s: not within %v", what, failsafe)
	}
	var zero T
	return zero
}

// assertAllHeld: no hanging receiver's handler has returned and no attempt
// to one has ended (none is journaled), so whatever happened meanwhile did
// not wait for them.
func assertAllHeld(t *testing.T, s *Sandbox, hanging []*hangingReceiver) {
	t.Helper()
	for i, r := range hanging {
		assert.Zero(t, r.returned.Load(), "hanging receiver %d returned", i)
	}
	for _, a := range s.hooks.attempts() {
		if a.Outcome != OutcomeDelivered {
			t.Errorf("an attempt ended while the hanging receivers were held: %+v", a)
		}
	}
}

// TestWebhookToAHealthyReceiverDoesNotWaitForAHangingOne is the issue's
// case: 12 webhooks to a receiver that hangs, then one to a healthy
// receiver. The healthy one arrives while all 12 are still held (on main
// it waited for three rounds of the ack deadline, 29.6 s).
func TestWebhookToAHealthyReceiverDoesNotWaitForAHangingOne(t *testing.T) {
	s, _ := newHookSandbox(t, Config{WebhookTimeout: time.Hour})
	hanging := newHangingReceivers(t, 1)
	healthy := newAckReceiver(t)
	for range 12 {
		payTo(t, s, hanging[0].URL+"/notify")
	}
	waitFor(t, hanging[0].entered, "the first webhook to the hanging receiver")
	pg := payTo(t, s, healthy.URL+"/notify")

	req := waitFor(t, healthy.arrived, "the healthy receiver's webhook")
	assertAllHeld(t, s, hanging)
	assert.Equal(t, http.MethodPost, req.Method)
	require.Eventually(t, func() bool { return len(s.hooks.attempts()) == 1 }, failsafe, time.Millisecond)
	assert.Equal(t, pg, s.hooks.attempts()[0].PgCno)
	assert.Equal(t, OutcomeDelivered, s.hooks.attempts()[0].Outcome)
}

// TestWebhookToAHealthyReceiverWhile100Hang: 100 receivers hang, each
// holding one webhook; all 100 sends are in flight at once, and a webhook to
// a healthy receiver still arrives while every one of them is held.
func TestWebhookToAHealthyReceiverWhile100Hang(t *testing.T) {
	s, _ := newHookSandbox(t, Config{WebhookTimeout: time.Hour})
	hanging := newHangingReceivers(t, 100)
	healthy := newAckReceiver(t)
	for _, r := range hanging {
		payTo(t, s, r.URL+"/notify")
	}
	for i, r := range hanging {
		waitFor(t, r.entered, "hanging receiver "+strconv.Itoa(i)+"'s webhook")
	}
	payTo(t, s, healthy.URL+"/notify")
	waitFor(t, healthy.arrived, "the healthy receiver's webhook")
	assertAllHeld(t, s, hanging)
}

// redirector answers its first redirects requests with status and a
// Location pointing at its own /elsewhere (counted in followed), then acks.
type redirector struct {
	*httptest.Server
	mu        sync.Mutex
	requests  int
	followed  int
	authz     []string
	redirects int
	status    int
}

func newRedirector(t *testing.T, status, redirects int) *redirector {
	r := &redirector{status: status, redirects: redirects}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.mu.Lock()
		defer r.mu.Unlock()
		if req.URL.Path == "/elsewhere" {
			r.followed++
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			_, _ = io.WriteString(w, `{"resCd":"0000"}`)
			return
		}
		r.requests++
		r.authz = append(r.authz, req.Header.Get("Authorization"))
		if r.requests <= r.redirects {
			w.Header().Set("Location", "/elsewhere")
			w.WriteHeader(r.status)
			return
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		_, _ = io.WriteString(w, `{"resCd":"0000"}`)
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *redirector) counts() (requests, followed int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.requests, r.followed
}

// waitAttempts waits until the journal holds n attempts and returns them,
// newest first.
func waitAttempts(t *testing.T, s *Sandbox, n int) []WebhookAttempt {
	t.Helper()
	require.Eventually(t, func() bool { return len(s.hooks.attempts()) >= n }, failsafe, time.Millisecond,
		"waiting for %d webhook attempts", n)
	return s.hooks.attempts()
}

// TestWebhookRedirectIsAFailedAttempt: a 3xx is the receiver's answer, not
// a place to go: the attempt fails with an error naming the status and the
// Location, the Location is never requested, and the notification is resent
// on the retry intervals until the notifyUrl itself acks.
func TestWebhookRedirectIsAFailedAttempt(t *testing.T) {
	for _, status := range []int{301, 302, 303, 307, 308} {
		t.Run(strconv.Itoa(status), func(t *testing.T) {
			s, fake := newHookSandbox(t, Config{WebhookRetryIntervals: []time.Duration{time.Second, 2 * time.Second}})
			r := newRedirector(t, status, 2)
			pg := payTo(t, s, r.URL+"/notify")

			first := waitAttempts(t, s, 1)[0]
			require.Equal(t, OutcomeRetrying, first.Outcome, "status %d, error %q", first.Status, first.Error)
			assert.Equal(t, status, first.Status)
			assert.Equal(t, pg, first.PgCno)
			assert.Contains(t, first.Error, "HTTP "+strconv.Itoa(status))
			assert.Contains(t, first.Error, `Location "/elsewhere"`)
			assert.Equal(t, "1s", first.NextAttempt)

			fake.BlockUntil(1)
			fake.Advance(time.Second)
			second := waitAttempts(t, s, 2)[0]
			assert.Equal(t, 2, second.Attempt)
			require.Equal(t, OutcomeRetrying, second.Outcome)
			assert.Equal(t, "2s", second.NextAttempt)

			fake.BlockUntil(1)
			fake.Advance(2 * time.Second)
			third := waitAttempts(t, s, 3)[0]
			assert.Equal(t, 3, third.Attempt)
			assert.Equal(t, OutcomeDelivered, third.Outcome)
			requests, followed := r.counts()
			assert.Equal(t, 3, requests)
			assert.Zero(t, followed, "a redirect was followed")
		})
	}
}

// TestWebhookDropsUserinfo: user:password@ in the notifyUrl is not turned
// into a Basic auth header, and the journal's URL does not carry it; the
// note says what was dropped.
func TestWebhookDropsUserinfo(t *testing.T) {
	s, _ := newHookSandbox(t, Config{})
	r := newRedirector(t, 0, 0)
	withUser := strings.Replace(r.URL, "http://", "http://merchant:s3cret@", 1) + "/notify"
	payTo(t, s, withUser)

	a := waitAttempts(t, s, 1)[0]
	assert.Equal(t, OutcomeDelivered, a.Outcome)
	assert.Equal(t, r.URL+"/notify", a.URL)
	assert.Contains(t, a.Note, "user:password@ was dropped")
	r.mu.Lock()
	assert.Equal(t, []string{""}, r.authz, "an Authorization header was sent")
	r.mu.Unlock()
	b, err := json.Marshal(s.hooks.attempts())
	require.NoError(t, err)
	assert.NotContains(t, string(b), "s3cret")

	s.hooks.dropped(WebhookCancel, withUser, "P", "C", nil, "dropped by scenario x")
	assert.Equal(t, r.URL+"/notify", s.hooks.attempts()[0].URL, "the journal of a dropped webhook")
}

// TestWebhookBounds: sends in flight stop at WebhookConcurrency, and at
// WebhookHostConcurrency for one receiver; notifications held stop at
// WebhookHostQueue for one receiver and WebhookQueue for all, and one past
// a bound is journaled queue-full, naming it, without a request.
func TestWebhookBounds(t *testing.T) {
	s, _ := newHookSandbox(t, Config{WebhookTimeout: time.Hour, WebhookConcurrency: 3, WebhookHostConcurrency: 2,
		WebhookQueue: 6, WebhookHostQueue: 4})
	hanging := newHangingReceivers(t, 3)
	a, b, c := hanging[0], hanging[1], hanging[2]
	for range 5 {
		payTo(t, s, a.URL+"/notify")
	}
	waitFor(t, a.entered, "a's first webhook")
	waitFor(t, a.entered, "a's second webhook")
	log := s.hooks.attempts()
	require.Len(t, log, 1, "the fifth notification for a")
	assert.Equal(t, OutcomeQueueFull, log[0].Outcome)
	assert.Contains(t, log[0].Error, "4 notifications to it are pending (--webhook-host-queue)")

	payTo(t, s, b.URL+"/notify")
	payTo(t, s, b.URL+"/notify")
	waitFor(t, b.entered, "b's first webhook")
	payTo(t, s, c.URL+"/notify")
	log = s.hooks.attempts()
	require.Len(t, log, 2, "the notification for c")
	assert.Equal(t, OutcomeQueueFull, log[0].Outcome)
	assert.Equal(t, c.URL+"/notify", log[0].URL)
	assert.Contains(t, log[0].Error, "6 notifications are pending (--webhook-queue)")

	d := s.hooks
	d.mu.Lock()
	defer d.mu.Unlock()
	assert.Equal(t, 3, d.active, "sends in flight")
	assert.Equal(t, 6, len(d.jobs), "notifications held")
	ha, hb := d.hosts[a.URL], d.hosts[b.URL] // keyed scheme://host:port, as httptest's URLs are
	require.NotNil(t, ha)
	require.NotNil(t, hb)
	assert.Equal(t, 2, ha.active)
	assert.Len(t, ha.waiting, 2)
	assert.Equal(t, 1, hb.active)
	assert.Len(t, hb.waiting, 1)
	assert.Zero(t, len(c.entered), "c was sent a request")
}

// TestWebhookResetForgetsHeldNotifications: a reset forgets what waits and
// what is scheduled, and gives their places back; sends in flight end
// unjournaled and are not resent.
func TestWebhookResetForgetsHeldNotifications(t *testing.T) {
	s, fake := newHookSandbox(t, Config{WebhookTimeout: time.Hour, WebhookHostConcurrency: 1})
	hanging := newHangingReceivers(t, 1)
	for range 3 {
		payTo(t, s, hanging[0].URL+"/notify")
	}
	s.hooks.send(WebhookApproval, hanging[0].URL+"/later", "P", "", nil, time.Minute)
	waitFor(t, hanging[0].entered, "the first webhook")
	d := s.hooks
	d.mu.Lock()
	assert.Equal(t, 4, len(d.jobs))
	assert.Len(t, d.timers, 1)
	d.mu.Unlock()

	s.Reset()
	d.mu.Lock()
	assert.Equal(t, 1, len(d.jobs), "only the send in flight is held")
	assert.Empty(t, d.timers)
	d.mu.Unlock()
	fake.Advance(time.Hour)
	d.close() // cancels the send in flight
	assert.Empty(t, d.attempts(), "an attempt after the reset was journaled")
	assert.Zero(t, len(hanging[0].entered), "a forgotten notification was sent")
	assert.Zero(t, len(d.jobs))
	assert.Empty(t, d.hosts)
}

// TestWebhookResendIgnoresTheAdminClock: resends wait on the clock's own
// time, so setting the mock's clock back a day (PUT /__admin/clock) does
// not hold a resend for a day, nor does setting it forward fire one early.
func TestWebhookResendIgnoresTheAdminClock(t *testing.T) {
	s, fake := newHookSandbox(t, Config{WebhookRetryIntervals: []time.Duration{time.Minute}})
	r := newRedirector(t, http.StatusFound, 1)
	payTo(t, s, r.URL+"/notify")
	require.Equal(t, OutcomeRetrying, waitAttempts(t, s, 1)[0].Outcome)
	fake.BlockUntil(1)
	s.clock.Advance(2 * time.Hour)
	s.clock.Set(t0.Add(-24 * time.Hour))
	requests, _ := r.counts()
	assert.Equal(t, 1, requests, "moving the mock's clock sent the resend")
	fake.Advance(time.Minute)
	assert.Equal(t, OutcomeDelivered, waitAttempts(t, s, 2)[0].Outcome)
}

func TestJobHeapOrdersByDueThenByScheduling(t *testing.T) {
	var h jobHeap
	var d dispatcher
	for i, due := range []time.Duration{3, 1, 2, 1, 0} {
		d.seq++
		heap.Push(&h, &webhookJob{pgCno: strconv.Itoa(i), due: t0.Add(due * time.Second), seq: d.seq})
	}
	var order []string
	for h.Len() > 0 {
		j := heap.Pop(&h).(*webhookJob)
		assert.Equal(t, -1, j.index)
		order = append(order, j.pgCno)
	}
	assert.Equal(t, []string{"4", "1", "3", "2", "0"}, order)
}
