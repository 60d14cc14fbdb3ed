package server

import (
	"net/http"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"testing"
	"time"

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

// TestGCHeapFloorRaisesTheCollectorsGoal: with a floor, the heap goal after a
// collection is at least twice the floor (GOGC=100: the floor counts as
// live), and the stats report the heap without it.
func TestGCHeapFloorRaisesTheCollectorsGoal(t *testing.T) {
	const floor = 256 << 20 // far above this test binary's own heap
	srv, _ := newAdminTestServer(t, Config{GCHeapFloor: floor})
	require.Eventually(t, func() bool { return srv.gcFloor.Load() != nil }, 5*time.Second, time.Millisecond,
		"New allocates the floor in the background")
	defer debug.SetGCPercent(debug.SetGCPercent(100)) // the goal below is for GOGC=100
	runtime.GC()
	goal := []metrics.Sample{{Name: "/gc/heap/goal:bytes"}}
	metrics.Read(goal)
	assert.GreaterOrEqual(t, goal[0].Value.Uint64(), uint64(2*floor))

	st := decode[statsView](t, call(srv, http.MethodGet, "/__admin/stats", ""))
	assert.Equal(t, floor, st.GCHeapFloorBytes)
	assert.Less(t, st.HeapBytes, uint64(floor), "heapBytes leaves the floor out")
	runtime.KeepAlive(srv)
}
