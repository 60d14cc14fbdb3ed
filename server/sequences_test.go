package server

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kicc-mock/kicc-mock/kicc"
)

// findSeq is a find-cancel whose magic id selects the built-in sequence
// cancel-pending-then-full (TS01, TS01, then TS02) for cancelPgCno id.
func findSeq(key, id string) string {
	return `{"mallId":"T0000001","shopTransactionId":"` + key + `","pgCno":"25010112000010123456","cancelPgCno":"mock-cancel-pending-then-full-` + id + `"}`
}

func TestSequencePositionsPastTheirCapAnswer9999AndLeaveTheKeyFree(t *testing.T) {
	srv, _ := newAdminTestServer(t, Config{MaxSequences: 1})
	answer := func(body string) map[string]any {
		t.Helper()
		rec := call(srv, http.MethodPost, "/api/trades/wechatpay/find", body)
		require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
		return decode[map[string]any](t, rec)
	}
	first := answer(findSeq("k1", "1"))
	assert.Equal(t, "0000", first["resCd"])

	full := answer(findSeq("k2", "2"))
	assert.Equal(t, "9999", full["resCd"])
	assert.Contains(t, full["resMsg"], "sequence positions full; raise --max-sequences or reset")

	assert.Equal(t, "0000", answer(findSeq("k3", "1"))["resCd"], "a position already held goes on")
	assert.Equal(t, "0000", answer(cancelFor("T0000001", "k2"))["resCd"], "the refused request did not use its key")

	st := decode[statsView](t, call(srv, http.MethodGet, "/__admin/stats", ""))
	assert.Equal(t, 1, st.SequencePositions)
	assert.Contains(t, call(srv, http.MethodGet, "/metrics", "").Body.String(), "kicc_mock_sequence_positions 1\n")

	require.Equal(t, http.StatusOK, call(srv, http.MethodPost, "/__admin/reset", "").Code)
	st = decode[statsView](t, call(srv, http.MethodGet, "/__admin/stats", ""))
	assert.Equal(t, 0, st.SequencePositions)
	assert.Equal(t, "0000", answer(findSeq("k4", "2"))["resCd"], "reset makes room")
}

func TestSequencePositionsStartAgainAtKSTMidnight(t *testing.T) {
	srv, fake := newAdminTestServer(t, Config{})
	status := func(key string) any {
		t.Helper()
		rec := call(srv, http.MethodPost, "/api/trades/wechatpay/find", findSeq(key, "1"))
		require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
		return decode[map[string]any](t, rec)["cancelStatus"]
	}
	assert.Equal(t, "TS01", status("k1"))
	assert.Equal(t, "TS01", status("k2"))
	assert.Equal(t, "TS02", status("k3"))
	fake.Advance(kicc.NextMidnight(fake.Now()).Sub(fake.Now()))
	assert.Equal(t, "TS01", status("k4"), "the new KST day starts the sequence again")
}
