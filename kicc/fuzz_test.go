package kicc_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"testing"
	"unicode/utf8"

	"github.com/kicc-mock/kicc-mock/kicc"
)

// FuzzDecodeFind: any body either fails as a *BodyError (HTTP 400), a
// *FieldError (a resCd), or decodes and then validates to nil or a
// *FieldError. Never a panic, never another error type. Whatever Decode
// accepts is valid UTF-8, and whatever Decode and Validate both accept
// holds only text KICC takes in every string field: valid UTF-8, no
// control character, nothing forbidden. The same body also goes to create
// and revise, whose nested fields take the encoding/json path.
func FuzzDecodeFind(f *testing.F) {
	for _, s := range []string{
		`{"mallId":"T0000001","shopTransactionId":"k","pgCno":"25010112000010123456","cancelPgCno":"25010112300010123470"}`,
		`{"mallId":1}`, `[]`, ``, `{`, `null`, `{"pgCno":"😀"}`, `{"mallId":"\u0000"}`,
		"{\"mallId\":\"T0000001\",\"shopTransactionId\":\"A\xff\xfeA\",\"pgCno\":\"1\"}",
		"{\"mallId\":\"T0000001\",\"shopTransactionId\":\"A\xc0\xafA\",\"pgCno\":\"1\"}",
		`{"mallId":"T0000001","shopTransactionId":"\ud800","pgCno":"1"}`,
		`{"mallId":"T0000001","shopTransactionId":"\udc00\ud800x","pgCno":"1"}`,
		`{"mallId":"T0000001","shopTransactionId":"\\ud800","pgCno":"1"}`,
		`{"mallId":"T00001\u0000","shopTransactionId":"K1","pgCno":"1"}`,
		`{"mallId":"T00001","shopTransactionId":"\u0000K1","pgCno":"1"}`,
		`{"mallId":"T00001","shopTransactionId":"K\t1","pgCno":"1\u001f"}`,
		"{\"mallId\":\"T00001\",\"shopTransactionId\":\"K\x7f\",\"pgCno\":\"\xc2\x85\"}",
		"{\"mallId\":\"T0000001\",\"extra\":{\"a\":[1,{\"b\":\"\xff\"}]}}",
		"{\"\xff\":1}", `{"\ud800":1}`,
		"{\"mallId\":\"T0000001\",\"amountInfo\":{\"currency\":\"KR\xff\",\"totalAmount\":1}}",
		`{"customerInfo":{"customerName":"\udbff\udfff","customerAddr":"a\tb"},"memo":"\u0085"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var find kicc.FindRequest
		checkDecode(t, body, &find, find.Validate)
		var create kicc.CreateRequest
		checkDecode(t, body, &create, create.Validate)
		var revise kicc.ReviseRequest
		checkDecode(t, body, &revise, revise.Validate)
	})
}

func checkDecode(t *testing.T, body []byte, req any, validate func() *kicc.FieldError) {
	t.Helper()
	err := kicc.Decode(body, req)
	var be *kicc.BodyError
	var fe *kicc.FieldError
	switch {
	case err == nil:
		if !utf8.Valid(body) {
			t.Fatalf("Decode accepted a body that is not UTF-8: %q", body)
		}
		ve := validate()
		if ve != nil && ve.ResCd == "" {
			t.Fatalf("validation error without resCd: %v", ve)
		}
		if ve == nil {
			checkText(t, reflect.ValueOf(req), "")
		}
	case errors.As(err, &be):
	case errors.As(err, &fe):
		if fe.ResCd != kicc.ResFormat || fe.Field == "" {
			t.Fatalf("a Decode field error must be 1003 naming a field: %+v", fe)
		}
	default:
		t.Fatalf("unexpected error type %T: %v", err, err)
	}
}

// checkText fails t if a string in v, at any depth, is not text KICC
// takes.
func checkText(t *testing.T, v reflect.Value, path string) {
	t.Helper()
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			checkText(t, v.Elem(), path)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			checkText(t, v.Field(i), path+"."+v.Type().Field(i).Name)
		}
	case reflect.String:
		s := v.String()
		if !utf8.ValidString(s) {
			t.Fatalf("%s = %q accepted, not UTF-8", path, s)
		}
		for _, r := range s {
			if r < 0x20 || r >= 0x7f && r <= 0x9f {
				t.Fatalf("%s = %q accepted with control character %U", path, s, r)
			}
		}
		if i, _ := kicc.ForbiddenIndex(s); i >= 0 {
			t.Fatalf("%s = %q accepted with a forbidden character at %d", path, s, i)
		}
	}
}

// FuzzDecodeFlatAgreesWithJSON: whenever the fast path decodes a body, the
// result is exactly what encoding/json makes of it, and encoding/json
// accepts it too. The body is then valid UTF-8 without a single escape:
// Decode checks the fast path's results for neither.
func FuzzDecodeFlatAgreesWithJSON(f *testing.F) {
	for _, s := range []string{
		`{"mallId":"T0000001","shopTransactionId":"k","pgCno":"1","cancelPgCno":"2"}`,
		` { "MALLID" : "x" } `, `{"pgCno":null}`, `{"pgCno":"가"}`, `{"a":"b","pgCno":"c"}`,
		`{"pgCno":"\u0041"}`, `{"pgCno":"a"}x`, `{}`, `{"pgCno":"a","pgCno":"b"}`, "{\"pgCno\":\"\xff\"}",
		`{"ſhopTransactionId":"k"}`,
		"{\"shopTransactionId\":\"A\xff\xfeA\"}", "{\"shopTransactionId\":\"A\xc0\xafA\"}",
		"{\"pgCno\":\"\xed\xa0\x80\"}", `{"pgCno":"\ud800"}`, `{"pgCno":"\ud83d\ude00"}`,
		`{"pgCno":"\u0000"}`, `{"pgCno":"a\tb"}`, "{\"pgCno\":\"a\tb\"}", "{\"pgCno\":\"a\x00b\"}",
		"{\"pgCno\":\"a\x7fb\"}", "{\"pgCno\":\"\xc2\x85\"}", "{\"\xff\":\"x\",\"pgCno\":\"1\"}",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var fast kicc.FindRequest
		if !kicc.DecodeFlatForTest(body, &fast) {
			return
		}
		var ref kicc.FindRequest
		if err := json.Unmarshal(body, &ref); err != nil {
			t.Fatalf("fast path accepted %q, encoding/json refused it: %v", body, err)
		}
		if fast != ref {
			t.Fatalf("fast path %+v != encoding/json %+v for %q", fast, ref, body)
		}
		if !utf8.Valid(body) || bytes.IndexByte(body, '\\') >= 0 {
			t.Fatalf("fast path accepted %q, which is not UTF-8 or has an escape", body)
		}
	})
}
