package kicc_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kicc-mock/kicc-mock/kicc"
)

// KICC forbids CR and LF; the mock refuses every control character: C0,
// DEL and C1. NUL let two merchants' keys collide, and a tab or a DEL is
// nothing a merchant means to send.
func TestValidateRefusesControlCharacters(t *testing.T) {
	for _, c := range []string{"\x00", "\x01", "\t", "\b", "\f", "\x1b", "\x1f", "\x7f", "\u0080", "\u0085", "\u009f"} {
		r := kicc.FindRequest{MallID: "T0000001", ShopTransactionID: "K" + c + "1", PgCno: "1"}
		fe := r.Validate()
		if assert.NotNil(t, fe, "%q", c) {
			assert.Equal(t, kicc.ResFormat, fe.ResCd, "%q", c)
			assert.Equal(t, "shopTransactionId", fe.Field, "%q", c)
		}
	}
	for _, s := range []string{"\u00a0", "\u00b0", "\u00ff", "é", "가", " ~"} {
		r := kicc.FindRequest{MallID: "T0000001", ShopTransactionID: "K" + s, PgCno: "1"}
		assert.Nil(t, r.Validate(), "%q is text", s)
	}
}

func TestDecodeValidateRefusesEscapedControlCharacters(t *testing.T) {
	cases := []struct{ body, field string }{
		{`{"mallId":"T00001\u0000","shopTransactionId":"K1","pgCno":"1"}`, "mallId"},
		{`{"mallId":"T00001","shopTransactionId":"\u0000K1","pgCno":"1"}`, "shopTransactionId"},
		{`{"mallId":"T00001","shopTransactionId":"K\u00011","pgCno":"1"}`, "shopTransactionId"},
		{`{"mallId":"T00001","shopTransactionId":"K\t1","pgCno":"1"}`, "shopTransactionId"},
		{`{"mallId":"T00001","shopTransactionId":"K1","pgCno":"1\u007f"}`, "pgCno"},
		{"{\"mallId\":\"T00001\",\"shopTransactionId\":\"K1\",\"pgCno\":\"1\x7f\"}", "pgCno"}, // raw DEL is valid JSON
		{"{\"mallId\":\"T00001\",\"shopTransactionId\":\"K1\",\"pgCno\":\"1\xc2\x85\"}", "pgCno"},
		{`{"mallId":"T00001","shopTransactionId":"K1","pgCno":"1","cancelPgCno":"\u009b2"}`, "cancelPgCno"},
	}
	for _, tc := range cases {
		var r kicc.FindRequest
		require.NoError(t, kicc.Decode([]byte(tc.body), &r), tc.body)
		fe := r.Validate()
		if assert.NotNil(t, fe, tc.body) {
			assert.Equal(t, kicc.ResFormat, fe.ResCd, tc.body)
			assert.Equal(t, tc.field, fe.Field, tc.body)
		}
	}

	c := validCreate()
	c.CustomerInfo = &kicc.CustomerInfo{CustomerName: "Hong\tGildong"}
	fe := c.Validate()
	require.NotNil(t, fe)
	assert.Equal(t, "customerInfo.customerName", fe.Field)
	c = validCreate()
	c.AmountInfo.Currency = "KR\x00"
	fe = c.Validate()
	require.NotNil(t, fe)
	assert.Equal(t, "amountInfo.currency", fe.Field)
	assert.Equal(t, kicc.ResFormat, fe.ResCd)
}

// Validate stands on its own (the client and tests build requests without
// Decode): a Go string that is not UTF-8 would be sent as U+FFFD.
func TestValidateRefusesInvalidUTF8(t *testing.T) {
	for _, key := range []string{"A\xff\xfeA", "A\xc0\xafA", "A\xea\xb0", "\xed\xa0\x80"} {
		r := kicc.FindRequest{MallID: "T0000001", ShopTransactionID: key, PgCno: "1"}
		fe := r.Validate()
		if assert.NotNil(t, fe, "%q", key) {
			assert.Equal(t, kicc.ResFormat, fe.ResCd)
			assert.Equal(t, "shopTransactionId", fe.Field)
		}
	}
}

// The first offending byte of a value wins, whichever list it is on.
func TestForbiddenIndexControlAndInvalid(t *testing.T) {
	cases := []struct {
		s string
		i int
		r rune
	}{
		{"ab\x00", 2, 0}, {"ab\t;", 2, '\t'}, {"a;\t", 1, ';'}, {"ab\x7f", 2, 0x7f},
		{"가\u0085", 3, 0x85}, {"a\xffb;", 1, 0xfffd}, {"a;\xff", 1, ';'},
		{"가\xea\xb0", 3, 0xfffd}, {"\xc2", 0, 0xfffd}, {"\xc2;", 0, 0xfffd}, {"a\xc0\xaf", 1, 0xfffd},
		{"\u00a0\u009f", 2, 0x9f}, {"\xf0\x28", 0, 0xfffd},
	}
	for _, tc := range cases {
		i, r := kicc.ForbiddenIndex(tc.s)
		assert.Equal(t, tc.i, i, "%q", tc.s)
		assert.Equal(t, tc.r, r, "%q", tc.s)
	}
	for _, s := range []string{"\u00a0", "\u00c2", "\ufffd", "T0000001"} {
		i, _ := kicc.ForbiddenIndex(s)
		assert.Equal(t, -1, i, "%q is allowed", s)
	}
}
