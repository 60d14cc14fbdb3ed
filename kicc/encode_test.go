package kicc_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kicc-mock/kicc-mock/kicc"
)

func cancelWith(s string, amount bool) *kicc.CancelStatusResponse {
	r := &kicc.CancelStatusResponse{ResCd: s, ResMsg: s, ShopTransactionID: s, MallID: s, PgCno: s,
		CancelPgCno: s, TransactionDate: s, CancelStatus: kicc.Status(s), ResDetailMsg: s}
	if amount {
		r.AmountInfo = &kicc.CancelAmountInfo{Currency: s, TotAmount: int64(len(s)) * -7}
	}
	return r
}

func paymentWith(s string, amount bool) *kicc.PaymentStatusResponse {
	r := &kicc.PaymentStatusResponse{ResCd: s, ResMsg: s, ShopTransactionID: s, MallID: s, ShopOrderNo: s,
		PgCno: s, ApprovalDate: s, StatusCd: kicc.Status(s), ResDetailMsg: s}
	if amount {
		r.AmountInfo = &kicc.PaymentAmountInfo{Currency: s, Amount: int64(len(s)) * 1000}
	}
	return r
}

func assertSameAsJSON(t *testing.T, v interface{ AppendJSON([]byte) []byte }) {
	t.Helper()
	want, err := json.Marshal(v)
	require.NoError(t, err)
	assert.Equal(t, string(want), string(v.AppendJSON(nil)))
}

func TestAppendJSONMatchesEncodingJSON(t *testing.T) {
	for _, s := range []string{"", "0000", "정상처리", `a"b\c`, "<&>", "\n\r\t\x00\x1f", "\u2028\u2029", "\xff\xfe", "😀"} {
		for _, amount := range []bool{false, true} {
			assertSameAsJSON(t, cancelWith(s, amount))
			assertSameAsJSON(t, paymentWith(s, amount))
		}
	}
	assertSameAsJSON(t, &kicc.CancelStatusResponse{ResCd: "0000"})
}

func FuzzAppendJSONMatchesEncodingJSON(f *testing.F) {
	f.Add("정상처리", true)
	f.Add("\xff<\u2028", false)
	f.Fuzz(func(t *testing.T, s string, amount bool) {
		assertSameAsJSON(t, cancelWith(s, amount))
		assertSameAsJSON(t, paymentWith(s, amount))
	})
}
