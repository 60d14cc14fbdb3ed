package server

import (
	"github.com/labstack/echo/v4"

	"github.com/kicc-mock/kicc-mock/scenarios"
)

func init() { registerFault(scenarios.FaultEmpty, emptyFault{}) }

// emptyFault closes the connection cleanly before sending a byte: the client
// reads EOF ("empty reply from server" in curl).
type emptyFault struct{}

func (emptyFault) Apply(c echo.Context, _ *FaultEnv) error {
	conn, err := hijack(c)
	if err != nil {
		return err
	}
	return conn.Close()
}
