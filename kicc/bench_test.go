package kicc_test

import (
	"testing"

	"github.com/kicc-mock/kicc-mock/kicc"
)

// BenchmarkDecodeValidate is the request side of the find hot path.
func BenchmarkDecodeValidate(b *testing.B) {
	body := []byte(`{"mallId":"T0000001","shopTransactionId":"4CC44FEA352B461890F6E465C5BB20BB","pgCno":"25122722034810122119","cancelPgCno":"25122722044210122121"}`)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		var r kicc.FindRequest
		if err := kicc.Decode(body, &r); err != nil {
			b.Fatal(err)
		}
		if err := r.Validate(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRenderCancelAnswer is the response side of the find hot path.
func BenchmarkRenderCancelAnswer(b *testing.B) {
	r := &kicc.CancelStatusResponse{ResCd: "0000", ResMsg: "정상처리", ShopTransactionID: "4CC44FEA352B461890F6E465C5BB20BB",
		MallID: "T0000001", PgCno: "25122722034810122119", CancelPgCno: "25122722044210122121",
		TransactionDate: "20261126030034", CancelStatus: kicc.StatusCancelled,
		AmountInfo: &kicc.CancelAmountInfo{Currency: "KRW", TotAmount: 306800}}
	buf := make([]byte, 0, 512)
	b.ReportAllocs()
	for b.Loop() {
		buf = r.AppendJSON(buf[:0])
	}
}

// BenchmarkDecodeValidateSlow is the encoding/json path: a nested create
// request, and a find with an escape the fast path leaves to encoding/json.
func BenchmarkDecodeValidateSlow(b *testing.B) {
	type request interface{ Validate() *kicc.FieldError }
	for _, bc := range []struct {
		name string
		body string
		req  func() request
	}{
		{"create", `{"mallId":"T0000001","shopTransactionId":"4CC44FEA352B461890F6E465C5BB20BB","shopOrderNo":"ORD-20251227-0001","goodsName":"Sample Product","returnUrl":"https://merchant.example/return","tradeType":"native","notifyUrl":"https://merchant.example/notify","amountInfo":{"currency":"KRW","totalAmount":306800},"customerInfo":{"customerName":"홍길동","customerContactNo":"01012345678"}}`,
			func() request { return new(kicc.CreateRequest) }},
		{"find-escaped", `{"mallId":"T0000001","shopTransactionId":"4CC44FEA352B461890F6E465C5BB20B\u0042","pgCno":"25122722034810122119","cancelPgCno":"25122722044210122121"}`,
			func() request { return new(kicc.FindRequest) }},
	} {
		body := []byte(bc.body)
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				r := bc.req()
				if err := kicc.Decode(body, r); err != nil {
					b.Fatal(err)
				}
				if err := r.Validate(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
