package server

import (
	"crypto/hmac"
	"errors"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/kicc-mock/kicc-mock/clock"
	"github.com/kicc-mock/kicc-mock/kicc"
	"github.com/kicc-mock/kicc-mock/scenarios"
	"github.com/kicc-mock/kicc-mock/store"
)

// The sandbox: create, pay, cancel, webhooks, and the state find answers
// from. Payments are created unpaid; the payment page, the admin API or
// --auto-pay-after approves them, and the approval webhook follows. Cancels
// are accepted at once and complete after --cancel-complete-after (or by
// admin call); the cancellation webhook follows.

// DefaultCancelCompleteAfter is how long an accepted cancel stays pending.
const DefaultCancelCompleteAfter = 2 * time.Second

// DefaultMaxTransactions bounds the in-memory transaction store.
const DefaultMaxTransactions = 1_000_000

// SandboxConfig configures the sandbox; it is embedded in Config. The zero
// value is a working sandbox: manual payment, cancels complete after 2 s,
// webhooks with the default retry intervals, no msgAuthValue check.
type SandboxConfig struct {
	// SecretKey, when set, checks the revise's msgAuthValue (1040 on a
	// mismatch): lowercase hex HMAC-SHA256 of "pgCno|shopTransactionId".
	SecretKey string
	// PublicURL is the mock's base URL in paymentPageUrl; empty means the
	// scheme and host each request came to.
	PublicURL string
	// AutoPayAfter approves created payments by itself after this long; 0
	// leaves them to the payment page and the admin API.
	AutoPayAfter time.Duration
	// CancelCompleteAfter is how long a cancel stays pending
	// (DefaultCancelCompleteAfter when 0; negative: only the admin API
	// completes it).
	CancelCompleteAfter time.Duration
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
	// WebhookWorkers, WebhookQueue and WebhookJournalSize bound the
	// dispatcher (DefaultWebhook* when 0).
	WebhookWorkers     int
	WebhookQueue       int
	WebhookJournalSize int
}

// initSandbox applies SandboxConfig's defaults and starts the webhook
// dispatcher; New calls it.
func (s *Server) initSandbox() {
	c := &s.cfg.SandboxConfig
	if c.CancelCompleteAfter == 0 {
		c.CancelCompleteAfter = DefaultCancelCompleteAfter
	}
	if c.MaxTransactions <= 0 {
		c.MaxTransactions = DefaultMaxTransactions
	}
	if c.Transactions == nil {
		c.Transactions = store.NewMemoryTransactions(c.MaxTransactions)
	}
	if len(c.WebhookRetryIntervals) == 0 {
		c.WebhookRetryIntervals = DefaultWebhookRetryIntervals
	}
	if c.WebhookTimeout <= 0 {
		c.WebhookTimeout = kicc.WebhookAckDeadline
	}
	if c.WebhookMaxResends <= 0 {
		c.WebhookMaxResends = kicc.WebhookMaxResends
	}
	if c.WebhookWorkers <= 0 {
		c.WebhookWorkers = DefaultWebhookWorkers
	}
	if c.WebhookQueue <= 0 {
		c.WebhookQueue = DefaultWebhookQueue
	}
	if c.WebhookJournalSize <= 0 {
		c.WebhookJournalSize = DefaultWebhookJournalSize
	}
	s.trades = c.Transactions
	s.webhooks = newDispatcher(s)
	s.onReset(s.resetTransactions)
}

// sandboxRoutes registers the sandbox's KICC endpoints, payment pages and
// admin calls.
func (s *Server) sandboxRoutes(e *echo.Echo) {
	e.POST(kicc.PathCreate, s.handleCreate)
	e.POST(kicc.PathRevise, s.handleRevise)
	e.GET(PathPayPage+":pgCno", s.handlePayPage)
	e.POST(PathPayPage+":pgCno/pay", s.handlePayPagePay)
	e.POST(PathPayPage+":pgCno/cancel", s.handlePayPageCancel)
	e.GET("/__admin/transactions", s.handleListTransactions)
	e.GET("/__admin/transactions/:id", s.handleGetTransaction)
	e.POST("/__admin/transactions/:id/pay", s.handlePayTransaction)
	e.POST("/__admin/transactions/:id/void", s.handleVoidTransaction)
	e.POST("/__admin/transactions/:id/complete", s.handleCompleteCancel)
	e.GET("/__admin/webhooks", s.handleGetWebhooks)
}

