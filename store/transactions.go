package store

import (
	"errors"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// Errors of Transactions. The server maps each to a KICC resCd.
var (
	ErrNotFound      = errors.New("no such transaction")
	ErrOrderExists   = errors.New("shopOrderNo already used by this mallId")
	ErrNotPaid       = errors.New("payment is not approved")
	ErrOverCancel    = errors.New("cancel amount exceeds what remains")
	ErrAllCancelled  = errors.New("payment is already fully cancelled")
	ErrState         = errors.New("transaction is not in a state that allows this")
	ErrTooManyTrades = errors.New("transaction store is full")
)

// PaymentState is where a created payment stands.
type PaymentState string

// The payment states. Cancels do not change the state: how much was
// cancelled is read from the payment's cancels.
const (
	PaymentCreated PaymentState = "created" // waiting for the customer
	PaymentPaid    PaymentState = "paid"    // approved
	PaymentVoided  PaymentState = "voided"  // abandoned by the customer: a void (TS12)
)

// CancelState is where a cancellation stands.
type CancelState string

// Cancels are accepted at once and complete later, as KICC's do.
const (
	CancelPending   CancelState = "pending"
	CancelCompleted CancelState = "completed"
	// CancelFailed: WeChat refused the refund (a scenario's webhook fail);
	// the payment is as it was before the cancel.
	CancelFailed CancelState = "failed"
)

// Payment is a transaction made by Create Transaction.
type Payment struct {
	PgCno             string       `json:"pgCno"`
	MallID            string       `json:"mallId"`
	ShopOrderNo       string       `json:"shopOrderNo"`
	ShopTransactionID string       `json:"shopTransactionId"`
	GoodsName         string       `json:"goodsName"`
	TradeType         string       `json:"tradeType"`
	ReturnURL         string       `json:"returnUrl"`
	NotifyURL         string       `json:"notifyUrl"`
	Currency          string       `json:"currency"`
	Amount            int64        `json:"amount"`
	State             PaymentState `json:"state"`
	CreatedAt         time.Time    `json:"createdAt"`
	ApprovedAt        time.Time    `json:"approvedAt,omitzero"`
	VoidedAt          time.Time    `json:"voidedAt,omitzero"`
	// Scenario is the scenario that answered the create request, if any.
	Scenario string `json:"scenario,omitempty"`
	// Webhook is how the approval webhook goes out (a scenario may script it).
	Webhook WebhookPlan `json:"webhook,omitzero"`
	Cancels []Cancel    `json:"cancels"`
}

// Cancelled sums the completed cancels; Reserved adds the pending ones.
func (p *Payment) Cancelled() (completed, reserved int64) {
	for _, c := range p.Cancels {
		if c.State == CancelFailed {
			continue
		}
		reserved += c.Amount
		if c.State == CancelCompleted {
			completed += c.Amount
		}
	}
	return completed, reserved
}

// Cancel is a cancellation made by Cancel Payment.
type Cancel struct {
	CancelPgCno       string      `json:"cancelPgCno"`
	PgCno             string      `json:"pgCno"`
	MallID            string      `json:"mallId"`
	ShopTransactionID string      `json:"shopTransactionId"`
	ReviseTypeCode    string      `json:"reviseTypeCode"`
	Amount            int64       `json:"amount"`
	NotifyURL         string      `json:"notifyUrl,omitempty"`
	State             CancelState `json:"state"`
	RequestedAt       time.Time   `json:"requestedAt"`
	CompletedAt       time.Time   `json:"completedAt,omitzero"`
	Scenario          string      `json:"scenario,omitempty"`
	Webhook           WebhookPlan `json:"webhook,omitzero"`
}

// WebhookPlan is a scripted change to a transaction's webhook: never sent,
// or sent late.
type WebhookPlan struct {
	Drop  bool          `json:"drop,omitempty"`
	Delay time.Duration `json:"delay,omitempty"`
	// FailResCd, for a cancel, makes it fail: the notification carries this
	// resCd and the cancel does not take effect.
	FailResCd string `json:"failResCd,omitempty"`
}

// Transactions holds the sandbox's payments and cancels. Every method is
// safe for concurrent use; each check-and-change is atomic.
type Transactions interface {
	// Create records a new payment; ErrOrderExists when its mallId already
	// used its shopOrderNo.
	Create(p Payment) error
	// Payment and Cancel look an id up; both are cheap on an empty store.
	Payment(pgCno string) (Payment, bool)
	Cancel(cancelPgCno string) (Cancel, bool)
	// Approve marks a created payment paid; Void marks it voided. Either
	// answers ErrState when the payment is no longer created.
	Approve(pgCno string, at time.Time) (Payment, error)
	Void(pgCno string, at time.Time) (Payment, error)
	// AddCancel records a pending cancel of c.PgCno. full cancels what
	// remains (c.Amount is set); otherwise c.Amount must fit in it.
	AddCancel(c Cancel, full bool) (Cancel, error)
	// CompleteCancel completes a pending cancel; ErrState when it is done.
	CompleteCancel(cancelPgCno string, at time.Time) (Cancel, Payment, error)
	// List returns every payment, newest first.
	List() []Payment
	Len() int
	Reset()
}

// NewMemoryTransactions returns an in-memory store of at most max payments
// (no limit when max <= 0).
func NewMemoryTransactions(max int) Transactions {
	return &memTransactions{max: max, pay: map[string]*Payment{}, cancel: map[string]string{}, orders: map[string]string{}}
}

type memTransactions struct {
	mu     sync.RWMutex
	n      atomic.Int64 // payments held, read without the lock by lookups
	max    int
	pay    map[string]*Payment
	cancel map[string]string // cancelPgCno -> pgCno
	orders map[string]string // mallId NUL shopOrderNo -> pgCno
}

func (m *memTransactions) Create(p Payment) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.max > 0 && len(m.pay) >= m.max {
		return ErrTooManyTrades
	}
	ok := p.MallID + "\x00" + p.ShopOrderNo
	if _, dup := m.orders[ok]; dup {
		return ErrOrderExists
	}
	if _, dup := m.pay[p.PgCno]; dup {
		return ErrState
	}
	p.Cancels = nil
	m.orders[ok] = p.PgCno
	m.pay[p.PgCno] = &p
	m.n.Add(1)
	return nil
}

