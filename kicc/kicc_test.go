package kicc_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kicc-mock/kicc-mock/kicc"
)

func TestFindRequestValidate(t *testing.T) {
	valid := kicc.FindRequest{MallID: "T0000001", ShopTransactionID: "key-1", PgCno: "25010112000010123456", CancelPgCno: "25010112300010123470"}
	cases := []struct {
		name  string
		edit  func(r *kicc.FindRequest)
		resCd string
		field string
	}{
		{"a complete cancel inquiry is valid", func(r *kicc.FindRequest) {}, "", ""},
		{"a payment inquiry needs no cancelPgCno", func(r *kicc.FindRequest) { r.CancelPgCno = "" }, "", ""},
		{"missing mallId", func(r *kicc.FindRequest) { r.MallID = "" }, kicc.ResMissing, "mallId"},
		{"missing shopTransactionId", func(r *kicc.FindRequest) { r.ShopTransactionID = "" }, kicc.ResMissing, "shopTransactionId"},
		{"missing pgCno", func(r *kicc.FindRequest) { r.PgCno = "" }, kicc.ResMissing, "pgCno"},
		{"9-byte mallId", func(r *kicc.FindRequest) { r.MallID = "T00000012" }, kicc.ResTooLong, "mallId"},
		{"61-byte key", func(r *kicc.FindRequest) { r.ShopTransactionID = strings.Repeat("k", 61) }, kicc.ResTooLong, "shopTransactionId"},
		{"60-byte key is fine", func(r *kicc.FindRequest) { r.ShopTransactionID = strings.Repeat("k", 60) }, "", ""},
		{"21 Hangul syllables are 63 bytes", func(r *kicc.FindRequest) { r.ShopTransactionID = strings.Repeat("가", 21) }, kicc.ResTooLong, "shopTransactionId"},
		{"20 Hangul syllables are 60 bytes", func(r *kicc.FindRequest) { r.ShopTransactionID = strings.Repeat("가", 20) }, "", ""},
		{"61-byte cancelPgCno", func(r *kicc.FindRequest) { r.CancelPgCno = strings.Repeat("1", 61) }, kicc.ResTooLong, "cancelPgCno"},
		{"semicolon in pgCno", func(r *kicc.FindRequest) { r.PgCno = "1;2" }, kicc.ResFormat, "pgCno"},
		{"emoji in key", func(r *kicc.FindRequest) { r.ShopTransactionID = "k😀" }, kicc.ResFormat, "shopTransactionId"},
		{"first failing field wins", func(r *kicc.FindRequest) { r.MallID = ""; r.PgCno = "" }, kicc.ResMissing, "mallId"},
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
			assert.Equal(t, tc.resCd, err.ResCd)
			assert.Equal(t, tc.field, err.Field)
		})
	}
}

