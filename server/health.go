package server

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/kicc-mock/kicc-mock/httpio"
)

// handleHealth answers 200 while the server serves; the container's
// HEALTHCHECK and `kicc-mock healthcheck` call it.
func (s *Server) handleHealth(c echo.Context) error {
	return httpio.WriteValue(c.Response(), http.StatusOK, map[string]string{"status": "UP", "version": s.cfg.Version})
}