// createFields serves a create request's fields to match rules and templates.
type createFields kicc.CreateRequest

func (f *createFields) Field(name string) (string, bool) {
	switch name {
	case "mallId":
		return f.MallID, true
	case "shopTransactionId":
		return f.ShopTransactionID, true
	case "shopOrderNo":
		return f.ShopOrderNo, true
	case "goodsName":
		return f.GoodsName, true
	case "tradeType":
		return f.TradeType, true
	case "returnUrl":
		return f.ReturnURL, true
	case "notifyUrl":
		return f.NotifyURL, true
	case "amountInfo.currency":
		return f.AmountInfo.Currency, true
	case "amountInfo.totalAmount":
		return strconv.FormatInt(*f.AmountInfo.TotalAmount, 10), true
	}
	return "", false
}

// reviseFields serves a revise request's fields.
type reviseFields kicc.ReviseRequest

func (f *reviseFields) Field(name string) (string, bool) {
	switch name {
	case "mallId":
		return f.MallID, true
	case "shopTransactionId":
		return f.ShopTransactionID, true
	case "pgCno":
		return f.PgCno, true
	case "reviseTypeCode":
		return f.ReviseTypeCode, true
	case "cancelReqDate":
		return f.CancelReqDate, true
	case "notifyUrl":
		return f.NotifyURL, f.NotifyURL != ""
	case "memo":
		return f.Memo, f.Memo != ""
	case "regId":
		return f.RegID, f.RegID != ""
	case "amountInfo.totAmount":
		if f.AmountInfo != nil && f.AmountInfo.TotAmount != nil {
			return strconv.FormatInt(*f.AmountInfo.TotAmount, 10), true
		}
	}
	return "", false
}

// scripted is the outcome of a scenario on create or revise: either the
// request was answered (done), or it proceeds with the response's webhook
// plan and body overlay.
type scripted struct {
	done bool
	err  error
	resp *scenarios.Response
	sc   *scenarios.Scenario
	over scenarios.Object // the response's body, rendered
}

// script applies scenario sc (nil: none) to a create or revise request: its
// delay, then a fault, a non-200 status or a KICC error answer (nothing is
// recorded), or a success that proceeds.
func (s *Server) script(c echo.Context, sc *scenarios.Scenario, f scenarios.Fields, errBody func(resCd string) any) scripted {
	if sc == nil {
		return scripted{}
	}
	c.Set(ScenarioKey, sc.Name)
	noteScenario(c, sc.Name)
	c.Response().Header().Set(ScenarioHeader, sc.Name)
	n := 0
	if sc.IsSequence() {
		key := ""
		if sc.SequenceKey != "" {
			key, _ = f.Field(sc.SequenceKey)
		}
		n = s.sequences.Next(sc.Name, key)
	}
	resp := sc.Response(n)
	if d := min(resp.Delay.Pick(rand.Int64N), s.cfg.MaxDelay); d > 0 {
		if err := clock.Sleep(c.Request().Context(), s.clock, d); err != nil {
			c.Response().Status = StatusClientClosed
			return scripted{done: true}
		}
	}
	now := s.clock.Now()
	env := &scenarios.Env{Request: f, Now: now, NewID: func() string { return s.ids.Next(now) }, Faker: s.faker(sc.Name)}
	over := resp.Body.RenderObject(env)
	if resp.Fault != "" {
		fl, ok := faults[resp.Fault]
		if !ok {
			return scripted{done: true, err: &httpError{Status: http.StatusInternalServerError, Message: "fault " + resp.Fault + " is not implemented"}}
		}
		return scripted{done: true, err: fl.Apply(c, &FaultEnv{Clock: s.clock, Hang: s.cfg.HangDuration, Stopping: s.stopping, Answer: over.AppendJSON(nil)})}
	}
	if st := resp.HTTPStatus(); st != http.StatusOK {
		body := over.AppendJSON(nil)
		if resp.Body == nil {
			body = (&httpError{Status: st, Message: "scripted by scenario " + sc.Name}).body()
		}
		return scripted{done: true, err: writeJSON(c, st, body)}
	}
	if resCd := over.String("resCd"); resCd != "" && resCd != kicc.ResOK {
		return scripted{done: true, err: writeJSON(c, http.StatusOK, scenarios.Merge(toObject(errBody(resCd)), over).AppendJSON(nil))}
	}
	return scripted{resp: resp, sc: sc, over: over}
}

