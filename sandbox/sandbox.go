// Package sandbox is the mock's stateful WeChat Pay sandbox: Create
// Transaction and Cancel Payment as pipeline endpoints, the payment page a
// customer (or a headless browser) pays on, the transaction state machine,
// the state find answers from, and the webhook dispatcher with KICC's retry
// policy.
//
// Payments are created unpaid; the payment page, the admin API or
// AutoPayAfter approves them, and the approval webhook follows. Cancels are
// accepted at once and complete after CancelCompleteAfter (or by an admin
// call); the cancellation webhook follows.
package sandbox

import (
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/kicc-mock/kicc-mock/clock"
	"github.com/kicc-mock/kicc-mock/httpio"
	"github.com/kicc-mock/kicc-mock/kicc"
	"github.com/kicc-mock/kicc-mock/metrics"
	"github.com/kicc-mock/kicc-mock/store"
)

// DefaultCancelCompleteAfter is how long an accepted cancel stays pending.
const DefaultCancelCompleteAfter = 2 * time.Second

// DefaultMaxTransactions bounds the in-memory transaction store.
const DefaultMaxTransactions = 1_000_000

// Config configures the sandbox. The zero value is a working sandbox:
// manual payment, cancels complete after 2 s, webhooks with the default
// retry intervals, no msgAuthValue check.
type Config struct {
	// SecretKey, when set, checks the revise's msgAuthValue (1040 on a
	// mismatch): lowercase hex HMAC-SHA256 of "pgCno|shopTransactionId".
	SecretKey string
	// PublicURL is the mock's base URL in paymentPageUrl. Empty means the
	// address the request's connection was accepted on (the listening
	// address), never the request's Host header: a client can send any
	// Host, and a payment page URL pointing at it is an open redirect.
	PublicURL string
	// AutoPayAfter approves created payments by itself after this long; 0
	// leaves them to the payment page and the admin API.
	AutoPayAfter time.Duration
	// CancelCompleteAfter is how long a cancel stays pending
	// (DefaultCancelCompleteAfter when 0; negative: only the admin API
	// completes it).
	CancelCompleteAfter time.Duration
	// UnpaidStatus is the statusCd find answers for a payment created but
	// not paid yet; KICC documents none, and empty (the default) leaves
	// statusCd out of the answer.
	UnpaidStatus kicc.Status
	// StrictTransactions makes find answer 1020 for ids the sandbox never
	// issued, instead of a realistic default answer.
	StrictTransactions bool
	// Transactions holds payments and cancels; nil means in memory, at most
	// MaxTransactions payments (DefaultMaxTransactions when 0).
	Transactions    store.Transactions
	MaxTransactions int
	// WebhookRetryIntervals are the waits between resends, the last one
	// repeating (DefaultWebhookRetryIntervals when empty).
	WebhookRetryIntervals []time.Duration
	// WebhookTimeout is the receiver's ack deadline (10 s when 0).
	WebhookTimeout time.Duration
	// WebhookMaxResends after the first send (15, KICC's, when 0).
	WebhookMaxResends int
	// WebhookAllow is where webhooks may go; the zero value allows any
	// host. A notification to another host is journaled "refused" and not
	// sent.
	WebhookAllow AllowList
	// WebhookConcurrency and WebhookHostConcurrency bound the sends in
	// flight, all together and to one receiver (scheme, host and port);
	// WebhookQueue and WebhookHostQueue the notifications held, waiting,
	// in flight or waiting for a resend; WebhookJournalSize the attempts
	// journaled. DefaultWebhook* when 0.
	WebhookConcurrency     int
	WebhookHostConcurrency int
	WebhookQueue           int
	WebhookHostQueue       int
	WebhookJournalSize     int
}

// Deps is what the sandbox takes from the server it runs in.
type Deps struct {
	Clock    *clock.Adjustable
	Log      *slog.Logger
	IDs      *kicc.IDGenerator
	Messages kicc.Messages
	Version  string // sent in the webhooks' User-Agent
	// Metrics counts webhook attempts; nil counts none.
	Metrics *metrics.Metrics
}

// Sandbox is the stateful sandbox.
type Sandbox struct {
	cfg    Config
	clock  *clock.Adjustable
	log    *slog.Logger
	ids    *kicc.IDGenerator
	msgs   kicc.Messages
	trades store.Transactions
	gen    atomic.Uint64 // bumped by Reset: pending timers of before do nothing
	hooks  *dispatcher
	stop   chan struct{}
	// metrics counts webhook attempts as they are journaled.
	metrics *metrics.Metrics
}

