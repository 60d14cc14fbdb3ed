// Package trigger sends one KICC webhook to a merchant's endpoint on
// demand, as the sandbox's dispatcher sends it: the same body (the
// sandbox's encoder), the same request and the same rule for an ack (HTTP
// 200 with resCd "0000" within the deadline), resent on the same intervals
// until acknowledged or out of resends. It lets a merchant test its
// notifyUrl without a payment.
package trigger

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/kicc-mock/kicc-mock/clock"
	"github.com/kicc-mock/kicc-mock/httpio"
	"github.com/kicc-mock/kicc-mock/kicc"
	"github.com/kicc-mock/kicc-mock/sandbox"
	"github.com/kicc-mock/kicc-mock/store"
)

// The kinds of webhook.
const (
	Approval = sandbox.WebhookApproval
	Cancel   = sandbox.WebhookCancel
)

// The outcomes of an attempt, as the sandbox's webhook journal names them.
const (
	Delivered = sandbox.OutcomeDelivered
	Retrying  = sandbox.OutcomeRetrying
	GaveUp    = sandbox.OutcomeGaveUp
)

// DefaultIntervals are the sandbox's waits between resends: KICC
// documents none.
var DefaultIntervals = sandbox.DefaultWebhookRetryIntervals

// Notification is what the webhook reports. Empty ids are made up.
type Notification struct {
	Kind        string // Approval or Cancel
	MallID      string
	ShopOrderNo string
	PgCno       string
	CancelPgCno string // Cancel only
	Currency    string // KRW when empty
	Amount      int64
}

// Body is the webhook's JSON body at now, from the sandbox's encoder.
// Empty ids are filled in: a 20-digit KICC id for pgCno and cancelPgCno.
func Body(n Notification, now time.Time) ([]byte, error) {
	ids := kicc.NewIDGenerator(uint64(now.UnixNano()))
	if n.PgCno == "" {
		n.PgCno = ids.Next(now)
	}
	if n.Currency == "" {
		n.Currency = kicc.CurrencyKRW
	}
	p := store.Payment{PgCno: n.PgCno, MallID: n.MallID, ShopOrderNo: n.ShopOrderNo, Currency: n.Currency, Amount: n.Amount}
	switch n.Kind {
	case Approval:
		return httpio.Marshal(sandbox.ApprovalNotification(&p, now))
	case Cancel:
		if n.CancelPgCno == "" {
			n.CancelPgCno = ids.Next(now)
		}
		c := store.Cancel{CancelPgCno: n.CancelPgCno, PgCno: n.PgCno, MallID: n.MallID, Amount: n.Amount}
		return httpio.Marshal(sandbox.CancelNotification(&p, &c, now))
	}
	return nil, fmt.Errorf("trigger: unknown webhook %q (approval or cancel)", n.Kind)
}

// Config says where and how to send.
type Config struct {
	URL string
	// Intervals are the waits between resends, the last repeating
	// (sandbox.DefaultWebhookRetryIntervals when empty); MaxResends the
	// resends after the first send (KICC's 15 when 0, none when negative);
	// Timeout the ack
	// deadline (KICC's 10 s when 0).
	Intervals  []time.Duration
	MaxResends int
	Timeout    time.Duration
	// Clock waits between attempts; nil means the real clock.
	Clock clock.Clock
	// Client sends; nil means sandbox.NewWebhookClient(nil).
	Client    *http.Client
	UserAgent string
	// OnAttempt is told of every attempt as it ends.
	OnAttempt func(Attempt)
}

// Attempt is one send.
type Attempt struct {
	N       int // 1 is the first send
	Time    time.Time
	Status  int    // the receiver's HTTP status, 0 for none
	ResCd   string // its ack's resCd
	Err     error  // why it was not an ack; nil when delivered
	Outcome string // Delivered, Retrying or GaveUp
	Next    time.Duration
}

// ErrGaveUp is Send's error when no attempt was acknowledged.
var ErrGaveUp = errors.New("trigger: no resends left")

// Send posts body until the receiver acknowledges it; it returns the
// number of attempts made, and ErrGaveUp when none was acknowledged, or
// ctx's error when ctx ended first.
func Send(ctx context.Context, cfg Config, body []byte) (int, error) {
	if len(cfg.Intervals) == 0 {
		cfg.Intervals = sandbox.DefaultWebhookRetryIntervals
	}
	switch {
	case cfg.MaxResends == 0:
		cfg.MaxResends = kicc.WebhookMaxResends
	case cfg.MaxResends < 0:
		cfg.MaxResends = 0
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = kicc.WebhookAckDeadline
	}
	if cfg.Clock == nil {
		cfg.Clock = clock.Real{}
	}
	if cfg.Client == nil {
		cfg.Client = sandbox.NewWebhookClient(nil)
	}
	if cfg.UserAgent == "" {
		cfg.UserAgent = "kicc-mock"
	}
	for n := 1; ; n++ {
		a := Attempt{N: n, Time: cfg.Clock.Now()}
		actx, cancel := context.WithTimeout(ctx, cfg.Timeout)
		a.Status, a.ResCd, a.Err = sandbox.PostWebhook(actx, cfg.Client, cfg.URL, body, cfg.UserAgent)
		cancel()
		switch {
		case a.Err == nil:
			a.Outcome = sandbox.OutcomeDelivered
		case n > cfg.MaxResends:
			a.Outcome = sandbox.OutcomeGaveUp
		default:
			a.Outcome, a.Next = sandbox.OutcomeRetrying, sandbox.RetryInterval(cfg.Intervals, n)
		}
		if cfg.OnAttempt != nil {
			cfg.OnAttempt(a)
		}
		switch a.Outcome {
		case sandbox.OutcomeDelivered:
			return n, nil
		case sandbox.OutcomeGaveUp:
			return n, ErrGaveUp
		}
		if err := clock.Sleep(ctx, cfg.Clock, a.Next); err != nil {
			return n, err
		}
	}
}
