package server

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/kicc-mock/kicc-mock/scenarios"
)

func init() { registerFault(scenarios.FaultMalformed, malformedFault{}) }

// malformedFault answers HTTP 200 with the JSON content type and the first
// half of the real answer: a client's JSON decoder fails with "unexpected end
// of JSON input", which is what a proxy cutting a body looks like.
type malformedFault struct{}

func (malformedFault) Apply(c echo.Context, env *FaultEnv) error {
	body := env.Answer
	if len(body) < 2 {
		body = []byte(`{"resCd":"0000","resMsg":`)
	}
	return writeJSON(c, http.StatusOK, body[:len(body)/2])
}
