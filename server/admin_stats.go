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
	Goroutines       int    `json:"goroutines"`
	HeapBytes        uint64 `json:"heapBytes"`        // live heap, the GC floor left out
	GCHeapFloorBytes int    `json:"gcHeapFloorBytes"` // Config.GCHeapFloor
	JournalEntries   int    `json:"journalEntries"`
	JournalBytes     int    `json:"journalBytes"` // bounded by Config.JournalMaxBytes
	LedgerKeys       int    `json:"ledgerKeys"`
	RuntimeScenarios int    `json:"runtimeScenarios"`
	// SequencePositions are the positions of sequence scenarios held.
	SequencePositions int `json:"sequencePositions"`
	// Connections is the --max-conns limit; absent when there is none.
	Connections   *ConnStats `json:"connections,omitempty"`
	UptimeSeconds float64    `json:"uptimeSeconds"`
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
	var conns *ConnStats
	if s.conns != nil {
		st := s.conns.Stats()
		conns = &st
	}
	return httpio.WriteValue(c.Response(), http.StatusOK, statsView{
		Goroutines:        runtime.NumGoroutine(),
		HeapBytes:         heap,
		GCHeapFloorBytes:  floor,
		JournalEntries:    s.journal.Len(),
		JournalBytes:      s.journal.Bytes(),
		LedgerKeys:        s.ledger.Len(),
		RuntimeScenarios:  runtimeN,
		SequencePositions: s.sequences.Len(),
		Connections:       conns,
		UptimeSeconds:     time.Since(started).Round(time.Millisecond).Seconds(),
	})
}