// New applies cfg's defaults and starts the webhook dispatcher.
func New(cfg Config, d Deps) *Sandbox {
	if cfg.CancelCompleteAfter == 0 {
		cfg.CancelCompleteAfter = DefaultCancelCompleteAfter
	}
	if cfg.MaxTransactions <= 0 {
		cfg.MaxTransactions = DefaultMaxTransactions
	}
	if cfg.Transactions == nil {
		cfg.Transactions = store.NewMemoryTransactions(cfg.MaxTransactions)
	}
	if len(cfg.WebhookRetryIntervals) == 0 {
		cfg.WebhookRetryIntervals = DefaultWebhookRetryIntervals
	}
	if cfg.WebhookTimeout <= 0 {
		cfg.WebhookTimeout = kicc.WebhookAckDeadline
	}
	if cfg.WebhookMaxResends <= 0 {
		cfg.WebhookMaxResends = kicc.WebhookMaxResends
	}
	if cfg.WebhookConcurrency <= 0 {
		cfg.WebhookConcurrency = DefaultWebhookConcurrency
	}
	if cfg.WebhookHostConcurrency <= 0 {
		cfg.WebhookHostConcurrency = DefaultWebhookHostConcurrency
	}
	if cfg.WebhookQueue <= 0 {
		cfg.WebhookQueue = DefaultWebhookQueue
	}
	if cfg.WebhookHostQueue <= 0 {
		cfg.WebhookHostQueue = DefaultWebhookHostQueue
	}
	if cfg.WebhookJournalSize <= 0 {
		cfg.WebhookJournalSize = DefaultWebhookJournalSize
	}
	s := &Sandbox{cfg: cfg, clock: d.Clock, log: d.Log, ids: d.IDs, msgs: d.Messages, trades: cfg.Transactions, stop: make(chan struct{}),
		metrics: d.Metrics}
	s.hooks = newDispatcher(s, d.Version)
	return s
}

// Config is the sandbox's configuration, defaults applied.
func (s *Sandbox) Config() Config { return s.cfg }

// Transactions is the sandbox's store.
func (s *Sandbox) Transactions() store.Transactions { return s.trades }

// Close stops the dispatcher and every pending timer.
func (s *Sandbox) Close() {
	select {
	case <-s.stop:
	default:
		close(s.stop)
	}
	s.hooks.close()
}

// Reset forgets every payment, cancel, pending timer and webhook.
func (s *Sandbox) Reset() {
	s.gen.Add(1)
	s.trades.Reset()
	s.hooks.reset()
}

// after runs f once d has passed on the clock, unless the sandbox closes or
// is reset first.
func (s *Sandbox) after(d time.Duration, f func()) {
	gen := s.gen.Load()
	go func() {
		select {
		case <-s.clock.After(d):
			if s.gen.Load() == gen {
				f()
			}
		case <-s.stop:
		}
	}()
}

// Approve marks a created payment paid and sends its approval webhook.
// It returns store.ErrNotFound or store.ErrState (not waiting for payment).
func (s *Sandbox) Approve(pgCno string) (store.Payment, error) {
	now := s.clock.Now()
	p, err := s.trades.Approve(pgCno, now)
	if err != nil {
		return p, err
	}
	body, _ := httpio.Marshal(ApprovalNotification(&p, now))
	s.notify(WebhookApproval, p.NotifyURL, p.PgCno, "", body, p.Webhook, p.Scenario)
	return p, nil
}

// Void marks a created payment abandoned by the customer: find answers TS12
// and no webhook is sent.
func (s *Sandbox) Void(pgCno string) (store.Payment, error) {
	return s.trades.Void(pgCno, s.clock.Now())
}

// CompleteCancel completes a pending cancel and sends its cancellation
// webhook.
func (s *Sandbox) CompleteCancel(cancelPgCno string) (store.Cancel, error) {
	now := s.clock.Now()
	c, p, err := s.trades.CompleteCancel(cancelPgCno, now)
	if err != nil {
		return c, err
	}
	note := CancelNotification(&p, &c, now)
	if c.State == store.CancelFailed {
		// WeChat refused the refund: KICC's notification reports the failure
		// (its resCd; nothing was cancelled).
		note.ResCd, note.ResMsg = c.Webhook.FailResCd, s.msgs.Message(c.Webhook.FailResCd, "")
		note.AmountInfo.Amount = 0
	}
	body, _ := httpio.Marshal(note)
	s.notify(WebhookCancel, c.NotifyURL, c.PgCno, c.CancelPgCno, body, c.Webhook, c.Scenario)
	return c, nil
}

func (s *Sandbox) notify(kind, url, pgCno, cancelPgCno string, body []byte, plan store.WebhookPlan, scenario string) {
	switch {
	case url == "":
		s.hooks.dropped(kind, url, pgCno, cancelPgCno, body, "no notifyUrl in the request")
	case plan.Drop:
		s.hooks.dropped(kind, url, pgCno, cancelPgCno, body, "dropped by scenario "+scenario)
	default:
		s.hooks.send(kind, url, pgCno, cancelPgCno, body, plan.Delay)
	}
}

// PaymentStatus is what find reports for a recorded payment: "" while it
// waits for the customer, TS12 when voided, else by the completed cancels.
func PaymentStatus(p *store.Payment) kicc.Status {
	switch p.State {
	case store.PaymentCreated:
		return ""
	case store.PaymentVoided:
		return kicc.StatusVoided
	}
	switch done, _ := p.Cancelled(); {
	case done >= p.Amount:
		return kicc.StatusCancelled
	case done > 0:
		return kicc.StatusPartCancelled
	}
	return kicc.StatusApproved
}

