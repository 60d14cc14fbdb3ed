package pipeline

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/kicc-mock/kicc-mock/httpio"
	"github.com/kicc-mock/kicc-mock/kicc"
	"github.com/kicc-mock/kicc-mock/scenarios"
)

// fieldsEndpoint is an Endpoint whose fingerprint fields are given.
type fieldsEndpoint []string

func (f fieldsEndpoint) Fingerprint(_ kicc.Request, add func(string)) {
	for _, s := range f {
		add(s)
	}
}

// The rest of Endpoint is not used by fingerprint.
func (fieldsEndpoint) New() kicc.Request                    { return nil }
func (fieldsEndpoint) Kind(kicc.Request) scenarios.Endpoint { return "" }
func (fieldsEndpoint) MagicID(kicc.Request) string          { return "" }
func (fieldsEndpoint) TransactionID(kicc.Request) string    { return "" }
func (fieldsEndpoint) Check(kicc.Request) *kicc.FieldError  { return nil }
func (fieldsEndpoint) Act(*Call) (any, *kicc.FieldError)    { return nil, nil }
func (fieldsEndpoint) Done(*Call, any)                      {}
func (fieldsEndpoint) Recorded(*Call) (httpio.Appender, *kicc.FieldError, bool) {
	return nil, nil, false
}

func TestFingerprintTellsFieldsApart(t *testing.T) {
	p := &Pipeline{Mode: ModeReplay}
	fp := func(fields ...string) uint64 {
		for len(fields) < 2 {
			fields = append(fields, "")
		}
		call := &Call{HTTP: httptest.NewRequest(http.MethodPost, kicc.PathFind, nil),
			Req: &kicc.FindRequest{MallID: fields[0], ShopTransactionID: fields[1]}}
		return p.fingerprint(call, fieldsEndpoint(fields[2:]))
	}
	for _, pair := range [][2][]string{
		{{"T00001\x00", "K1"}, {"T00001", "\x00K1"}},
		{{"a\x01", "b"}, {"a", "\x01b"}},
		{{"a\x00\x00", "b"}, {"a\x00", "\x00b"}},
		{{"a\x01\x01", ""}, {"a\x00", ""}},
		{{"", "x"}, {"x", ""}},
	} {
		assert.NotEqual(t, fp(pair[0]...), fp(pair[1]...), "%q and %q", pair[0], pair[1])
	}
	// Fields free of NUL and 0x01 hash as before the escaping: the
	// fingerprints a --data-dir keeps from an earlier version still match.
	before := func(path string, fields ...string) uint64 {
		h := uint64(14695981039346656037)
		add := func(f string) {
			for i := 0; i < len(f); i++ {
				h = (h ^ uint64(f[i])) * 1099511628211
			}
		}
		add(path)
		for _, f := range fields {
			h *= 1099511628211
			add(f)
		}
		return h
	}
	fields := []string{"T0000001", "4CC44FEA352B461890F6E465C5", "25010112000010123456", ""}
	assert.Equal(t, before(kicc.PathFind, fields...), fp(fields...))
}