// answer writes a success answer v with the scenario's body laid over it.
func (p scripted) answer(c echo.Context, v any) ([]byte, error) {
	var b []byte
	var err error
	if p.resp != nil && p.resp.Body != nil {
		b = scenarios.Merge(toObject(v), p.over).AppendJSON(nil)
	} else if b, err = jsonMarshal(v); err != nil {
		return nil, err
	}
	return b, writeJSON(c, http.StatusOK, b)
}

func (p scripted) plan() store.WebhookPlan {
	if p.resp == nil || p.resp.Webhook == nil {
		return store.WebhookPlan{}
	}
	w := p.resp.Webhook
	plan := store.WebhookPlan{Drop: w.Drop, Delay: w.Delay}
	if w.Fail {
		plan.FailResCd = w.FailResCd
	}
	return plan
}

func (p scripted) name() string {
	if p.sc == nil {
		return ""
	}
	return p.sc.Name
}

// headerScenario reads X-KICC-Mock-Scenario for ep: nil when absent, a 400
// when unknown or for another endpoint.
func headerScenario(c echo.Context, set *scenarios.Set, ep scenarios.Endpoint) (*scenarios.Scenario, error) {
	h := c.Request().Header[ScenarioHeader]
	if len(h) == 0 || h[0] == "" {
		return nil, nil
	}
	sc := set.Lookup(h[0])
	if sc == nil {
		return nil, unknownScenario(h[0], set)
	}
	if !sc.AppliesTo(ep) {
		return nil, wrongEndpoint(sc, ep)
	}
	return sc, nil
}

