package server

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/kicc-mock/kicc-mock/httpio"
	"github.com/kicc-mock/kicc-mock/lint"
	"github.com/kicc-mock/kicc-mock/store"
)

// handleLint serves GET /__admin/lint: the lint mode, and per code the
// findings counted since the start (or the last reset) with the last one.
func (s *Server) handleLint(c echo.Context) error {
	return httpio.WriteValue(c.Response(), http.StatusOK, map[string]any{
		"mode": s.lint.Mode, "codes": s.lint.Codes(),
	})
}

// lintState answers the linter's questions from the sandbox's store.
type lintState struct{ t store.Transactions }

var _ lint.State = lintState{}

func (l lintState) Holds() bool { return l.t.Len() > 0 }

func (l lintState) Payment(pgCno string) (string, time.Time, bool, bool) {
	p, ok := l.t.Payment(pgCno)
	return p.MallID, p.CreatedAt, p.State != store.PaymentCreated, ok
}

func (l lintState) Cancel(cancelPgCno string) (string, bool) {
	c, ok := l.t.Cancel(cancelPgCno)
	return c.PgCno, ok
}
