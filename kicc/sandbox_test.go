package kicc_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kicc-mock/kicc-mock/kicc"
)

func amount(v int64) *int64 { return &v }

func validCreate() kicc.CreateRequest {
	return kicc.CreateRequest{
		MallID: "T0000001", ShopTransactionID: "k1", ShopOrderNo: "ORD-1", GoodsName: "Sample Product",
		ReturnURL: "https://merchant.example/return", TradeType: "native",
		NotifyURL:  "https://merchant.example/notify",
		AmountInfo: &kicc.AmountInfo{Currency: "KRW", TotalAmount: amount(1000)},
	}
}

func TestCreateRequestValidate(t *testing.T) {
	cases := []struct {
		name  string
		edit  func(r *kicc.CreateRequest)
		resCd string
		field string
	}{
		{"the spec's example is valid", func(r *kicc.CreateRequest) {}, "", ""},
		{"mweb is a trade type", func(r *kicc.CreateRequest) { r.TradeType = "mweb" }, "", ""},
		{"native is 6 bytes although the table says 3", func(r *kicc.CreateRequest) { r.TradeType = "native" }, "", ""},
		{"other trade types are refused", func(r *kicc.CreateRequest) { r.TradeType = "app" }, kicc.ResFormat, "tradeType"},
		{"missing goodsName", func(r *kicc.CreateRequest) { r.GoodsName = "" }, kicc.ResMissing, "goodsName"},
		{"Korean goodsName is not English", func(r *kicc.CreateRequest) { r.GoodsName = "상품" }, kicc.ResFormat, "goodsName"},
		{"101-byte goodsName", func(r *kicc.CreateRequest) { r.GoodsName = strings.Repeat("g", 101) }, kicc.ResTooLong, "goodsName"},
		{"41-byte shopOrderNo", func(r *kicc.CreateRequest) { r.ShopOrderNo = strings.Repeat("o", 41) }, kicc.ResTooLong, "shopOrderNo"},
		{"relative returnUrl", func(r *kicc.CreateRequest) { r.ReturnURL = "/return" }, kicc.ResFormat, "returnUrl"},
		{"257-byte notifyUrl", func(r *kicc.CreateRequest) { r.NotifyURL = "https://a/" + strings.Repeat("n", 247) }, kicc.ResTooLong, "notifyUrl"},
		{"raw & in notifyUrl", func(r *kicc.CreateRequest) { r.NotifyURL = "https://a/n?x=1&y=2" }, kicc.ResFormat, "notifyUrl"},
		{"missing amountInfo", func(r *kicc.CreateRequest) { r.AmountInfo = nil }, kicc.ResMissing, "amountInfo"},
		{"missing totalAmount", func(r *kicc.CreateRequest) { r.AmountInfo.TotalAmount = nil }, kicc.ResMissing, "amountInfo.totalAmount"},
		{"zero totalAmount", func(r *kicc.CreateRequest) { r.AmountInfo.TotalAmount = amount(0) }, kicc.ResFormat, "amountInfo.totalAmount"},
		{"USD is a currency", func(r *kicc.CreateRequest) { r.AmountInfo.Currency = "USD" }, "", ""},
		{"CNY is not", func(r *kicc.CreateRequest) { r.AmountInfo.Currency = "CNY" }, kicc.ResFormat, "amountInfo.currency"},
		{"4-letter currency", func(r *kicc.CreateRequest) { r.AmountInfo.Currency = "KRWW" }, kicc.ResTooLong, "amountInfo.currency"},
		{"12-digit contact number", func(r *kicc.CreateRequest) {
			r.CustomerInfo = &kicc.CustomerInfo{CustomerContactNo: "010123456789"}
		}, kicc.ResTooLong, "customerInfo.customerContactNo"},
		{"contact number with a dash", func(r *kicc.CreateRequest) {
			r.CustomerInfo = &kicc.CustomerInfo{CustomerContactNo: "010-1234"}
		}, kicc.ResFormat, "customerInfo.customerContactNo"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := validCreate()
			tc.edit(&r)
			err := r.Validate()
			if tc.resCd == "" {
				assert.Nil(t, err)
				return
			}
			require.NotNil(t, err)
			assert.Equal(t, tc.resCd, err.ResCd, err.Reason)
			assert.Equal(t, tc.field, err.Field)
		})
	}
}

func TestReviseRequestValidate(t *testing.T) {
	valid := kicc.ReviseRequest{MallID: "T0000001", ShopTransactionID: "k2", PgCno: "25010112000010123456",
		ReviseTypeCode: "40", CancelReqDate: "20250101", MsgAuthValue: "ab", NotifyURL: "https://merchant.example/cancel"}
	cases := []struct {
		name  string
		edit  func(r *kicc.ReviseRequest)
		resCd string
		field string
	}{
		{"a full cancel needs no amount", func(r *kicc.ReviseRequest) {}, "", ""},
		{"notifyUrl is optional", func(r *kicc.ReviseRequest) { r.NotifyURL = "" }, "", ""},
		{"a partial cancel needs amountInfo", func(r *kicc.ReviseRequest) { r.ReviseTypeCode = "32" }, kicc.ResMissing, "amountInfo"},
		{"a partial cancel with an amount", func(r *kicc.ReviseRequest) {
			r.ReviseTypeCode = "32"
			r.AmountInfo = &kicc.ReviseAmountInfo{Currency: "KRW", TotAmount: amount(300)}
		}, "", ""},
		{"a partial cancel without totAmount", func(r *kicc.ReviseRequest) {
			r.ReviseTypeCode = "32"
			r.AmountInfo = &kicc.ReviseAmountInfo{Currency: "KRW"}
		}, kicc.ResMissing, "amountInfo.totAmount"},
		{"unknown reviseTypeCode", func(r *kicc.ReviseRequest) { r.ReviseTypeCode = "20" }, kicc.ResFormat, "reviseTypeCode"},
		{"cancelReqDate with time", func(r *kicc.ReviseRequest) { r.CancelReqDate = "2025010112" }, kicc.ResTooLong, "cancelReqDate"},
		{"cancelReqDate not a date", func(r *kicc.ReviseRequest) { r.CancelReqDate = "20251301" }, kicc.ResFormat, "cancelReqDate"},
		{"missing msgAuthValue", func(r *kicc.ReviseRequest) { r.MsgAuthValue = "" }, kicc.ResMissing, "msgAuthValue"},
		{"401-byte memo", func(r *kicc.ReviseRequest) { r.Memo = strings.Repeat("m", 401) }, kicc.ResTooLong, "memo"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := valid
			tc.edit(&r)
			err := r.Validate()
			if tc.resCd == "" {
				assert.Nil(t, err)
				return
			}
			require.NotNil(t, err)
			assert.Equal(t, tc.resCd, err.ResCd, err.Reason)
			assert.Equal(t, tc.field, err.Field)
		})
	}
}

func TestDecodeNamesNestedFields(t *testing.T) {
	var r kicc.CreateRequest
	var fe *kicc.FieldError
	require.ErrorAs(t, kicc.Decode([]byte(`{"amountInfo":{"totalAmount":"1000"}}`), &r), &fe)
	assert.Equal(t, "amountInfo.totalAmount", fe.Field)
}

func TestMsgAuthValueOfTheCancelExample(t *testing.T) {
	assert.Equal(t, "9db822537e2293e481bd1180fddf011ad4c85bcfa77685a29af023574780feeb",
		kicc.MsgAuthValue("MOCK_SECRET_KEY_1234", "25010112000010123456", "3f1c0e7a-cancel-0001"))
}