// handleCreate serves POST /api/trades/wechatpay (Create Transaction), with
// find's order of checks: header, body, field rules, mallId, key, scenario,
// then the sandbox's own rule (shopOrderNo unique per mallId).
func (s *Server) handleCreate(c echo.Context) error {
	st := s.scen.Load()
	forced, err := headerScenario(c, st.set, scenarios.Create)
	if err != nil {
		return err
	}
	var req kicc.CreateRequest
	if err := s.decodeBody(c, &req); err != nil {
		var fe *kicc.FieldError
		if errors.As(err, &fe) {
			return s.createError(c, &req, fe.ResCd, fe.Field)
		}
		return err
	}
	if fe := req.Validate(); fe != nil {
		return s.createError(c, &req, fe.ResCd, fe.Field)
	}
	if s.malls != nil && !s.malls[req.MallID] {
		return s.createError(c, &req, kicc.ResMall, "mallId")
	}
	now := s.clock.Now()
	fp := s.fingerprint(kicc.PathCreate, req.MallID, req.ShopTransactionID, req.ShopOrderNo, req.GoodsName,
		req.ReturnURL, req.TradeType, req.NotifyURL, req.AmountInfo.Currency, strconv.FormatInt(*req.AmountInfo.TotalAmount, 10))
	out := s.claimKey(now, req.MallID, req.ShopTransactionID, fp)
	switch {
	case out.replay != nil:
		return writeJSON(c, http.StatusOK, out.replay)
	case !out.proceed:
		return s.createError(c, &req, out.resCd, out.detail)
	}
	sc := forced
	if sc == nil {
		sc = st.set.Select(scenarios.Create, req.ShopOrderNo, (*createFields)(&req))
	}
	p := s.script(c, sc, (*createFields)(&req), func(resCd string) any { return s.createErrorBody(&req, resCd, "") })
	if p.done {
		return p.err
	}
	now = s.clock.Now()
	pay := store.Payment{
		PgCno: s.ids.Next(now), MallID: req.MallID, ShopOrderNo: req.ShopOrderNo,
		ShopTransactionID: req.ShopTransactionID, GoodsName: req.GoodsName, TradeType: req.TradeType,
		ReturnURL: req.ReturnURL, NotifyURL: req.NotifyURL, Currency: req.AmountInfo.Currency,
		Amount: *req.AmountInfo.TotalAmount, State: store.PaymentCreated, CreatedAt: now,
		Scenario: p.name(), Webhook: p.plan(),
	}
	switch err := s.trades.Create(pay); {
	case errors.Is(err, store.ErrOrderExists):
		return s.createError(c, &req, kicc.ResOrderDup, "shopOrderNo")
	case err != nil:
		return s.createError(c, &req, kicc.ResSystem, err.Error())
	}
	b, err := p.answer(c, &kicc.CreateResponse{
		ResCd: kicc.ResOK, ResMsg: s.cfg.Messages.Message(kicc.ResOK, ""), ShopTransactionID: req.ShopTransactionID,
		MallID: req.MallID, ShopOrderNo: req.ShopOrderNo, PgCno: pay.PgCno,
		PaymentPageURL: s.paymentPageURL(c, &pay),
	})
	if err == nil {
		_ = s.settleKey(now, req.MallID, req.ShopTransactionID, b) // answered already; on failure the key stays used
	}
	if s.cfg.AutoPayAfter > 0 {
		s.after(s.cfg.AutoPayAfter, func() { _, _ = s.Approve(pay.PgCno) })
	}
	return err
}

// paymentPageURL is what create answers: for native a WeChat code URL whose
// pr is the pgCno (the page itself is in GET /__admin/transactions), for
// mweb the mock's own payment page.
func (s *Server) paymentPageURL(c echo.Context, p *store.Payment) string {
	if p.TradeType == kicc.TradeTypeNative {
		return "weixin://wxpay/bizpayurl?pr=" + p.PgCno
	}
	return s.payPageURL(c, p.PgCno)
}

// payPageURL is the mock's payment page of pgCno: Config.PublicURL, or the
// scheme and host the request came to.
func (s *Server) payPageURL(c echo.Context, pgCno string) string {
	base := s.cfg.PublicURL
	if base == "" {
		base = c.Scheme() + "://" + c.Request().Host
	}
	return strings.TrimRight(base, "/") + PathPayPage + pgCno
}

func (s *Server) createErrorBody(req *kicc.CreateRequest, resCd, field string) *kicc.CreateResponse {
	msg := s.cfg.Messages.Message(resCd, field)
	if msg == "" {
		msg = "오류"
	}
	return &kicc.CreateResponse{ResCd: resCd, ResMsg: msg, ShopTransactionID: req.ShopTransactionID,
		MallID: req.MallID, ShopOrderNo: req.ShopOrderNo}
}

func (s *Server) createError(c echo.Context, req *kicc.CreateRequest, resCd, field string) error {
	return writeValue(c, http.StatusOK, s.createErrorBody(req, resCd, field))
}

// decodeBody reads and decodes a KICC request; errors are an *httpError or
// a *kicc.FieldError (a wrong JSON type).
func (s *Server) decodeBody(c echo.Context, v any) error {
	buf, err := s.readJSONBody(c)
	if err != nil {
		return err
	}
	err = kicc.Decode(buf.Bytes(), v)
	putBuffer(buf)
	var be *kicc.BodyError
	if errors.As(err, &be) {
		return &httpError{Status: http.StatusBadRequest, Message: be.Msg}
	}
	return err
}

