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
