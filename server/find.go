package server

import (
	"bytes"
	"net/http"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/kicc-mock/kicc-mock/kicc"
	"github.com/kicc-mock/kicc-mock/scenarios"
)

// handleFind serves POST /api/trades/wechatpay/find, both inquiries. The
// order of checks is the contract: HTTP-level problems (an unknown
// X-KICC-Mock-Scenario, 415, 413, 400, a header scenario of the other
// inquiry), then field rules (1001-1003), then the merchant allow-list
// (1030), then the idempotency key (1010), and only then an answer: the
// header's scenario, a magic id's, a matching rule's, or the endpoint's
// default. A request rejected before the key check does not use up its key.
func (s *Server) handleFind(c echo.Context) error {
	st := s.scen.Load()
	var forced *scenarios.Scenario
	if h := c.Request().Header[ScenarioHeader]; len(h) > 0 && h[0] != "" {
		if forced = st.set.Lookup(h[0]); forced == nil {
			return unknownScenario(h[0], st.set)
		}
	}
	buf, err := s.readJSONBody(c)
	if err != nil {
		return err
	}
	var req kicc.FindRequest
	err = kicc.Decode(buf.Bytes(), &req)
	putBuffer(buf)
	// Decode returns its error types unwrapped; a type switch, unlike
	// errors.As, costs no allocation on every request.
	fe, _ := err.(*kicc.FieldError)
	if be, ok := err.(*kicc.BodyError); ok {
		return &httpError{Status: http.StatusBadRequest, Message: be.Msg}
	}
	ep := findEndpoint(&req)
	if forced != nil && !forced.AppliesTo(ep) {
		return wrongEndpoint(forced, ep)
	}
	if fe == nil {
		fe = req.Validate()
	}
	if fe != nil {
		return s.findError(c, &req, fe.ResCd, fe.Field)
	}
	if s.malls != nil && !s.malls[req.MallID] {
		return s.findError(c, &req, kicc.ResMall, "mallId")
	}
	now := s.requestTime(c)
	fp := s.fingerprint(kicc.PathFind, req.MallID, req.ShopTransactionID, req.PgCno, req.CancelPgCno)
	out := s.claimKey(now, req.MallID, req.ShopTransactionID, fp)
	switch {
	case out.replay != nil:
		return writeJSON(c, http.StatusOK, out.replay)
	case !out.proceed:
		return s.findError(c, &req, out.resCd, out.detail)
	}
	sc := forced
	if sc == nil {
		sc = st.set.Select(ep, findID(&req), (*findFields)(&req))
	}
	if sc == nil {
		if answer, ok := s.recordedFind(&req); ok {
			return s.writeFindAnswer(c, &req, answer, now)
		}
		if s.cfg.StrictTransactions {
			return s.findError(c, &req, kicc.ResNotFound, findIDField(&req))
		}
		sc = st.defaults[ep]
	}
	if sc != nil {
		return s.answerFind(c, sc, &req, now)
	}
	// The default answer, the common case: built on the stack and encoded
	// by concrete calls (an interface would move both structs to the heap).
	bp := answerPool.Get().(*[]byte)
	*bp = s.defaultFindAnswer((*bp)[:0], &req, now)
	err = s.writeFindJSON(c, &req, *bp, now)
	answerPool.Put(bp)
	return err
}

// writeFindAnswer writes a find answer and keeps it for replay mode.
func (s *Server) writeFindAnswer(c echo.Context, req *kicc.FindRequest, answer jsonAppender, now time.Time) error {
	bp := answerPool.Get().(*[]byte)
	*bp = answer.AppendJSON((*bp)[:0])
	err := s.writeFindJSON(c, req, *bp, now)
	answerPool.Put(bp)
	return err
}

// writeFindJSON writes an encoded find answer and keeps a copy for replay
// mode; b may be reused once it returns.
func (s *Server) writeFindJSON(c echo.Context, req *kicc.FindRequest, b []byte, now time.Time) error {
	if s.cfg.Idempotency == IdempotencyReplay {
		if err := s.settleKey(now, req.MallID, req.ShopTransactionID, bytes.Clone(b)); err != nil {
			return s.findError(c, req, kicc.ResSystem, s.refuseUnsettled(now, req.MallID, req.ShopTransactionID, err))
		}
	}
	return writeJSON(c, http.StatusOK, b) // copies b into the connection's buffer
}

