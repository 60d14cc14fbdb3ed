package server

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kicc-mock/kicc-mock/kicc"
	"github.com/kicc-mock/kicc-mock/scenarios"
)

// TestScenarioWithoutABodyAnswersAsTheGenericRendering: a scenario response
// with no body and HTTP 200 (a delay or a fault alone) answers the default
// answer through its compiled form; the bytes must be what encoding the
// default answer's struct gives, for both inquiries, both currencies and
// many ids.
func TestScenarioWithoutABodyAnswersAsTheGenericRendering(t *testing.T) {
	now := time.Date(2026, 12, 1, 23, 59, 59, 0, kicc.KST)
	for _, currency := range []string{kicc.CurrencyKRW, "USD"} {
		for _, seed := range []int64{0, 42} {
			s, err := New(Config{Currency: currency, Seed: seed})
			require.NoError(t, err)
			_, err = s.AddScenarios("t.yaml", []byte("version: 1\nscenarios:\n  - name: plain-delay\n    responses: [{delay: 1s}]\n"))
			require.NoError(t, err)
			resp := s.Scenarios().Lookup("plain-delay").Response(0)
			for i := range 50 {
				for _, req := range []kicc.FindRequest{
					{MallID: "T0000001", ShopTransactionID: fmt.Sprint("k", i), PgCno: fmt.Sprint("2512272203481012", i)},
					{MallID: "T0000002", ShopTransactionID: fmt.Sprint("k", i), PgCno: fmt.Sprint("2512272203481012", i),
						CancelPgCno: fmt.Sprint("2512272204421012", i)},
				} {
					ep := s.find.Kind(&req)
					ans := s.scen.Load().Answer(resp, ep)
					require.Equal(t, http.StatusOK, ans.HTTPStatus())
					env := &scenarios.Env{Request: &req, Now: now}
					fast := ans.Render(nil, env)
					env.Release()
					slow := s.structAnswer(&req, now)
					require.Equal(t, string(slow), string(fast), "%s seed %d, %+v", currency, seed, req)
				}
			}
			s.Close()
		}
	}
}

// structAnswer is the default answer to req at now as the kicc response
// structs encode it: the reference the compiled answers are held to.
func (s *Server) structAnswer(req *kicc.FindRequest, now time.Time) []byte {
	msg := s.cfg.Messages.Message(kicc.ResOK, "")
	if req.IsCancel() {
		r := kicc.CancelStatusResponse{ResCd: kicc.ResOK, ResMsg: msg, ShopTransactionID: req.ShopTransactionID,
			MallID: req.MallID, PgCno: req.PgCno, CancelPgCno: req.CancelPgCno,
			TransactionDate: kicc.FormatDateTime(now), CancelStatus: kicc.StatusCancelled,
			AmountInfo: &kicc.CancelAmountInfo{Currency: s.cfg.Currency, TotAmount: s.paymentAmount(req.PgCno)}}
		return r.AppendJSON(nil)
	}
	r := kicc.PaymentStatusResponse{ResCd: kicc.ResOK, ResMsg: msg, ShopTransactionID: req.ShopTransactionID,
		MallID: req.MallID, ShopOrderNo: s.shopOrderNo(req.PgCno), PgCno: req.PgCno,
		ApprovalDate: kicc.FormatDateTime(now), StatusCd: kicc.StatusApproved,
		AmountInfo: &kicc.PaymentAmountInfo{Currency: s.cfg.Currency, Amount: s.paymentAmount(req.PgCno)}}
	return r.AppendJSON(nil)
}
