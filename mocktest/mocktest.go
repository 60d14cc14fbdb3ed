package mocktest

import (
	"net/http/httptest"
	"testing"

	"github.com/kicc-mock/kicc-mock/client"
	"github.com/kicc-mock/kicc-mock/clock"
	"github.com/kicc-mock/kicc-mock/server"
)

// DefaultMallID is the merchant id the returned client uses, shaped like
// KICC's test MIDs.
const DefaultMallID = "T0000001"

// Mock is a running kicc-mock.
type Mock struct {
	// URL is the base URL, e.g. http://127.0.0.1:41234.
	URL string
	// Client is a KICC client for DefaultMallID (or WithMallID's) at URL.
	Client *client.Client
	// Server is the mock itself, for direct access to its clock and state.
	Server *server.Server
	// Admin controls the mock through its admin API, as a test of a mock
	// running elsewhere would.
	Admin *Admin
}

type settings struct {
	cfg    server.Config
	mallID string
	copts  []client.Option
}

// Option configures Start.
type Option func(*settings)

// WithConfig edits the server configuration before the mock starts.
func WithConfig(f func(*server.Config)) Option { return func(s *settings) { f(&s.cfg) } }

// WithClock makes the mock tell time by c; pass a *clock.Fake to control
// dates, midnight and delays from the test.
func WithClock(c clock.Clock) Option { return func(s *settings) { s.cfg.Clock = c } }

// WithMallID sets the merchant id of the returned client.
func WithMallID(id string) Option { return func(s *settings) { s.mallID = id } }

// WithClientOptions passes options to the returned client.
func WithClientOptions(opts ...client.Option) Option {
	return func(s *settings) { s.copts = append(s.copts, opts...) }
}

// Start starts a mock for the duration of the test.
func Start(t testing.TB, opts ...Option) *Mock {
	t.Helper()
	s := settings{mallID: DefaultMallID, cfg: server.Config{Version: "mocktest"}}
	for _, o := range opts {
		o(&s)
	}
	srv, err := server.New(s.cfg)
	if err != nil {
		t.Fatalf("mocktest: %v", err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(srv.Close) // runs after ts.Close: stops webhook sends and timers
	t.Cleanup(ts.Close)
	if s.cfg.SecretKey != "" {
		s.copts = append([]client.Option{client.WithSecretKey(s.cfg.SecretKey)}, s.copts...)
	}
	return &Mock{
		URL:    ts.URL,
		Client: client.New(ts.URL, s.mallID, s.copts...),
		Server: srv,
		Admin:  NewAdmin(ts.URL, WithToken(s.cfg.AdminToken)),
	}
}
