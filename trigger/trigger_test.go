package trigger_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kicc-mock/kicc-mock/client"
	"github.com/kicc-mock/kicc-mock/clock"
	"github.com/kicc-mock/kicc-mock/kicc"
	"github.com/kicc-mock/kicc-mock/sandbox"
	"github.com/kicc-mock/kicc-mock/trigger"
)

var t0 = time.Date(2026, 11, 25, 12, 0, 0, 0, kicc.KST)

func TestBodyIsTheSandboxesShape(t *testing.T) {
	body, err := trigger.Body(trigger.Notification{Kind: trigger.Cancel, MallID: "T0000001", PgCno: "25122722034810122119", Amount: 300}, t0)
	require.NoError(t, err)
	n, err := client.ParseNotification(body)
	require.NoError(t, err)
	require.NotNil(t, n.Cancel, "%s", body)
	assert.Equal(t, "25122722034810122119", n.Cancel.PgCno)
	assert.Regexp(t, `^\d{20}$`, n.Cancel.CancelPgCno, "a made-up cancelPgCno")
	assert.Equal(t, "20261125120000", n.Cancel.CancelDate)
	assert.Equal(t, kicc.WebhookAmountInfo{Currency: "KRW", Amount: 300}, *n.Cancel.AmountInfo)

	body, err = trigger.Body(trigger.Notification{Kind: trigger.Approval, Amount: 5}, t0)
	require.NoError(t, err)
	n, err = client.ParseNotification(body)
	require.NoError(t, err)
	require.NotNil(t, n.Approval)
	assert.Regexp(t, `^\d{20}$`, n.Approval.PgCno)

	_, err = trigger.Body(trigger.Notification{Kind: "refund"}, t0)
	assert.Error(t, err)
}

func TestSendResendsOnTheClockUntilAcked(t *testing.T) {
	var calls atomic.Int32
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		assert.True(t, json.Valid(b))
		assert.Equal(t, "application/json; charset=utf-8", r.Header.Get("Content-Type"))
		if calls.Add(1) == 1 {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		_, _ = io.WriteString(w, `{"resCd":"0000","resMsg":"정상"}`)
	}))
	t.Cleanup(rcv.Close)
	fake := clock.NewFake(t0)
	var attempts []trigger.Attempt
	done := make(chan error, 1)
	go func() {
		_, err := trigger.Send(context.Background(), trigger.Config{URL: rcv.URL, Clock: fake,
			OnAttempt: func(a trigger.Attempt) { attempts = append(attempts, a) }}, []byte(`{"resCd":"0000"}`))
		done <- err
	}()
	fake.BlockUntil(1)
	fake.Advance(sandbox.DefaultWebhookRetryIntervals[0])
	require.NoError(t, <-done)
	require.Len(t, attempts, 2)
	assert.Equal(t, sandbox.OutcomeRetrying, attempts[0].Outcome)
	assert.Equal(t, 500, attempts[0].Status)
	assert.Equal(t, time.Second, attempts[0].Next)
	assert.Equal(t, sandbox.OutcomeDelivered, attempts[1].Outcome)
	assert.Equal(t, t0.Add(time.Second), attempts[1].Time)
}

func TestSendGivesUp(t *testing.T) {
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, `{"resCd":"5001"}`)
	}))
	t.Cleanup(rcv.Close)
	n, err := trigger.Send(context.Background(), trigger.Config{URL: rcv.URL, MaxResends: 2, Intervals: []time.Duration{time.Nanosecond}}, []byte(`{}`))
	assert.ErrorIs(t, err, trigger.ErrGaveUp)
	assert.Equal(t, 3, n, "the first send and two resends")
}
