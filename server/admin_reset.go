package server

import (
	"net/http"

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
	return httpio.WriteValue(c.Response(), http.StatusOK, map[string]string{"status": "reset"})
}
