package sandbox

import (
	"errors"
	"reflect"
	"strconv"

	"github.com/kicc-mock/kicc-mock/httpio"
	"github.com/kicc-mock/kicc-mock/kicc"
	"github.com/kicc-mock/kicc-mock/pipeline"
	"github.com/kicc-mock/kicc-mock/scenarios"
	"github.com/kicc-mock/kicc-mock/store"
)

// Create is the Create Transaction endpoint (POST /api/trades/wechatpay):
// the pipeline's checks, then the sandbox's own rule (shopOrderNo unique
// per mallId), and an unpaid payment recorded.
func (s *Sandbox) Create() pipeline.Endpoint { return createEndpoint{s} }

type createEndpoint struct{ s *Sandbox }

// created is what the create answer's fillers read.
type created struct {
	pay     store.Payment
	pageURL string
}

func (createEndpoint) New() kicc.Request                    { return new(kicc.CreateRequest) }
func (createEndpoint) Kind(kicc.Request) scenarios.Endpoint { return scenarios.Create }
func (createEndpoint) MagicID(r kicc.Request) string        { return r.(*kicc.CreateRequest).ShopOrderNo }
func (createEndpoint) TransactionID(r kicc.Request) string {
	return r.(*kicc.CreateRequest).ShopOrderNo
}
func (createEndpoint) Check(kicc.Request) *kicc.FieldError { return nil }
func (e createEndpoint) Recorded(*pipeline.Call) (httpio.Appender, *kicc.FieldError, bool) {
	return nil, nil, false
}

func (createEndpoint) Fingerprint(r kicc.Request, add func(string)) {
	req := r.(*kicc.CreateRequest)
	for _, f := range [...]string{req.ShopOrderNo, req.GoodsName, req.ReturnURL, req.TradeType, req.NotifyURL,
		req.AmountInfo.Currency, strconv.FormatInt(*req.AmountInfo.TotalAmount, 10)} {
		add(f)
	}
}

// Act records the unpaid payment, with the scenario's webhook plan.
func (e createEndpoint) Act(c *pipeline.Call) (any, *kicc.FieldError) {
	s, req := e.s, c.Req.(*kicc.CreateRequest)
	pay := store.Payment{
		PgCno: s.ids.Next(c.Now), MallID: req.MallID, ShopOrderNo: req.ShopOrderNo,
		ShopTransactionID: req.ShopTransactionID, GoodsName: req.GoodsName, TradeType: req.TradeType,
		ReturnURL: req.ReturnURL, NotifyURL: req.NotifyURL, Currency: req.AmountInfo.Currency,
		Amount: *req.AmountInfo.TotalAmount, State: store.PaymentCreated, CreatedAt: c.Now,
		Scenario: scenarioName(c), Webhook: webhookPlan(c.Response),
	}
	switch err := s.trades.Create(pay); {
	case errors.Is(err, store.ErrOrderExists):
		return nil, &kicc.FieldError{ResCd: kicc.ResOrderDup, Field: "shopOrderNo"}
	case err != nil:
		return nil, &kicc.FieldError{ResCd: kicc.ResSystem, Field: err.Error()}
	}
	return &created{pay: pay, pageURL: s.PaymentPageURL(c.HTTP, &pay)}, nil
}

// Done starts the auto-pay timer (--auto-pay-after).
func (e createEndpoint) Done(_ *pipeline.Call, data any) {
	d, _ := data.(*created)
	if s := e.s; s.cfg.AutoPayAfter > 0 && d != nil {
		pgCno := d.pay.PgCno
		s.after(s.cfg.AutoPayAfter, func() { _, _ = s.Approve(pgCno) })
	}
}

// CreateBase is the create answer: KICC publishes no table; the four certain
// fields are resCd, resMsg, pgCno and paymentPageUrl, the echoed ids are
// assumed (the spec's section 3).
func (s *Sandbox) CreateBase() *scenarios.Base {
	fromCreated := func(f func(*created) string) scenarios.Filler {
		return scenarios.Text(func(e *scenarios.Env) string {
			if d, ok := e.Data.(*created); ok {
				return f(d)
			}
			return ""
		}, true)
	}
	ids := map[string]scenarios.Filler{
		"resCd":             scenarios.ResCdFiller,
		"resMsg":            scenarios.ResMsgFiller(s.msgs),
		"shopTransactionId": scenarios.Echo("shopTransactionId", false),
		"mallId":            scenarios.Echo("mallId", true),
		"shopOrderNo":       scenarios.Echo("shopOrderNo", true),
	}
	success := map[string]scenarios.Filler{
		"pgCno":          fromCreated(func(d *created) string { return d.pay.PgCno }),
		"paymentPageUrl": fromCreated(func(d *created) string { return d.pageURL }),
	}
	for k, f := range ids {
		success[k] = f
	}
	return &scenarios.Base{Order: scenarios.OrderOf(reflect.TypeFor[kicc.CreateResponse]()), Success: success, Error: ids}
}

func scenarioName(c *pipeline.Call) string {
	if c.Scenario == nil {
		return ""
	}
	return c.Scenario.Name
}

// webhookPlan is what the response scripts for the webhook that follows.
func webhookPlan(r *scenarios.Response) store.WebhookPlan {
	if r == nil || r.Webhook == nil {
		return store.WebhookPlan{}
	}
	w := r.Webhook
	plan := store.WebhookPlan{Drop: w.Drop, Delay: w.Delay}
	if w.Fail {
		plan.FailResCd = w.FailResCd
	}
	return plan
}