// handleRevise serves POST /api/trades/wechatpay/revise (Cancel Payment):
// field rules, mallId, msgAuthValue (with --secret-key), key, scenario, then
// the transaction's own rules. It answers cancelPgCno at once; the cancel
// completes later.
func (s *Server) handleRevise(c echo.Context) error {
	st := s.scen.Load()
	forced, err := headerScenario(c, st.set, scenarios.Revise)
	if err != nil {
		return err
	}
	var req kicc.ReviseRequest
	if err := s.decodeBody(c, &req); err != nil {
		var fe *kicc.FieldError
		if errors.As(err, &fe) {
			return s.reviseError(c, &req, fe.ResCd, fe.Field)
		}
		return err
	}
	if fe := req.Validate(); fe != nil {
		return s.reviseError(c, &req, fe.ResCd, fe.Field)
	}
	if s.malls != nil && !s.malls[req.MallID] {
		return s.reviseError(c, &req, kicc.ResMall, "mallId")
	}
	if s.cfg.SecretKey != "" {
		want := kicc.MsgAuthValue(s.cfg.SecretKey, req.PgCno, req.ShopTransactionID)
		if !hmac.Equal([]byte(want), []byte(strings.ToLower(req.MsgAuthValue))) {
			return s.reviseError(c, &req, kicc.ResAuth, "msgAuthValue")
		}
	}
	now := s.clock.Now()
	var amt string
	if req.AmountInfo != nil && req.AmountInfo.TotAmount != nil {
		amt = strconv.FormatInt(*req.AmountInfo.TotAmount, 10)
	}
	fp := s.fingerprint(kicc.PathRevise, req.MallID, req.ShopTransactionID, req.PgCno, req.ReviseTypeCode, req.CancelReqDate, req.NotifyURL, amt)
	out := s.claimKey(now, req.MallID, req.ShopTransactionID, fp)
	switch {
	case out.replay != nil:
		return writeJSON(c, http.StatusOK, out.replay)
	case !out.proceed:
		return s.reviseError(c, &req, out.resCd, out.detail)
	}
	sc := forced
	if sc == nil {
		sc = st.set.Select(scenarios.Revise, req.Memo, (*reviseFields)(&req))
	}
	p := s.script(c, sc, (*reviseFields)(&req), func(resCd string) any { return s.reviseErrorBody(&req, resCd, "") })
	if p.done {
		return p.err
	}
	now = s.clock.Now()
	pay, ok := s.trades.Payment(req.PgCno)
	if !ok || pay.MallID != req.MallID {
		return s.reviseError(c, &req, kicc.ResNotFound, "pgCno")
	}
	// cancelReqDate: a retry sends the first attempt's date, so any day from
	// the payment's to today (KST) is accepted.
	if d := req.CancelReqDate; d > kicc.FormatDate(now) || d < kicc.FormatDate(pay.CreatedAt) {
		return s.reviseError(c, &req, kicc.ResFormat, "cancelReqDate")
	}
	cancel := store.Cancel{
		CancelPgCno: s.ids.Next(now), PgCno: req.PgCno, MallID: req.MallID, ShopTransactionID: req.ShopTransactionID,
		ReviseTypeCode: req.ReviseTypeCode, NotifyURL: req.NotifyURL, RequestedAt: now,
		Scenario: p.name(), Webhook: p.plan(),
	}
	if req.ReviseTypeCode == kicc.RevisePartial {
		if req.AmountInfo.Currency != pay.Currency {
			return s.reviseError(c, &req, kicc.ResFormat, "amountInfo.currency")
		}
		cancel.Amount = *req.AmountInfo.TotAmount
	}
	cancel, err = s.trades.AddCancel(cancel, req.ReviseTypeCode == kicc.ReviseFull)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return s.reviseError(c, &req, kicc.ResNotFound, "pgCno")
	case errors.Is(err, store.ErrNotPaid):
		return s.reviseError(c, &req, kicc.ResNotPaid, "")
	case errors.Is(err, store.ErrOverCancel):
		return s.reviseError(c, &req, kicc.ResOverCancel, "amountInfo.totAmount")
	case errors.Is(err, store.ErrAllCancelled):
		return s.reviseError(c, &req, kicc.ResAllCancelled, "")
	case err != nil:
		return s.reviseError(c, &req, kicc.ResSystem, err.Error())
	}
	b, err := p.answer(c, &kicc.ReviseResponse{
		ResCd: kicc.ResOK, ResMsg: s.cfg.Messages.Message(kicc.ResOK, ""), ShopTransactionID: req.ShopTransactionID,
		MallID: req.MallID, PgCno: req.PgCno, CancelPgCno: cancel.CancelPgCno,
	})
	if err == nil {
		_ = s.settleKey(now, req.MallID, req.ShopTransactionID, b) // answered already; on failure the key stays used
	}
	if d := s.cfg.CancelCompleteAfter; d > 0 {
		s.after(d, func() { _, _ = s.CompleteCancel(cancel.CancelPgCno) })
	}
	return err
}

