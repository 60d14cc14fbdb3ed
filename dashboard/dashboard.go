// Package dashboard is the mock's web page for people: the request
// journal live, the scenarios and the default of each endpoint, the clock,
// the sandbox's transactions and webhooks, with buttons for what the admin
// API does. It serves only the page and its files, embedded in the binary
// (no CDN, no build step); the page's script reads and drives everything
// through the admin JSON API and its event stream, as any client would.
package dashboard

import (
	"embed"
	"net/http"
	"path"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/kicc-mock/kicc-mock/httpio"
)

// Path is where the page is served; its files are under Path + "/".
const Path = "/__admin/ui"

//go:embed assets
var assets embed.FS

// headers are the page's: no inline script or style at all, its script and
// stylesheet are files beside it, and it talks to the mock only.
var headers = httpio.MustPageHeaders(mustAsset("index.html")).
	AllowSelf("script-src", "style-src", "connect-src")

func mustAsset(name string) string {
	b, err := assets.ReadFile("assets/" + name)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// Headers are the security headers the page and its files are sent with.
func Headers() *httpio.PageHeaders { return headers }

// HandlePage serves the page.
func HandlePage(c echo.Context) error { return serve(c, "index.html") }

// HandleAsset serves one of the page's files, Path + "/:file".
func HandleAsset(c echo.Context) error {
	name := c.Param("file")
	if name == "" || name == "index.html" || strings.ContainsAny(name, "/\\") || strings.HasPrefix(name, ".") {
		return &httpio.Error{Status: http.StatusNotFound, Message: "no dashboard file " + name}
	}
	return serve(c, name)
}

// contentTypes are fixed rather than taken from the system's MIME tables,
// which differ between machines: with nosniff, a wrong one stops the script.
var contentTypes = map[string]string{
	".html": "text/html; charset=utf-8",
	".js":   "text/javascript; charset=utf-8",
	".css":  "text/css; charset=utf-8",
}

func serve(c echo.Context, name string) error {
	b, err := assets.ReadFile("assets/" + name)
	if err != nil {
		return &httpio.Error{Status: http.StatusNotFound, Message: "no dashboard file " + name}
	}
	h := c.Response().Header()
	headers.Set(h)
	ct, ok := contentTypes[path.Ext(name)]
	if !ok {
		ct = "application/octet-stream"
	}
	h.Set(echo.HeaderContentType, ct)
	// The files change with the binary; revalidating costs a request per
	// file on a page that is opened now and then. (The answer to the URL
	// with the token is not to be kept at all: no-store, set before.)
	if h.Get("Cache-Control") == "" {
		h.Set("Cache-Control", "no-cache")
	}
	return c.Blob(http.StatusOK, ct, b)
}
