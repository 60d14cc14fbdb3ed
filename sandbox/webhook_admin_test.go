package sandbox

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kicc-mock/kicc-mock/clock"
	"github.com/kicc-mock/kicc-mock/kicc"
)

func TestWebhookAttemptsAreNumbered(t *testing.T) {
	s, _ := newHookSandbox(t, Config{})
	r := newAckReceiver(t)
	payTo(t, s, r.URL+"/a")
	payTo(t, s, r.URL+"/b")
	got := waitAttempts(t, s, 2)
	assert.Equal(t, []uint64{2, 1}, []uint64{got[0].ID, got[1].ID}, "newest first")
	assert.NotEqual(t, got[0].Notification, got[1].Notification)
	s.Reset()
	payTo(t, s, r.URL+"/c")
	assert.Equal(t, uint64(3), waitAttempts(t, s, 1)[0].ID, "ids are not reused after a reset")
}

// TestResendWebhook: a delivered notification is sent again, as a new one
// with the same body, and journaled as such.
func TestResendWebhook(t *testing.T) {
	s, _ := newHookSandbox(t, Config{})
	r := newAckReceiver(t)
	pg := payTo(t, s, r.URL+"/notify")
	waitFor(t, r.arrived, "the webhook")
	first := waitAttempts(t, s, 1)[0]
	require.Equal(t, OutcomeDelivered, first.Outcome)

	n, err := s.ResendWebhook(first.ID)
	require.NoError(t, err)
	assert.NotEqual(t, first.Notification, n)
	req := waitFor(t, r.arrived, "the resent webhook")
	assert.Equal(t, "/notify", req.URL.Path)
	again := waitAttempts(t, s, 2)[0]
	assert.Equal(t, n, again.Notification)
	assert.Equal(t, OutcomeDelivered, again.Outcome)
	assert.Equal(t, 1, again.Attempt, "a new notification")
	assert.Equal(t, pg, again.PgCno)
	assert.Equal(t, WebhookApproval, again.Kind)
	assert.JSONEq(t, string(first.Body), string(again.Body))

	_, err = s.ResendWebhook(999)
	assert.ErrorIs(t, err, ErrNoWebhookAttempt)
	s.hooks.dropped(WebhookApproval, "", "P", "", []byte(`{}`), "no notifyUrl in the request")
	_, err = s.ResendWebhook(waitAttempts(t, s, 3)[0].ID)
	assert.ErrorIs(t, err, ErrWebhookNoNotifyURL)
}

// TestDropWebhookWaitingForAResend: a notification between its resends is
// taken out of the schedule; time passing sends nothing more.
func TestDropWebhookWaitingForAResend(t *testing.T) {
	s, fake := newHookSandbox(t, Config{WebhookRetryIntervals: []time.Duration{time.Minute}})
	r := newRedirector(t, http.StatusFound, 100)
	payTo(t, s, r.URL+"/notify")
	first := waitAttempts(t, s, 1)[0]
	require.Equal(t, OutcomeRetrying, first.Outcome)

	a, err := s.DropWebhook(first.ID)
	require.NoError(t, err)
	assert.Equal(t, OutcomeDropped, a.Outcome)
	assert.Equal(t, first.Notification, a.Notification)
	assert.Greater(t, a.ID, first.ID)
	assert.Contains(t, a.Error, "after 1 send(s)")
	assert.Equal(t, a, waitAttempts(t, s, 2)[0], "journaled as answered")
	s.hooks.mu.Lock()
	assert.Zero(t, len(s.hooks.jobs))
	assert.Empty(t, s.hooks.timers)
	s.hooks.mu.Unlock()

	fake.Advance(time.Hour)
	requests, _ := r.counts()
	assert.Equal(t, 1, requests, "a dropped notification was resent")
	_, err = s.DropWebhook(first.ID)
	assert.ErrorIs(t, err, ErrWebhookNotPending, "twice")
	_, err = s.DropWebhook(12345)
	assert.ErrorIs(t, err, ErrNoWebhookAttempt)
}