func (s *Server) reviseErrorBody(req *kicc.ReviseRequest, resCd, field string) *kicc.ReviseResponse {
	msg := s.cfg.Messages.Message(resCd, field)
	if msg == "" {
		msg = "오류"
	}
	return &kicc.ReviseResponse{ResCd: resCd, ResMsg: msg, ShopTransactionID: req.ShopTransactionID,
		MallID: req.MallID, PgCno: req.PgCno}
}

func (s *Server) reviseError(c echo.Context, req *kicc.ReviseRequest, resCd, field string) error {
	return writeValue(c, http.StatusOK, s.reviseErrorBody(req, resCd, field))
}

// after runs f once d has passed on the clock, unless the server closes or
// is reset first.
func (s *Server) after(d time.Duration, f func()) {
	gen := s.tradeGen.Load()
	go func() {
		select {
		case <-s.clock.After(d):
			if s.tradeGen.Load() == gen {
				f()
			}
		case <-s.stopping:
		}
	}()
}

// Approve marks a created payment paid and sends its approval webhook.
// It returns store.ErrNotFound or store.ErrState (not waiting for payment).
func (s *Server) Approve(pgCno string) (store.Payment, error) {
	now := s.clock.Now()
	p, err := s.trades.Approve(pgCno, now)
	if err != nil {
		return p, err
	}
	body, _ := jsonMarshal(&kicc.ApprovalWebhook{
		ResCd: kicc.ResOK, ResMsg: "정상", MallID: p.MallID, ShopOrderNo: p.ShopOrderNo, PgCno: p.PgCno,
		ApprovalDate: kicc.FormatDateTime(now),
		AmountInfo:   &kicc.WebhookAmountInfo{Currency: p.Currency, Amount: p.Amount},
	})
	s.notify(WebhookApproval, p.NotifyURL, p.PgCno, "", body, p.Webhook, p.Scenario)
	return p, nil
}

// Void marks a created payment abandoned by the customer: find answers TS12
// and no webhook is sent.
func (s *Server) Void(pgCno string) (store.Payment, error) {
	return s.trades.Void(pgCno, s.clock.Now())
}

// CompleteCancel completes a pending cancel and sends its cancellation
// webhook.
func (s *Server) CompleteCancel(cancelPgCno string) (store.Cancel, error) {
	now := s.clock.Now()
	c, p, err := s.trades.CompleteCancel(cancelPgCno, now)
	if err != nil {
		return c, err
	}
	note := &kicc.CancelWebhook{
		ResCd: kicc.ResOK, ResMsg: "정상", MallID: p.MallID, ShopOrderNo: p.ShopOrderNo, PgCno: p.PgCno,
		CancelPgCno: c.CancelPgCno, CancelDate: kicc.FormatDateTime(now),
		AmountInfo: &kicc.WebhookAmountInfo{Currency: p.Currency, Amount: c.Amount},
	}
	if c.State == store.CancelFailed {
		// WeChat refused the refund: KICC's notification reports the failure
		// (its resCd; nothing was cancelled).
		note.ResCd, note.ResMsg = c.Webhook.FailResCd, s.cfg.Messages.Message(c.Webhook.FailResCd, "")
		note.AmountInfo.Amount = 0
	}
	body, _ := jsonMarshal(note)
	s.notify(WebhookCancel, c.NotifyURL, c.PgCno, c.CancelPgCno, body, c.Webhook, c.Scenario)
	return c, nil
}

