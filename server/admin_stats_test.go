package server

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAdminStatsCountsState(t *testing.T) {
	srv, _ := newAdminTestServer(t, Config{})
	for _, k := range []string{"a", "b", "c"} {
		rec := call(srv, http.MethodPost, "/api/trades/wechatpay/find", cancelFor("T0000001", k))
		require.Equal(t, http.StatusOK, rec.Code)
	}
	rec := call(srv, http.MethodPost, "/__admin/scenarios", merchant42YAML, "Content-Type", "application/yaml")
	require.Equal(t, http.StatusOK, rec.Code)

	st := decode[statsView](t, call(srv, http.MethodGet, "/__admin/stats", ""))
	assert.Equal(t, 3, st.LedgerKeys)
	assert.Equal(t, 3, st.JournalEntries)
	assert.Equal(t, 1, st.RuntimeScenarios)
	assert.Positive(t, st.Goroutines)
	assert.Positive(t, st.HeapBytes)
}
