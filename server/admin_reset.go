package server

import (
	"net/http"
	"runtime/debug"

	"github.com/labstack/echo/v4"

	"github.com/kicc-mock/kicc-mock/httpio"
)

// onReset adds f to what POST /__admin/reset runs, for state kept outside
// the server's own fields (scenarios, sequences, defaults, transactions).
// Call it while building the server, before it serves.
func (s *Server) onReset(f func()) { s.resetHooks = append(s.resetHooks, f) }

// Reset puts the mock back in its start state: no used idempotency keys, an
// empty journal, the real (or configured) clock, and whatever the reset hooks
// restore.
func (s *Server) Reset() {
	s.ledger.Reset()
	s.journal.Clear()
	s.clock.Reset()
	for _, f := range s.resetHooks {
		f()
	}
}

// handleReset serves POST /__admin/reset, which tests call between cases.
func (s *Server) handleReset(c echo.Context) error {
	s.Reset()
	s.releaseMemory()
	return httpio.WriteValue(c.Response(), http.StatusOK, map[string]string{"status": "reset"})
}

// releaseMemory gives what a reset dropped back to the system, after the
// answer. What a reset drops (a million sequence positions, say) is garbage
// no collection would visit until the next allocations, and freed heap goes
// back to the system only by degrees: FreeOSMemory collects and returns it
// at once, so the resident size falls with the reset. It takes milliseconds
// (a reset answered 7 ms instead of 0.5), which a suite resetting between a
// thousand cases would wait for seconds; so it runs beside the answer, one
// release at a time, once more for resets that came during it.
func (s *Server) releaseMemory() {
	if s.releasesPending.Add(1) != 1 {
		return // the running release goes round again
	}
	go func() {
		for {
			n := s.releasesPending.Load()
			debug.FreeOSMemory()
			if s.releasesPending.Add(-n) == 0 {
				return
			}
		}
	}()
}
