package kicc_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kicc-mock/kicc-mock/kicc"
)

// encoding/json turns invalid UTF-8 and lone surrogate escapes
// into U+FFFD, so two different keys became one (and the second got 1010).
// Decode refuses them instead, naming the field; a key that is not text is
// a 400, as there is no field to name.
func TestDecodeRefusesTextThatIsNotUnicode(t *testing.T) {
	cases := []struct {
		name  string
		body  string
		field string // "" = a *BodyError
	}{
		{"invalid UTF-8 in the key", "{\"mallId\":\"T0000001\",\"shopTransactionId\":\"A\xff\xfeA\",\"pgCno\":\"1\"}", "shopTransactionId"},
		{"an overlong slash", "{\"shopTransactionId\":\"A\xc0\xafA\"}", "shopTransactionId"},
		{"a truncated Hangul syllable", "{\"pgCno\":\"\xea\xb0\"}", "pgCno"},
		{"a UTF-16 surrogate encoded as UTF-8", "{\"pgCno\":\"\xed\xa0\x80\"}", "pgCno"},
		{"a lone high surrogate escape", `{"pgCno":"\ud800"}`, "pgCno"},
		{"a lone low surrogate escape", `{"pgCno":"a\uDC00b"}`, "pgCno"},
		{"a high surrogate followed by text", `{"pgCno":"\ud800\u0041"}`, "pgCno"},
		{"two high surrogates", `{"pgCno":"\ud800\ud800"}`, "pgCno"},
		{"a surrogate after an escaped backslash", `{"pgCno":"\\\ud800"}`, "pgCno"},
		{"a key matched case-insensitively is named as the field", "{\"MALLID\":\"\xff\"}", "mallId"},
		{"an escaped key is named as the field", "{\"mall\\u0049d\":\"\xff\"}", "mallId"},
		{"an unknown field", "{\"mallId\":\"T0000001\",\"note\":\"\xff\"}", "note"},
		{"deep in an unknown field", "{\"extra\":{\"a\":[1,\"ok\",{\"b\":\"\xff\"}]}}", "extra.a[2].b"},
		{"an empty key is named quoted", "{\"\":\"\x980\"}", `""`},
		{"a key that does not read as a name is quoted", "{\"a\":{\"b.c \\u0000\":[\"\xff\"]}}", `a."b.c \x00"[0]`},
		{"a shadowed duplicate", "{\"pgCno\":\"\xff\",\"pgCno\":\"1\"}", "pgCno"},
		{"the first in the body wins", "{\"pgCno\":\"\xff\",\"mallId\":\"\xff\"}", "pgCno"},
		{"encoding before a wrong type", "{\"mallId\":1,\"pgCno\":\"\xff\"}", "pgCno"},
		{"a key that is not UTF-8", "{\"\xff\":\"x\"}", ""},
		{"a key that is a lone surrogate", `{"\udfff":1}`, ""},
		{"a nested key that is not UTF-8", "{\"extra\":{\"\xc0\":1}}", ""},
		{"invalid UTF-8 outside a string is a syntax error", "{\"pgCno\":\"1\"}\xff", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var r kicc.FindRequest
			err := kicc.Decode([]byte(tc.body), &r)
			if tc.field == "" {
				var be *kicc.BodyError
				require.ErrorAs(t, err, &be)
				return
			}
			var fe *kicc.FieldError
			require.ErrorAs(t, err, &fe)
			assert.Equal(t, kicc.ResFormat, fe.ResCd)
			assert.Equal(t, tc.field, fe.Field)
		})
	}
}

func TestDecodeRefusesTextThatIsNotUnicodeInNestedFields(t *testing.T) {
	var c kicc.CreateRequest
	err := kicc.Decode([]byte("{\"mallId\":\"T0000001\",\"amountInfo\":{\"Currency\":\"KR\xff\",\"totalAmount\":1},\"customerInfo\":{\"customerName\":\"x\"}}"), &c)
	var fe *kicc.FieldError
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, "amountInfo.currency", fe.Field)
	assert.Equal(t, "T0000001", c.MallID, "the rest is decoded, so the error answer can echo the ids")

	err = kicc.Decode([]byte(`{"customerInfo":{"customerName":"\udbff"}}`), &c)
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, "customerInfo.customerName", fe.Field)

	var r kicc.ReviseRequest
	err = kicc.Decode([]byte("{\"memo\":\"\xe2\x82\"}"), &r)
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, "memo", fe.Field)
}

// Text that is valid Unicode stays accepted, escaped or not.
func TestDecodeAcceptsUnicode(t *testing.T) {
	for _, body := range []string{
		`{"pgCno":"\ud83d\ude00"}`, // a valid pair (an emoji, refused later by Validate)
		`{"pgCno":"\uD83D\uDE00"}`,
		`{"pgCno":"\\ud800"}`,                                // an escaped backslash and the text "ud800"
		`{"pgCno":"\ufffd"}`, "{\"pgCno\":\"\xef\xbf\xbd\"}", // U+FFFD sent as such
		`{"pgCno":"가"}`, `{"pgCno":"\uac00"}`, `{"extra":{"a":["\u00e9",{"\u00e9":"é"}]}}`,
	} {
		var r kicc.FindRequest
		assert.NoError(t, kicc.Decode([]byte(body), &r), body)
	}
}

// The named field is the sender's to choose when it is unknown, and ends up
// in resMsg: it is cut at kicc.MaxFieldName bytes.
func TestDecodeBoundsTheFieldItNames(t *testing.T) {
	bodies := map[string]string{
		"a long key":   "{\"" + strings.Repeat("가", 20000) + "\":\"\xff\"}",
		"a deep array": `{"a":` + strings.Repeat("[", 9000) + `"\ud800"` + strings.Repeat("]", 9000) + "}",
		"escapes":      `{"` + strings.Repeat(`\u00e9`, 5000) + `":"\ud800"}`,
	}
	for name, body := range bodies {
		var r kicc.FindRequest
		var fe *kicc.FieldError
		require.ErrorAs(t, kicc.Decode([]byte(body), &r), &fe, name)
		assert.LessOrEqual(t, len(fe.Field), kicc.MaxFieldName, name)
		assert.True(t, utf8.ValidString(fe.Field), name)
		assert.True(t, strings.HasSuffix(fe.Field, "..."), name)
	}
}
