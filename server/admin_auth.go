package server

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"net/url"
	"strings"

	"github.com/kicc-mock/kicc-mock/dashboard"
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
	// Echo applies global middleware on every request: the hashes are
	// computed once, in New (adminTokenHash, adminSession).
	want, session := s.adminTokenHash, s.adminSession
	return func(c echo.Context) error {
		r := c.Request()
		path := r.URL.Path
		if !isAdminPath(path) || path == pathHealth {
			return next(c)
		}
		auth := r.Header.Get(echo.HeaderAuthorization)
		scheme, token, ok := strings.Cut(auth, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") {
			if path == dashboard.Path && r.URL.Query().Has("token") {
				return s.openDashboard(c, next, want, session)
			}
			if hasSession(r, session) {
				return next(c)
			}
			if path == dashboard.Path || strings.HasPrefix(path, dashboard.Path+"/") || path == pathEvents {
				return unauthorized(c, msgDashboardToken)
			}
			return unauthorized(c, msgTokenMissing)
		}
		if !tokenMatches(token, want) {
			return unauthorized(c, msgTokenWrong)
		}
		return next(c)
	}
}

// tokenMatches reports whether token, as a header or the dashboard's query
// gives it, is the admin token whose hash is want. Comparing hashes keeps
// the check constant-time in the token's length too.
func tokenMatches(token string, want [sha256.Size]byte) bool {
	got := sha256.Sum256([]byte(strings.TrimSpace(token)))
	return subtle.ConstantTimeCompare(got[:], want[:]) == 1
}

// crossOrigin tells a write the browser sent for another origin's page
// (Sec-Fetch-Site, or else Origin against Host). A browser sends a form's
// POST anywhere, with no preflight: without an admin token nothing else
// would keep any site a tester visits from resetting the mock on
// 127.0.0.1, paying its payments or resending its webhooks. Scripts and
// curl send neither header, and reads are not refused (another origin's
// page cannot see the answer).
var crossOrigin = http.NewCrossOriginProtection()

const msgCrossOrigin = "the admin API refuses a write from another origin's page (Sec-Fetch-Site or Origin says so): " +
	"call it from a script, or from the mock's own dashboard"

func refuseCrossOrigin(r *http.Request) error {
	if crossOrigin.Check(r) == nil {
		return nil
	}
	return &httpio.Error{Status: http.StatusForbidden, Message: msgCrossOrigin}
}

// The dashboard is a page a person opens, which cannot send an
// Authorization header (nor can its EventSource). Opened once as
// /__admin/ui?token=<token>, it is answered with a cookie standing for the
// token, and the page takes the token out of the address bar and the
// history. The page is served then and there rather than through a
// redirect: a SameSite=Strict cookie is not sent on a redirect that a link
// from another site started. The cookie is HttpOnly (the page's script
// never sees it), SameSite=Strict and limited to /__admin, so other sites'
// pages cannot use it: their requests arrive without it. It is a hash of
// the token, so changing the token ends every session.
const (
	dashboardCookie   = "kicc_mock_admin"
	pathEvents        = "/__admin/events"
	msgDashboardToken = "the dashboard needs the admin token: open " + dashboard.Path + "?token=<token> once (the server runs with --admin-token / KICC_MOCK_ADMIN_TOKEN)"
)

func dashboardSession(token string) [sha256.Size]byte {
	return sha256.Sum256([]byte("kicc-mock dashboard session\x00" + token))
}

// hasSession reports whether r carries the dashboard's cookie for the
// token, sent by the mock's own pages: a request a browser marks as coming
// from another site does not count, cookie or not.
func hasSession(r *http.Request, session [sha256.Size]byte) bool {
	switch r.Header.Get("Sec-Fetch-Site") {
	case "same-origin", "none":
	case "":
		// A browser without Fetch Metadata sends the Strict cookie with
		// another port's page (the same site); its Origin, when it sends
		// one, tells.
		if o := r.Header.Get("Origin"); o != "" {
			u, err := url.Parse(o)
			if err != nil || u.Host == "" || !strings.EqualFold(u.Host, r.Host) {
				return false
			}
		}
	default:
		return false
	}
	ck, err := r.Cookie(dashboardCookie)
	if err != nil {
		return false
	}
	got, err := hex.DecodeString(ck.Value)
	return err == nil && subtle.ConstantTimeCompare(got, session[:]) == 1
}

// openDashboard answers /__admin/ui?token=: the cookie and the page when
// the token is right, 401 when it is not.
func (s *Server) openDashboard(c echo.Context, page echo.HandlerFunc, want, session [sha256.Size]byte) error {
	if !tokenMatches(c.QueryParam("token"), want) {
		return unauthorized(c, msgTokenWrong)
	}
	c.SetCookie(&http.Cookie{Name: dashboardCookie, Value: hex.EncodeToString(session[:]), Path: "/__admin",
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: c.Scheme() == "https"})
	c.Response().Header().Set("Cache-Control", "no-store") // an answer to a URL with the token in it
	return page(c)
}

func unauthorized(c echo.Context, msg string) error {
	c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="kicc-mock admin"`)
	return &httpio.Error{Status: http.StatusUnauthorized, Message: msg}
}