// TestDropWebhookWaitingForItsReceiver: one waiting in its receiver's
// queue (the receiver's one slot is taken) leaves the queue, and the
// dispatcher goes on with the others.
func TestDropWebhookWaitingForItsReceiver(t *testing.T) {
	s, _ := newHookSandbox(t, Config{WebhookTimeout: time.Hour, WebhookHostConcurrency: 1})
	hanging := newHangingReceivers(t, 1)
	payTo(t, s, hanging[0].URL+"/first")
	waitFor(t, hanging[0].entered, "the first webhook")
	second := s.hooks.send(WebhookApproval, hanging[0].URL+"/second", "P2", "", []byte(`{}`), 0)
	// Its journal entry, as a resend due behind a busy receiver has one
	// from its earlier send.
	s.hooks.record(WebhookAttempt{Notification: second, Kind: WebhookApproval, PgCno: "P2", Outcome: OutcomeRetrying})
	id := s.hooks.attempts()[0].ID
	s.hooks.mu.Lock()
	require.Equal(t, jobWaiting, s.hooks.jobs[second].place)
	s.hooks.mu.Unlock()

	a, err := s.DropWebhook(id)
	require.NoError(t, err)
	assert.Contains(t, a.Error, "after 0 send(s)")
	s.hooks.mu.Lock()
	assert.Equal(t, 1, len(s.hooks.jobs), "only the send in flight")
	assert.Empty(t, s.hooks.ready)
	s.hooks.mu.Unlock()
}

// TestDropWebhookBeingSent: the send in flight finishes and is journaled,
// and its failure is not resent.
func TestDropWebhookBeingSent(t *testing.T) {
	s, fake := newHookSandbox(t, Config{WebhookTimeout: time.Hour, WebhookRetryIntervals: []time.Duration{time.Second}})
	hanging := newHangingReceivers(t, 1)
	payTo(t, s, hanging[0].URL+"/notify")
	waitFor(t, hanging[0].entered, "the webhook")
	var n uint64
	s.hooks.mu.Lock()
	for id := range s.hooks.jobs {
		n = id
	}
	s.hooks.mu.Unlock()
	// An entry of the notification's, as an earlier send would have left.
	s.hooks.record(WebhookAttempt{Notification: n, Kind: WebhookApproval, Outcome: OutcomeRetrying})
	a, err := s.DropWebhook(s.hooks.attempts()[0].ID)
	require.NoError(t, err)
	assert.Contains(t, a.Error, "the send in flight finishes, and is not resent")
	s.hooks.cancel() // the send fails
	last := waitAttempts(t, s, 3)[0]
	assert.Equal(t, OutcomeDropped, last.Outcome)
	assert.Contains(t, last.Error, "not resent")
	fake.Advance(time.Hour)
	s.hooks.mu.Lock()
	assert.Zero(t, len(s.hooks.jobs))
	assert.Empty(t, s.hooks.timers)
	s.hooks.mu.Unlock()
}

// TestDropWebhookAsItsSendFails: a drop that comes after the failed send
// was seen but before its resend is scheduled (here: while the attempt is
// being logged) still means no resend.
func TestDropWebhookAsItsSendFails(t *testing.T) {
	logging := &blockingLog{msg: "webhook", entered: make(chan struct{}, 1), release: make(chan struct{})}
	fake := clock.NewFake(t0)
	s := New(Config{WebhookRetryIntervals: []time.Duration{time.Minute}},
		Deps{Clock: clock.NewAdjustable(fake), Log: slog.New(logging), IDs: kicc.NewIDGenerator(1)})
	t.Cleanup(s.Close)
	r := newRedirector(t, http.StatusFound, 100)
	payTo(t, s, r.URL+"/notify")
	waitFor(t, logging.entered, "the failed send's log line")

	first := s.hooks.attempts()[0]
	require.Equal(t, OutcomeRetrying, first.Outcome)
	a, err := s.DropWebhook(first.ID)
	require.NoError(t, err)
	assert.Contains(t, a.Error, "not resent")
	close(logging.release)

	var held, scheduled int
	require.Eventually(t, func() bool {
		s.hooks.mu.Lock()
		defer s.hooks.mu.Unlock()
		held, scheduled = len(s.hooks.jobs), len(s.hooks.timers)
		return held == 0 || scheduled > 0
	}, failsafe, time.Millisecond)
	assert.Zero(t, scheduled, "the dropped notification was scheduled for a resend")
	assert.Zero(t, held)
}

// blockingLog holds the first record with message msg until release is
// closed, saying so on entered.
type blockingLog struct {
	msg     string
	entered chan struct{}
	release chan struct{}
	once    sync.Once
}

func (*blockingLog) Enabled(context.Context, slog.Level) bool { return true }
func (b *blockingLog) Handle(_ context.Context, r slog.Record) error {
	if r.Message == b.msg {
		b.once.Do(func() {
			b.entered <- struct{}{}
			<-b.release
		})
	}
	return nil
}
func (b *blockingLog) WithAttrs([]slog.Attr) slog.Handler { return b }
func (b *blockingLog) WithGroup(string) slog.Handler      { return b }