func (m *memTransactions) Payment(pgCno string) (Payment, bool) {
	if m.n.Load() == 0 {
		return Payment{}, false
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	p, ok := m.pay[pgCno]
	if !ok {
		return Payment{}, false
	}
	return p.clone(), true
}

func (m *memTransactions) Cancel(cancelPgCno string) (Cancel, bool) {
	if m.n.Load() == 0 {
		return Cancel{}, false
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	pg, ok := m.cancel[cancelPgCno]
	if !ok {
		return Cancel{}, false
	}
	p := m.pay[pg]
	i := p.cancelIndex(cancelPgCno)
	return p.Cancels[i], true
}

func (m *memTransactions) Approve(pgCno string, at time.Time) (Payment, error) {
	return m.settle(pgCno, func(p *Payment) { p.State, p.ApprovedAt = PaymentPaid, at })
}

func (m *memTransactions) Void(pgCno string, at time.Time) (Payment, error) {
	return m.settle(pgCno, func(p *Payment) { p.State, p.VoidedAt = PaymentVoided, at })
}

func (m *memTransactions) settle(pgCno string, f func(p *Payment)) (Payment, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	p, ok := m.pay[pgCno]
	switch {
	case !ok:
		return Payment{}, ErrNotFound
	case p.State != PaymentCreated:
		return p.clone(), ErrState
	}
	f(p)
	return p.clone(), nil
}

func (m *memTransactions) AddCancel(c Cancel, full bool) (Cancel, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	p, ok := m.pay[c.PgCno]
	if !ok || p.MallID != c.MallID {
		return Cancel{}, ErrNotFound
	}
	if p.State != PaymentPaid {
		return Cancel{}, ErrNotPaid
	}
	if _, dup := m.cancel[c.CancelPgCno]; dup {
		return Cancel{}, ErrState
	}
	_, reserved := p.Cancelled()
	remain := p.Amount - reserved
	switch {
	case remain <= 0:
		return Cancel{}, ErrAllCancelled
	case full:
		c.Amount = remain
	case c.Amount > remain:
		return Cancel{}, ErrOverCancel
	}
	c.State = CancelPending
	p.Cancels = append(p.Cancels, c)
	m.cancel[c.CancelPgCno] = p.PgCno
	return c, nil
}

func (m *memTransactions) CompleteCancel(cancelPgCno string, at time.Time) (Cancel, Payment, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	pg, ok := m.cancel[cancelPgCno]
	if !ok {
		return Cancel{}, Payment{}, ErrNotFound
	}
	p := m.pay[pg]
	c := &p.Cancels[p.cancelIndex(cancelPgCno)]
	if c.State != CancelPending {
		return *c, p.clone(), ErrState
	}
	c.State, c.CompletedAt = CancelCompleted, at
	if c.Webhook.FailResCd != "" {
		c.State = CancelFailed
	}
	return *c, p.clone(), nil
}

func (m *memTransactions) List() []Payment {
	m.mu.RLock()
	out := make([]Payment, 0, len(m.pay))
	for _, p := range m.pay {
		out = append(out, p.clone())
	}
	m.mu.RUnlock()
	sort.Slice(out, func(i, j int) bool {
		if !out[i].CreatedAt.Equal(out[j].CreatedAt) {
			return out[i].CreatedAt.After(out[j].CreatedAt)
		}
		return out[i].PgCno > out[j].PgCno
	})
	return out
}

func (m *memTransactions) Len() int { return int(m.n.Load()) }

func (m *memTransactions) Reset() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.pay = map[string]*Payment{}
	m.cancel = map[string]string{}
	m.orders = map[string]string{}
	m.n.Store(0)
}

func (p *Payment) clone() Payment {
	c := *p
	c.Cancels = slices.Clone(p.Cancels)
	if c.Cancels == nil {
		c.Cancels = []Cancel{}
	}
	return c
}

func (p *Payment) cancelIndex(cancelPgCno string) int {
	for i := range p.Cancels {
		if p.Cancels[i].CancelPgCno == cancelPgCno {
			return i
		}
	}
	return -1
}
