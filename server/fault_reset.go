package server

import (
	"net"

	"github.com/labstack/echo/v4"

	"github.com/kicc-mock/kicc-mock/scenarios"
)

func init() { registerFault(scenarios.FaultReset, resetFault{}) }

// resetFault aborts the TCP connection: SO_LINGER 0 makes close send an RST
// instead of a FIN, so the client reads "connection reset by peer"
// (ECONNRESET), the way a crashed peer or a middlebox looks.
type resetFault struct{}

func (resetFault) Apply(c echo.Context, _ *FaultEnv) error {
	conn, err := hijack(c)
	if err != nil {
		return err
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	return conn.Close()
}
