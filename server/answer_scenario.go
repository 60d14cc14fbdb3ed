package server

import (
	"math/rand/v2"
	"net/http"
	"reflect"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/kicc-mock/kicc-mock/clock"
	"github.com/kicc-mock/kicc-mock/kicc"
	"github.com/kicc-mock/kicc-mock/scenarios"
)

// ScenarioKey is the echo.Context key under which the answering scenario's
// name is stored, for the journal and the access log.
const ScenarioKey = "kicc-mock.scenario"

// StatusClientClosed is logged when the client left during a delay or hang
// (nginx's convention; never sent).
const StatusClientClosed = 499

var (
	cancelOrder  = scenarios.OrderOf(reflect.TypeFor[kicc.CancelStatusResponse]())
	paymentOrder = scenarios.OrderOf(reflect.TypeFor[kicc.PaymentStatusResponse]())
)

// findFields serves a find request's fields to match rules and templates.
type findFields kicc.FindRequest

func (f *findFields) Field(name string) (string, bool) {
	switch name {
	case "mallId":
		return f.MallID, true
	case "shopTransactionId":
		return f.ShopTransactionID, true
	case "pgCno":
		return f.PgCno, true
	case "cancelPgCno":
		return f.CancelPgCno, f.CancelPgCno != ""
	}
	return "", false
}

// findEndpoint is the scenario endpoint of a find request.
func findEndpoint(req *kicc.FindRequest) scenarios.Endpoint {
	if req.IsCancel() {
		return scenarios.FindCancel
	}
	return scenarios.FindPayment
}

// findID is the field magic ids are read from.
func findID(req *kicc.FindRequest) string {
	if req.IsCancel() {
		return req.CancelPgCno
	}
	return req.PgCno
}

// unknownScenario is the 400 for a header naming no scenario.
func unknownScenario(name string, set *scenarios.Set) *httpError {
	return &httpError{Status: http.StatusBadRequest,
		Message: "unknown scenario " + strconv.Quote(name) + " in " + "X-KICC-Mock-Scenario",
		Extra:   map[string]any{"scenarios": set.Names()}}
}

// wrongEndpoint is the 400 for a header naming a scenario of another
// endpoint.
func wrongEndpoint(sc *scenarios.Scenario, ep scenarios.Endpoint) *httpError {
	return &httpError{Status: http.StatusBadRequest,
		Message: "scenario " + strconv.Quote(sc.Name) + " does not answer " + string(ep) + " requests",
		Extra:   map[string]any{"endpoints": sc.Endpoints}}
}

// answerFind answers a find request from scenario sc: the response of this
// call, its delay on the clock (ended by the client leaving), then a fault,
// or the rendered body.
func (s *Server) answerFind(c echo.Context, sc *scenarios.Scenario, req *kicc.FindRequest, now time.Time) error {
	c.Set(ScenarioKey, sc.Name)
	noteScenario(c, sc.Name)
	c.Response().Header().Set(ScenarioHeader, sc.Name)
	n := 0
	if sc.IsSequence() {
		key, _ := (*findFields)(req).Field(sc.SequenceKey)
		if sc.SequenceKey == "" {
			key = ""
		}
		n = s.sequences.Next(sc.Name, key)
	}
	resp := sc.Response(n)
	if d := min(resp.Delay.Pick(rand.Int64N), s.cfg.MaxDelay); d > 0 {
		if err := clock.Sleep(c.Request().Context(), s.clock, d); err != nil {
			noteStatus(c, StatusClientClosed)
			return nil
		}
		now = s.clock.Now()
	}
	status, body := s.renderFind(sc, resp, req, now)
	if resp.Fault != "" {
		f, ok := faults[resp.Fault]
		if !ok {
			return &httpError{Status: http.StatusInternalServerError, Message: "fault " + resp.Fault + " is not implemented"}
		}
		return f.Apply(c, &FaultEnv{Clock: s.clock, Hang: s.cfg.HangDuration, Stopping: s.stopping, Answer: body})
	}
	if status == http.StatusOK {
		if err := s.settleKey(now, req.MallID, req.ShopTransactionID, body); err != nil {
			return s.findError(c, req, kicc.ResSystem, s.refuseUnsettled(now, req.MallID, req.ShopTransactionID, err))
		}
	}
	return writeJSON(c, status, body)
}

