package server

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kicc-mock/kicc-mock/kicc"
	"github.com/kicc-mock/kicc-mock/scenarios"
)

// TestScenarioWithoutABodyAnswersAsTheGenericRendering: a scenario response
// with no body and HTTP 200 (a delay or a fault alone) skips the generic
// object and encodes the default answer directly; the bytes must be the
// generic path's, for both inquiries, both currencies and many ids.
func TestScenarioWithoutABodyAnswersAsTheGenericRendering(t *testing.T) {
	scs, err := scenarios.Parse("t.yaml", []byte("version: 1\nscenarios:\n  - name: plain-delay\n    responses: [{delay: 1s}]\n"), scenarios.Options{})
	require.NoError(t, err)
	sc := scs[0]
	resp := sc.Response(0)
	require.Nil(t, resp.Body)
	now := time.Date(2026, 12, 1, 23, 59, 59, 0, kicc.KST)
	for _, currency := range []string{kicc.CurrencyKRW, "USD"} {
		for _, seed := range []int64{0, 42} {
			s, err := New(Config{Currency: currency, Seed: seed})
			require.NoError(t, err)
			for i := range 50 {
				for _, req := range []kicc.FindRequest{
					{MallID: "T0000001", ShopTransactionID: fmt.Sprint("k", i), PgCno: fmt.Sprint("2512272203481012", i)},
					{MallID: "T0000002", ShopTransactionID: fmt.Sprint("k", i), PgCno: fmt.Sprint("2512272203481012", i),
						CancelPgCno: fmt.Sprint("2512272204421012", i)},
				} {
					fastStatus, fast := s.renderFind(sc, resp, &req, now)
					slowStatus, slow := s.renderFindBody(sc, resp, &req, now)
					require.Equal(t, slowStatus, fastStatus)
					require.Equal(t, string(slow), string(fast), "%s seed %d, %+v", currency, seed, req)
				}
			}
			s.Close()
		}
	}
}
