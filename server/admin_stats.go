package server

import (
	"net/http"
	"runtime"
	"runtime/metrics"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/kicc-mock/kicc-mock/httpio"
)

// statsView is GET /__admin/stats: what a soak test watches for growth.
type statsView struct {
	Goroutines       int     `json:"goroutines"`
	HeapBytes        uint64  `json:"heapBytes"`        // live heap, the GC floor left out
	GCHeapFloorBytes int     `json:"gcHeapFloorBytes"` // Config.GCHeapFloor
	JournalEntries   int     `json:"journalEntries"`
	JournalBytes     int     `json:"journalBytes"` // bounded by Config.JournalMaxBytes
	LedgerKeys       int     `json:"ledgerKeys"`
	RuntimeScenarios int     `json:"runtimeScenarios"`
	UptimeSeconds    float64 `json:"uptimeSeconds"`
}

// heapMetric is the live heap without a stop-the-world ReadMemStats.
const heapMetric = "/memory/classes/heap/objects:bytes"

// started is when the process loaded the server package, for uptime.
var started = time.Now()

// handleStats serves GET /__admin/stats. It is cheap enough to poll every
// second: no stop-the-world, no walk over the ledger.
func (s *Server) handleStats(c echo.Context) error {
	sample := []metrics.Sample{{Name: heapMetric}}
	metrics.Read(sample)
	floor := 0
	if f := s.gcFloor.Load(); f != nil {
		floor = len(*f)
	}
	var heap uint64
	if sample[0].Value.Kind() == metrics.KindUint64 {
		heap = sample[0].Value.Uint64() - min(uint64(floor), sample[0].Value.Uint64())
	}
	s.scenMu.Lock()
	runtimeN := len(s.layers.runtime)
	s.scenMu.Unlock()
	return httpio.WriteValue(c.Response(), http.StatusOK, statsView{
		Goroutines:       runtime.NumGoroutine(),
		HeapBytes:        heap,
		GCHeapFloorBytes: floor,
		JournalEntries:   s.journal.Len(),
		JournalBytes:     s.journal.Bytes(),
		LedgerKeys:       s.ledger.Len(),
		RuntimeScenarios: runtimeN,
		UptimeSeconds:    time.Since(started).Round(time.Millisecond).Seconds(),
	})
}