func TestForbiddenIndex(t *testing.T) {
	for _, s := range []string{"'", `"`, "<", ">", `\`, ";", "|", "\r", "\n", "&", "😀"} {
		i, _ := kicc.ForbiddenIndex("ab" + s)
		assert.Equal(t, 2, i, "%q is forbidden", s)
	}
	for _, s := range []string{"", "abc-_.:/ %26", "가나다", "é", "€"} {
		i, _ := kicc.ForbiddenIndex(s)
		assert.Equal(t, -1, i, "%q is allowed", s)
	}
	i, r := kicc.ForbiddenIndex("가😀")
	assert.Equal(t, 3, i)
	assert.Equal(t, '😀', r, "the forbidden character is named whole, not by its lead byte")
	i, r = kicc.ForbiddenIndex("a;b")
	assert.Equal(t, 1, i)
	assert.Equal(t, ';', r)
}

func TestDecode(t *testing.T) {
	cases := []struct {
		name  string
		body  string
		body4 bool   // a *BodyError (HTTP 400)
		field string // a 1003 FieldError on this field
	}{
		{"object", `{"mallId":"T0000001"}`, false, ""},
		{"unknown fields are ignored", `{"mallId":"T0000001","newField":1}`, false, ""},
		{"null cancelPgCno", `{"cancelPgCno":null}`, false, ""},
		{"empty", ``, true, ""},
		{"whitespace", " \n\t", true, ""},
		{"malformed", `{"mallId":`, true, ""},
		{"array", `[]`, true, ""},
		{"string", `"x"`, true, ""},
		{"null", `null`, true, ""},
		{"garbage", `xyz`, true, ""},
		{"number instead of string", `{"pgCno":25010112000010123456}`, false, "pgCno"},
		{"object instead of string", `{"mallId":{}}`, false, "mallId"},
		{"trailing garbage", `{"mallId":"a"} x`, true, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var r kicc.FindRequest
			err := kicc.Decode([]byte(tc.body), &r)
			var be *kicc.BodyError
			var fe *kicc.FieldError
			switch {
			case tc.body4:
				assert.ErrorAs(t, err, &be)
			case tc.field != "":
				require.ErrorAs(t, err, &fe)
				assert.Equal(t, kicc.ResFormat, fe.ResCd)
				assert.Equal(t, tc.field, fe.Field)
			default:
				assert.NoError(t, err)
			}
		})
	}
}

func TestMessagesNameTheField(t *testing.T) {
	var m kicc.Messages
	assert.Equal(t, "필수 항목 누락 (mallId)", m.Message(kicc.ResMissing, "mallId"))
	assert.Equal(t, "정상처리", m.Message(kicc.ResOK, ""))
	m = kicc.Messages{kicc.ResOK: "Success"}
	assert.Equal(t, "Success", m.Message(kicc.ResOK, ""))
	assert.Equal(t, "중복 요청 (shopTransactionId)", m.Message(kicc.ResDuplicate, "shopTransactionId"))
}

func TestIDGenerator(t *testing.T) {
	g := kicc.NewIDGenerator(10122119)
	now := time.Date(2025, 12, 27, 13, 3, 48, 0, time.UTC) // 22:03:48 KST
	assert.Equal(t, "25122722034810122119", g.Next(now))
	assert.Equal(t, "25122722034810122120", g.Next(now))
	assert.True(t, kicc.IsID(g.Next(now)))
	wrap := kicc.NewIDGenerator(99999999)
	assert.Equal(t, "25122722034899999999", wrap.Next(now))
	assert.Equal(t, "25122722034800000000", wrap.Next(now))
}

func TestKSTDates(t *testing.T) {
	utc := time.Date(2023, 3, 11, 15, 5, 12, 0, time.UTC)
	assert.Equal(t, "20230312000512", kicc.FormatDateTime(utc))
	back, err := kicc.ParseDateTime("20230312000512")
	require.NoError(t, err)
	assert.True(t, back.Equal(utc))

	at := time.Date(2026, 11, 25, 23, 59, 59, 500e6, kicc.KST)
	assert.Equal(t, time.Date(2026, 11, 26, 0, 0, 0, 0, kicc.KST), kicc.NextMidnight(at))
	assert.Equal(t, kicc.Day(at), kicc.Day(at.Add(-23*time.Hour)))
	assert.Equal(t, kicc.Day(at)+1, kicc.Day(at.Add(500*time.Millisecond)))
	// 15:00 UTC is midnight KST.
	assert.Equal(t, kicc.Day(utc)-1, kicc.Day(utc.Add(-5*time.Minute-13*time.Second)))
	before1970 := time.Date(1969, 12, 31, 23, 0, 0, 0, kicc.KST)
	assert.Equal(t, int64(-1), kicc.Day(before1970))
}

// The spec's test vectors (section 10), computed with a dummy key.
func TestMsgAuthValue(t *testing.T) {
	const key = "MOCK_SECRET_KEY_1234"
	assert.Equal(t, "9228eedbab60440aec13b7791faf7dda472d5ce2c21b953b4818d4cea32b6ab9",
		kicc.MsgAuthValue(key, "25122722034810122119", "4CC44FEA352B461890F6E465C5BB20BB"))
	assert.Equal(t, "0e0d1a3698385ba3e4143b4be74eb3dac74b40c02d82812588228a166ec9c7c2",
		kicc.MsgAuthValue(key, "23110811420910846419", "200", "20231108114209"))
	assert.Equal(t, "9db822537e2293e481bd1180fddf011ad4c85bcfa77685a29af023574780feeb",
		kicc.MsgAuthValue(key, "25010112000010123456", "3f1c0e7a-cancel-0001"))
}

func TestStatusLabels(t *testing.T) {
	for _, s := range kicc.Statuses {
		assert.NotEmpty(t, s.Label(), s)
	}
	assert.False(t, kicc.Status("TS03").Known())
}
