package server

import (
	"reflect"

	"github.com/brianvoe/gofakeit/v6"

	"github.com/kicc-mock/kicc-mock/httpio"
	"github.com/kicc-mock/kicc-mock/kicc"
	"github.com/kicc-mock/kicc-mock/pipeline"
	"github.com/kicc-mock/kicc-mock/scenarios"
)

// findEndpoint is POST /api/trades/wechatpay/find, both inquiries: with a
// cancelPgCno it asks for a cancellation's status, without one for the
// payment's. It records nothing; with no scenario selected it answers from
// the sandbox's state, then from the endpoint's default scenario.
type findEndpoint struct{ s *Server }

func (findEndpoint) New() kicc.Request { return new(kicc.FindRequest) }

func (findEndpoint) Kind(r kicc.Request) scenarios.Endpoint {
	if r.(*kicc.FindRequest).IsCancel() {
		return scenarios.FindCancel
	}
	return scenarios.FindPayment
}

// MagicID is the id the request asks about: cancelPgCno when present, else
// pgCno.
func (findEndpoint) MagicID(r kicc.Request) string {
	req := r.(*kicc.FindRequest)
	if req.IsCancel() {
		return req.CancelPgCno
	}
	return req.PgCno
}

func (e findEndpoint) TransactionID(r kicc.Request) string { return e.MagicID(r) }

func (findEndpoint) Fingerprint(r kicc.Request, add func(string)) {
	req := r.(*kicc.FindRequest)
	add(req.PgCno)
	add(req.CancelPgCno)
}

func (findEndpoint) Check(kicc.Request) *kicc.FieldError { return nil }

func (e findEndpoint) Recorded(c *pipeline.Call) (httpio.Appender, *kicc.FieldError, bool) {
	return e.s.sandbox.Find(c.Req.(*kicc.FindRequest))
}

func (findEndpoint) Act(c *pipeline.Call) (any, *kicc.FieldError) { return nil, nil }
func (findEndpoint) Done(*pipeline.Call, any)                     {}

// The find answers' bases: a realistic answer for any id. The date is the
// clock's, the amounts and the order number are fake data seeded by the
// ids, so repeated calls about one transaction agree, and the cancelled
// amount follows the status: nothing for TS01 (not cancelled yet), the
// whole payment for TS02 and TS12, part of it for TS06.

func (s *Server) findIDs(extra ...string) map[string]scenarios.Filler {
	m := map[string]scenarios.Filler{
		"resCd":             scenarios.ResCdFiller,
		"resMsg":            scenarios.ResMsgFiller(s.cfg.Messages),
		"shopTransactionId": scenarios.Echo("shopTransactionId", false),
		"mallId":            scenarios.Echo("mallId", true),
		"pgCno":             scenarios.Echo("pgCno", true),
	}
	for _, f := range extra {
		m[f] = scenarios.Echo(f, true)
	}
	return m
}

func (s *Server) cancelBase() *scenarios.Base {
	success := s.findIDs("cancelPgCno")
	success["transactionDate"] = scenarios.Text(nowText, false)
	success["cancelStatus"] = scenarios.StatusFiller
	success["amountInfo.currency"] = scenarios.Text(func(*scenarios.Env) string { return s.cfg.Currency }, false)
	success["amountInfo.totAmount"] = scenarios.Number(func(e *scenarios.Env) int64 {
		req := e.Request.(*kicc.FindRequest)
		switch kicc.Status(e.Status) {
		case kicc.StatusCancelled, kicc.StatusVoided:
			return s.paymentAmount(req.PgCno)
		case kicc.StatusPartCancelled:
			return s.partialAmount(req.PgCno, req.CancelPgCno)
		}
		return 0
	})
	return &scenarios.Base{
		Order:   scenarios.OrderOf(reflect.TypeFor[kicc.CancelStatusResponse]()),
		Success: success, Error: s.findIDs("cancelPgCno"),
		StatusKey: "cancelStatus", DefaultStatus: string(kicc.StatusCancelled),
	}
}

func (s *Server) paymentBase() *scenarios.Base {
	success := s.findIDs()
	success["shopOrderNo"] = scenarios.Text(func(e *scenarios.Env) string {
		return s.shopOrderNo(e.Request.(*kicc.FindRequest).PgCno)
	}, false)
	success["approvalDate"] = scenarios.Text(nowText, false)
	success["statusCd"] = scenarios.StatusFiller
	success["amountInfo.currency"] = scenarios.Text(func(*scenarios.Env) string { return s.cfg.Currency }, false)
	success["amountInfo.amount"] = scenarios.Number(func(e *scenarios.Env) int64 {
		return s.paymentAmount(e.Request.(*kicc.FindRequest).PgCno)
	})
	return &scenarios.Base{
		Order:   scenarios.OrderOf(reflect.TypeFor[kicc.PaymentStatusResponse]()),
		Success: success, Error: s.findIDs(),
		StatusKey: "statusCd", DefaultStatus: string(kicc.StatusApproved),
	}
}

func nowText(e *scenarios.Env) string { return kicc.FormatDateTime(e.Now) }

// paymentAmount is the paid amount of pgCno: KRW in whole won between 1,000
// and 500,000 in steps of 100, or USD cents for a USD mock.
func (s *Server) paymentAmount(pgCno string) int64 {
	return scenarios.WithFaker(scenarios.FakeSeed(s.cfg.Seed, pgCno), func(f *gofakeit.Faker) int64 {
		return int64(f.IntRange(10, 5000)) * 100
	})
}

// shopOrderNo is the merchant order number the payment was created with.
func (s *Server) shopOrderNo(pgCno string) string {
	return scenarios.WithFaker(scenarios.FakeSeed(s.cfg.Seed, pgCno, "order"), func(f *gofakeit.Faker) string {
		return f.Numerify("ORD-########")
	})
}

// partialAmount is a partial cancel of pgCno by cancelPgCno: a tenth to nine
// tenths of the payment, in steps of 100.
func (s *Server) partialAmount(pgCno, cancelPgCno string) int64 {
	total := s.paymentAmount(pgCno)
	tenths := scenarios.WithFaker(scenarios.FakeSeed(s.cfg.Seed, cancelPgCno), func(f *gofakeit.Faker) int {
		return f.IntRange(1, 9)
	})
	part := total * int64(tenths) / 10
	part -= part % 100
	if part <= 0 {
		part = 100
	}
	return part
}