// answerPool holds encoding buffers of find answers, which are written and
// forgotten (replay mode keeps a copy).
var answerPool = sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}

// findIDField names the id a find request asks about.
func findIDField(req *kicc.FindRequest) string {
	if req.IsCancel() {
		return "cancelPgCno"
	}
	return "pgCno"
}

// findError answers a KICC business error: HTTP 200, resCd, resMsg naming the
// field, and the request's ids echoed, without status fields.
func (s *Server) findError(c echo.Context, req *kicc.FindRequest, resCd, field string) error {
	return writeValue(c, http.StatusOK, s.findErrorBody(req, resCd, field))
}

func (s *Server) findErrorBody(req *kicc.FindRequest, resCd, field string) jsonAppender {
	msg := s.cfg.Messages.Message(resCd, field)
	if req.IsCancel() {
		return &kicc.CancelStatusResponse{ResCd: resCd, ResMsg: msg, ShopTransactionID: req.ShopTransactionID,
			MallID: req.MallID, PgCno: req.PgCno, CancelPgCno: req.CancelPgCno}
	}
	return &kicc.PaymentStatusResponse{ResCd: resCd, ResMsg: msg, ShopTransactionID: req.ShopTransactionID,
		MallID: req.MallID, PgCno: req.PgCno}
}

// cancelAnswer is the realistic default answer to a cancellation inquiry in
// the given status. The cancelled amount follows the status: nothing for TS01
// (not cancelled yet), the whole payment for TS02 and TS12, part of it for
// TS06.
func (s *Server) cancelAnswer(req *kicc.FindRequest, st kicc.Status, now time.Time) *kicc.CancelStatusResponse {
	r := s.cancelAnswerValue(req, st, now, new(kicc.CancelAmountInfo))
	return &r
}

// cancelAnswerValue is cancelAnswer with amountInfo in amount, for callers
// that keep both on the stack.
func (s *Server) cancelAnswerValue(req *kicc.FindRequest, st kicc.Status, now time.Time, amount *kicc.CancelAmountInfo) kicc.CancelStatusResponse {
	var total int64
	switch st {
	case kicc.StatusCancelled, kicc.StatusVoided:
		total = s.paymentAmount(req.PgCno)
	case kicc.StatusPartCancelled:
		total = s.partialAmount(req.PgCno, req.CancelPgCno)
	}
	*amount = kicc.CancelAmountInfo{Currency: s.cfg.Currency, TotAmount: total}
	return kicc.CancelStatusResponse{
		ResCd:             kicc.ResOK,
		ResMsg:            s.cfg.Messages.Message(kicc.ResOK, ""),
		ShopTransactionID: req.ShopTransactionID,
		MallID:            req.MallID,
		PgCno:             req.PgCno,
		CancelPgCno:       req.CancelPgCno,
		TransactionDate:   kicc.FormatDateTime(now),
		CancelStatus:      st,
		AmountInfo:        amount,
	}
}

// paymentAnswer is the realistic default answer to a payment inquiry.
func (s *Server) paymentAnswer(req *kicc.FindRequest, st kicc.Status, now time.Time) *kicc.PaymentStatusResponse {
	r := s.paymentAnswerValue(req, st, now, new(kicc.PaymentAmountInfo))
	return &r
}

// paymentAnswerValue is paymentAnswer with amountInfo in amount.
func (s *Server) paymentAnswerValue(req *kicc.FindRequest, st kicc.Status, now time.Time, amount *kicc.PaymentAmountInfo) kicc.PaymentStatusResponse {
	*amount = kicc.PaymentAmountInfo{Currency: s.cfg.Currency, Amount: s.paymentAmount(req.PgCno)}
	return kicc.PaymentStatusResponse{
		ResCd:             kicc.ResOK,
		ResMsg:            s.cfg.Messages.Message(kicc.ResOK, ""),
		ShopTransactionID: req.ShopTransactionID,
		MallID:            req.MallID,
		ShopOrderNo:       s.shopOrderNo(req.PgCno),
		PgCno:             req.PgCno,
		ApprovalDate:      kicc.FormatDateTime(now),
		StatusCd:          st,
		AmountInfo:        amount,
	}
}
