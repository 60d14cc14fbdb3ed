package server

import (
	_ "embed"
	"net/http"

	"github.com/labstack/echo/v4"
)

// openAPI documents the admin API and the mocked KICC endpoints. It lives in
// the repository as openapi.yaml and is served as is; a test checks that
// every route the server registers is in it.
//
//go:embed openapi.yaml
var openAPI []byte

func (s *Server) handleOpenAPI(c echo.Context) error {
	return c.Blob(http.StatusOK, "application/yaml", openAPI)
}
