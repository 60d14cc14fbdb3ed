package server

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"strings"

	"github.com/kicc-mock/kicc-mock/httpio"

	"github.com/labstack/echo/v4"
)

// pathHealth is the one admin endpoint that never needs the token: container
// health checks cannot send one.
const pathHealth = "/__admin/health"

// Messages of the admin token check.
const (
	msgTokenMissing = "this admin endpoint needs Authorization: Bearer <token> (the server runs with --admin-token / KICC_MOCK_ADMIN_TOKEN)"
	msgTokenWrong   = "the admin token is wrong"
)

// requireAdminToken guards every /__admin path but health when
// Config.AdminToken is set; KICC endpoints never need it. It is a global
// middleware keyed on the path rather than a route group, so admin routes
// added anywhere are guarded without further wiring, and unknown admin paths
// stay JSON 404s (for holders of the token) and wrong methods 405s.
func (s *Server) requireAdminToken(next echo.HandlerFunc) echo.HandlerFunc {
	if s.cfg.AdminToken == "" {
		return next
	}
	// Comparing hashes keeps the comparison constant-time in the token's
	// length too.
	want := sha256.Sum256([]byte(s.cfg.AdminToken))
	return func(c echo.Context) error {
		path := c.Request().URL.Path
		if !isAdminPath(path) || path == pathHealth {
			return next(c)
		}
		auth := c.Request().Header.Get(echo.HeaderAuthorization)
		scheme, token, ok := strings.Cut(auth, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") {
			return unauthorized(c, msgTokenMissing)
		}
		got := sha256.Sum256([]byte(strings.TrimSpace(token)))
		if subtle.ConstantTimeCompare(got[:], want[:]) != 1 {
			return unauthorized(c, msgTokenWrong)
		}
		return next(c)
	}
}

func unauthorized(c echo.Context, msg string) error {
	c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="kicc-mock admin"`)
	return &httpio.Error{Status: http.StatusUnauthorized, Message: msg}
}