// renderFind builds the HTTP status and body of resp for req.
func (s *Server) renderFind(sc *scenarios.Scenario, resp *scenarios.Response, req *kicc.FindRequest, now time.Time) (int, []byte) {
	if resp.Body == nil && resp.HTTPStatus() == http.StatusOK {
		// Nothing to lay over the default answer (a delay or a fault alone):
		// encoded directly, it is the generic path's answer byte for byte
		// (TestScenarioWithoutABodyAnswersAsTheGenericRendering) at a
		// fraction of the cost, which matters when 10,000 delayed answers
		// fall due together.
		return http.StatusOK, s.defaultFindAnswer(nil, req, now)
	}
	return s.renderFindBody(sc, resp, req, now)
}

// defaultFindAnswer appends the default answer to req at now to b: the
// cancellation in TS02 or the payment approved, with the ids echoed.
func (s *Server) defaultFindAnswer(b []byte, req *kicc.FindRequest, now time.Time) []byte {
	if req.IsCancel() {
		var amount kicc.CancelAmountInfo
		r := s.cancelAnswerValue(req, kicc.StatusCancelled, now, &amount)
		return r.AppendJSON(b)
	}
	var amount kicc.PaymentAmountInfo
	r := s.paymentAnswerValue(req, kicc.StatusApproved, now, &amount)
	return r.AppendJSON(b)
}

// renderFindBody is renderFind through the generic object: the default
// answer, with resp's rendered body laid over it.
func (s *Server) renderFindBody(sc *scenarios.Scenario, resp *scenarios.Response, req *kicc.FindRequest, now time.Time) (int, []byte) {
	env := &scenarios.Env{
		Request: (*findFields)(req),
		Now:     now,
		NewID:   func() string { return s.ids.Next(now) },
		Faker:   s.faker(findID(req), sc.Name),
	}
	over := resp.Body.RenderObject(env)
	status := resp.HTTPStatus()
	if status != http.StatusOK {
		if resp.Body == nil {
			he := &httpError{Status: status, Message: "scripted by scenario " + sc.Name}
			return status, he.body()
		}
		return status, over.AppendJSON(nil)
	}
	order := paymentOrder
	if req.IsCancel() {
		order = cancelOrder
	}
	var base scenarios.Object
	if resCd := over.String("resCd"); resCd != "" && resCd != kicc.ResOK {
		base = s.errorBase(req, resCd)
	} else {
		base = s.successBase(req, over, now)
	}
	return status, order.Sort(scenarios.Merge(base, over)).AppendJSON(nil)
}

// successBase is the default answer in the status the scenario names (or
// the endpoint's default status), so amounts fit the status.
func (s *Server) successBase(req *kicc.FindRequest, over scenarios.Object, now time.Time) scenarios.Object {
	var v any
	if req.IsCancel() {
		st := kicc.Status(over.String("cancelStatus"))
		if st == "" {
			st = kicc.StatusCancelled
		}
		v = s.cancelAnswer(req, st, now)
	} else {
		st := kicc.Status(over.String("statusCd"))
		if st == "" {
			st = kicc.StatusApproved
		}
		v = s.paymentAnswer(req, st, now)
	}
	return toObject(v)
}

// errorBase is a KICC business error: resCd, resMsg from the code table
// (configurable; "오류" for a code the table lacks) and the ids echoed.
func (s *Server) errorBase(req *kicc.FindRequest, resCd string) scenarios.Object {
	msg := s.cfg.Messages.Message(resCd, "")
	if msg == "" {
		msg = "오류"
	}
	var v any
	if req.IsCancel() {
		v = &kicc.CancelStatusResponse{ResCd: resCd, ResMsg: msg, ShopTransactionID: req.ShopTransactionID,
			MallID: req.MallID, PgCno: req.PgCno, CancelPgCno: req.CancelPgCno}
	} else {
		v = &kicc.PaymentStatusResponse{ResCd: resCd, ResMsg: msg, ShopTransactionID: req.ShopTransactionID,
			MallID: req.MallID, PgCno: req.PgCno}
	}
	return toObject(v)
}

func toObject(v any) scenarios.Object {
	b, err := jsonMarshal(v)
	if err != nil {
		return scenarios.Object{}
	}
	o, err := scenarios.DecodeObject(b)
	if err != nil {
		return scenarios.Object{}
	}
	return o
}
