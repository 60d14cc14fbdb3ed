package server

import (
	"fmt"
	"net"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/kicc-mock/kicc-mock/clock"
)

// Fault is a network-level misbehaviour a scenario response can ask for. Each
// lives in a file of its own (fault_<name>.go) and registers itself under its
// scenario name: adding a fault is adding a file, plus its name in
// scenarios.Faults so that files may use it.
type Fault interface {
	// Apply misbehaves on c's connection; it returns when the request is
	// over. A nil error means the fault was delivered.
	Apply(c echo.Context, env *FaultEnv) error
}

// FaultEnv is what a fault may use.
type FaultEnv struct {
	Clock clock.Clock
	// Hang is how long "hang" holds a connection.
	Hang time.Duration
	// Stopping is closed when the server shuts down: held connections end.
	Stopping <-chan struct{}
	// Answer is the answer the request would have had, for faults that
	// mangle it.
	Answer []byte
}

var faults = map[string]Fault{}

func registerFault(name string, f Fault) {
	if _, dup := faults[name]; dup {
		panic("fault " + name + " registered twice")
	}
	faults[name] = f
}

// hijack takes the connection from net/http so a fault can end it its own
// way. The request body has been read in full, so closing does not trip
// over unread bytes.
func hijack(c echo.Context) (net.Conn, error) {
	conn, _, err := c.Response().Hijack()
	if err != nil {
		return nil, fmt.Errorf("fault needs the raw connection: %w", err)
	}
	return conn, nil
}

// HasFault reports whether a fault is implemented.
func HasFault(name string) bool {
	_, ok := faults[name]
	return ok
}
