package kicc_test

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/kicc-mock/kicc-mock/kicc"
)

// FuzzDecodeFind: any body either fails as a *BodyError (HTTP 400), a
// *FieldError (a resCd), or decodes and then validates to nil or a
// *FieldError. Never a panic, never another error type.
func FuzzDecodeFind(f *testing.F) {
	for _, s := range []string{
		`{"mallId":"T0000001","shopTransactionId":"k","pgCno":"25010112000010123456","cancelPgCno":"25010112300010123470"}`,
		`{"mallId":1}`, `[]`, ``, `{`, `null`, `{"pgCno":"😀"}`, `{"mallId":"\u0000"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var r kicc.FindRequest
		err := kicc.Decode(body, &r)
		var be *kicc.BodyError
		var fe *kicc.FieldError
		switch {
		case err == nil:
			if ve := r.Validate(); ve != nil && ve.ResCd == "" {
				t.Fatalf("validation error without resCd: %v", ve)
			}
		case errors.As(err, &be):
		case errors.As(err, &fe):
			if fe.ResCd != kicc.ResFormat || fe.Field == "" {
				t.Fatalf("type error must be 1003 naming a field: %+v", fe)
			}
		default:
			t.Fatalf("unexpected error type %T: %v", err, err)
		}
	})
}

// FuzzDecodeFlatAgreesWithJSON: whenever the fast path decodes a body, the
// result is exactly what encoding/json makes of it, and encoding/json
// accepts it too.
func FuzzDecodeFlatAgreesWithJSON(f *testing.F) {
	for _, s := range []string{
		`{"mallId":"T0000001","shopTransactionId":"k","pgCno":"1","cancelPgCno":"2"}`,
		` { "MALLID" : "x" } `, `{"pgCno":null}`, `{"pgCno":"가"}`, `{"a":"b","pgCno":"c"}`,
		`{"pgCno":"\u0041"}`, `{"pgCno":"a"}x`, `{}`, `{"pgCno":"a","pgCno":"b"}`, "{\"pgCno\":\"\xff\"}",
		`{"ſhopTransactionId":"k"}`,
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
	})
}
