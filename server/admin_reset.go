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
// What the reset dropped (a million sequence positions, say) is garbage
// that no collection would visit until the next allocations, and freed
// heap goes back to the system only by degrees: FreeOSMemory collects and
// returns it now, so the process's resident size falls with the reset. It
// costs one collection of a small live heap, on a call tests make between
// cases, not on the KICC path.
func (s *Server) handleReset(c echo.Context) error {
	s.Reset()
	debug.FreeOSMemory()
	return httpio.WriteValue(c.Response(), http.StatusOK, map[string]string{"status": "reset"})
}