func (s *Server) notify(kind, url, pgCno, cancelPgCno string, body []byte, plan store.WebhookPlan, scenario string) {
	switch {
	case url == "":
		s.webhooks.dropped(kind, url, pgCno, cancelPgCno, body, "no notifyUrl in the request")
	case plan.Drop:
		s.webhooks.dropped(kind, url, pgCno, cancelPgCno, body, "dropped by scenario "+scenario)
	default:
		s.webhooks.send(kind, url, pgCno, cancelPgCno, body, plan.Delay)
	}
}

// resetTransactions forgets every payment, cancel, pending timer and
// webhook.
func (s *Server) resetTransactions() {
	s.tradeGen.Add(1)
	s.trades.Reset()
	s.webhooks.reset()
}

// paymentStatus is what find reports for a recorded payment: "" while it
// waits for the customer, TS12 when voided, else by the completed cancels.
func paymentStatus(p *store.Payment) kicc.Status {
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

// cancelStatus is what find reports for a recorded cancel: TS01 while
// pending (KICC lists no "in progress" code), then TS02 for a full cancel or
// TS06 for a partial one.
func cancelStatus(c *store.Cancel) kicc.Status {
	switch {
	case c.State == store.CancelPending, c.State == store.CancelFailed: // a failed cancel cancelled nothing
		return kicc.StatusApproved
	case c.ReviseTypeCode == kicc.ReviseFull:
		return kicc.StatusCancelled
	}
	return kicc.StatusPartCancelled
}

// recordedFind answers a find request from the sandbox's state when it knows
// the id; ok is false for ids it never issued.
func (s *Server) recordedFind(req *kicc.FindRequest) (answer jsonAppender, ok bool) {
	if s.trades.Len() == 0 {
		return nil, false
	}
	msg := s.cfg.Messages.Message(kicc.ResOK, "")
	if req.IsCancel() {
		c, ok := s.trades.Cancel(req.CancelPgCno)
		if !ok {
			if _, known := s.trades.Payment(req.PgCno); known {
				return s.findErrorBody(req, kicc.ResNotFound, "cancelPgCno"), true
			}
			return nil, false
		}
		if c.PgCno != req.PgCno || c.MallID != req.MallID {
			return s.findErrorBody(req, kicc.ResNotFound, "cancelPgCno"), true
		}
		p, _ := s.trades.Payment(c.PgCno)
		st := cancelStatus(&c)
		r := &kicc.CancelStatusResponse{ResCd: kicc.ResOK, ResMsg: msg, ShopTransactionID: req.ShopTransactionID,
			MallID: req.MallID, PgCno: req.PgCno, CancelPgCno: req.CancelPgCno,
			TransactionDate: kicc.FormatDateTime(c.RequestedAt), CancelStatus: st,
			AmountInfo: &kicc.CancelAmountInfo{Currency: p.Currency}}
		if st != kicc.StatusApproved {
			r.TransactionDate = kicc.FormatDateTime(c.CompletedAt)
			r.AmountInfo.TotAmount = c.Amount
		}
		return r, true
	}
	p, ok := s.trades.Payment(req.PgCno)
	if !ok {
		return nil, false
	}
	if p.MallID != req.MallID {
		return s.findErrorBody(req, kicc.ResNotFound, "pgCno"), true
	}
	r := &kicc.PaymentStatusResponse{ResCd: kicc.ResOK, ResMsg: msg, ShopTransactionID: req.ShopTransactionID,
		MallID: req.MallID, ShopOrderNo: p.ShopOrderNo, PgCno: p.PgCno, StatusCd: paymentStatus(&p),
		AmountInfo: &kicc.PaymentAmountInfo{Currency: p.Currency, Amount: p.Amount}}
	if !p.ApprovedAt.IsZero() {
		r.ApprovalDate = kicc.FormatDateTime(p.ApprovedAt)
	}
	return r, true
}
