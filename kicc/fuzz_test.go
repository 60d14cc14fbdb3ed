package kicc_test

import (
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
