package server

import (
	"github.com/labstack/echo/v4"

	"github.com/kicc-mock/kicc-mock/scenarios"
)

func init() { registerFault(scenarios.FaultHang, hangFault{}) }

// hangFault sends nothing and holds the connection for FaultEnv.Hang (60 s
// by default, past KICC clients' 30 s timeout and under the server's 90 s
// write timeout), then closes it without an answer. It ends at once when the
// client hangs up or the server shuts down, and waits on the server's clock,
// so a test advances a fake clock instead of waiting.
type hangFault struct{}

func (hangFault) Apply(c echo.Context, env *FaultEnv) error {
	ctx := c.Request().Context()
	select {
	case <-env.Clock.After(env.Hang):
	case <-ctx.Done():
		noteStatus(c, StatusClientClosed) // for the access log and the journal
		return nil                        // the client gave up, as it should
	case <-env.Stopping:
	}
	conn, err := hijack(c)
	if err != nil {
		return err
	}
	return conn.Close()
}