// CancelStatus is what find reports for a recorded cancel: TS01 while
// pending (KICC lists no "in progress" code), then TS02 for a full cancel or
// TS06 for a partial one.
func CancelStatus(c *store.Cancel) kicc.Status {
	switch {
	case c.State == store.CancelPending, c.State == store.CancelFailed: // a failed cancel cancelled nothing
		return kicc.StatusApproved
	case c.ReviseTypeCode == kicc.ReviseFull:
		return kicc.StatusCancelled
	}
	return kicc.StatusPartCancelled
}

// Find answers a find request from the sandbox's state when it knows the
// id: the recorded status, or 1020 when the ids do not belong together.
// ok is false for ids it never issued, unless StrictTransactions makes
// those a 1020 too.
func (s *Sandbox) Find(req *kicc.FindRequest) (answer httpio.Appender, refusal *kicc.FieldError, ok bool) {
	answer, refusal, ok = s.recorded(req)
	if !ok && s.cfg.StrictTransactions {
		field := "pgCno"
		if req.IsCancel() {
			field = "cancelPgCno"
		}
		return nil, &kicc.FieldError{ResCd: kicc.ResNotFound, Field: field}, true
	}
	return answer, refusal, ok
}

func (s *Sandbox) recorded(req *kicc.FindRequest) (httpio.Appender, *kicc.FieldError, bool) {
	if s.trades.Len() == 0 {
		return nil, nil, false
	}
	msg := s.msgs.Message(kicc.ResOK, "")
	if req.IsCancel() {
		notFound := &kicc.FieldError{ResCd: kicc.ResNotFound, Field: "cancelPgCno"}
		c, ok := s.trades.Cancel(req.CancelPgCno)
		if !ok {
			if _, known := s.trades.Payment(req.PgCno); known {
				return nil, notFound, true
			}
			return nil, nil, false
		}
		if c.PgCno != req.PgCno || c.MallID != req.MallID {
			return nil, notFound, true
		}
		p, _ := s.trades.Payment(c.PgCno)
		st := CancelStatus(&c)
		r := &kicc.CancelStatusResponse{ResCd: kicc.ResOK, ResMsg: msg, ShopTransactionID: req.ShopTransactionID,
			MallID: req.MallID, PgCno: req.PgCno, CancelPgCno: req.CancelPgCno,
			TransactionDate: kicc.FormatDateTime(c.RequestedAt), CancelStatus: st,
			AmountInfo: &kicc.CancelAmountInfo{Currency: p.Currency}}
		if st != kicc.StatusApproved {
			r.TransactionDate = kicc.FormatDateTime(c.CompletedAt)
			r.AmountInfo.TotAmount = c.Amount
		}
		return r, nil, true
	}
	p, ok := s.trades.Payment(req.PgCno)
	if !ok {
		return nil, nil, false
	}
	if p.MallID != req.MallID {
		return nil, &kicc.FieldError{ResCd: kicc.ResNotFound, Field: "pgCno"}, true
	}
	r := &kicc.PaymentStatusResponse{ResCd: kicc.ResOK, ResMsg: msg, ShopTransactionID: req.ShopTransactionID,
		MallID: req.MallID, ShopOrderNo: p.ShopOrderNo, PgCno: p.PgCno, StatusCd: PaymentStatus(&p),
		AmountInfo: &kicc.PaymentAmountInfo{Currency: p.Currency, Amount: p.Amount}}
	if r.StatusCd == "" {
		r.StatusCd = s.cfg.UnpaidStatus
	}
	if !p.ApprovedAt.IsZero() {
		r.ApprovalDate = kicc.FormatDateTime(p.ApprovedAt)
	}
	return r, nil, true
}

// PaymentPageURL is what create answers for p: for native a WeChat code URL
// whose pr is the pgCno (the page itself is in GET /__admin/transactions),
// for mweb the mock's own payment page.
func (s *Sandbox) PaymentPageURL(r *http.Request, p *store.Payment) string {
	if p.TradeType == kicc.TradeTypeNative {
		return "weixin://wxpay/bizpayurl?pr=" + p.PgCno
	}
	return s.PayPageURL(r, p.PgCno)
}

// PayPageURL is the mock's payment page of pgCno: Config.PublicURL, or the
// local address of the connection r came on.
func (s *Sandbox) PayPageURL(r *http.Request, pgCno string) string {
	base := s.cfg.PublicURL
	if base == "" {
		base = localBaseURL(r)
	}
	return strings.TrimRight(base, "/") + PathPayPage + pgCno
}

// localBaseURL is the base URL of the address r's connection was accepted
// on. Without one (a handler called directly, as in unit tests) it is
// http://127.0.0.1, never r.Host, which the client chooses.
func localBaseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	addr, _ := r.Context().Value(http.LocalAddrContextKey).(net.Addr)
	if addr == nil {
		return scheme + "://127.0.0.1"
	}
	return scheme + "://" + httpio.DialAddr(addr.String())
}
