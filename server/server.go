// Package server wires kicc-mock together: its Config, the Echo
// application with every route named, the middleware every request passes
// (request id, panic recovery, journal, access log), the admin API, and the
// scenario layers (built-in, files, runtime). The KICC endpoints themselves
// run through package pipeline; the sandbox, the journal and the faults are
// packages of their own. New returns an http.Handler with no global state,
// so a program can serve it and a test can embed it.
package server

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/kicc-mock/kicc-mock/clock"
	"github.com/kicc-mock/kicc-mock/httpio"
	"github.com/kicc-mock/kicc-mock/journal"
	"github.com/kicc-mock/kicc-mock/kicc"
	"github.com/kicc-mock/kicc-mock/lint"
	"github.com/kicc-mock/kicc-mock/metrics"
	"github.com/kicc-mock/kicc-mock/pipeline"
	"github.com/kicc-mock/kicc-mock/sandbox"
	"github.com/kicc-mock/kicc-mock/scenarios"
	"github.com/kicc-mock/kicc-mock/store"
)

// DefaultBodyLimit is the largest request body accepted, 64 KiB: a find
// request is under 300 bytes, so anything near this is a mistake or an
// attack, and is answered 413 without being read further.
const DefaultBodyLimit = 64 << 10

// RequestIDHeader carries a request id; one sent by the caller is kept.
const RequestIDHeader = echo.HeaderXRequestID

// ContentTypeJSON is what KICC sends and expects, spelled as KICC spells it.
const ContentTypeJSON = httpio.ContentTypeJSON

// ScenarioHeader names the scenario a request wants (canonical spelling of
// X-KICC-Mock-Scenario).
const ScenarioHeader = pipeline.ScenarioHeader

// LintHeader carries a request's lint findings (X-KICC-Mock-Lint).
const LintHeader = pipeline.LintHeader

// IdempotencyMode selects how a reused shopTransactionId is answered.
type IdempotencyMode = pipeline.Mode

// The modes of --idempotency.
const (
	IdempotencyKICC   = pipeline.ModeKICC
	IdempotencyReplay = pipeline.ModeReplay
	IdempotencyOff    = pipeline.ModeOff
)

// SandboxConfig configures create, revise, payments and webhooks.
type SandboxConfig = sandbox.Config

// Sandbox defaults.
const (
	DefaultCancelCompleteAfter = sandbox.DefaultCancelCompleteAfter
	DefaultMaxTransactions     = sandbox.DefaultMaxTransactions
)

// DefaultWebhookRetryIntervals are the waits between webhook resends.
var DefaultWebhookRetryIntervals = sandbox.DefaultWebhookRetryIntervals

// WebhookAttempt is one journaled webhook send.
type WebhookAttempt = sandbox.WebhookAttempt

// Webhook kinds, as the journal names them.
const (
	WebhookApproval = sandbox.WebhookApproval
	WebhookCancel   = sandbox.WebhookCancel
)

// DefaultJournalSize is how many requests the journal keeps by default.
const DefaultJournalSize = journal.DefaultSize

// DefaultJournalMaxBytes and DefaultJournalEntryBytes bound the journal in
// bytes by default.
const (
	DefaultJournalMaxBytes   = journal.DefaultMaxBytes
	DefaultJournalEntryBytes = journal.DefaultEntryPartBytes
)

// StatusClientClosed is journaled when the client left during a delay or
// hang (nginx's convention; never sent).
const StatusClientClosed = journal.StatusClientClosed

// Config configures a Server. The zero value is a working mock: real clock,
// kicc idempotency, any mallId, no logs.
type Config struct {
	Version string
	// Clock is the time source; nil means the real clock. The server wraps it
	// in a clock.Adjustable so the admin API can move it.
	Clock clock.Clock
	// Logger receives access and error logs; nil discards them.
	Logger *slog.Logger
	// Idempotency is kicc (the default), replay or off.
	Idempotency IdempotencyMode
	// Ledger holds used idempotency keys; nil means an in-memory ledger with
	// at most MaxKeys keys.
	Ledger  store.Ledger
	MaxKeys int
	// MallIDs is the allow-list of merchant ids; empty allows any (1030
	// otherwise).
	MallIDs []string
	// Messages overrides resMsg per resCd (kicc.Codes has the defaults).
	Messages kicc.Messages
	// BodyLimit caps request bodies (DefaultBodyLimit when 0).
	BodyLimit int64
	// Seed makes generated ids and fake data reproducible across runs.
	Seed int64
	// Currency is what default answers report (KRW when empty).
	Currency string
	// JournalSize is how many requests the journal keeps, newest first
	// (DefaultJournalSize when 0).
	JournalSize int
	// JournalMaxBytes bounds the memory all journal entries hold together
	// (DefaultJournalMaxBytes when 0); the oldest go first past it.
	JournalMaxBytes int
	// JournalEntryBytes is how much of each request body, answer and header
	// block an entry keeps (DefaultJournalEntryBytes when 0); a part cut
	// short says so in the entry.
	JournalEntryBytes int
	// AdminToken, when set, must come as "Authorization: Bearer <token>" on
	// every admin call but health. KICC endpoints never need it.
	AdminToken string
	// ScenarioDir holds user scenario files (*.yaml, *.yml) added to the
	// built-ins; empty means built-ins only. A bad file fails New.
	ScenarioDir string
	// Watch reloads ScenarioDir when its files change, keeping the last good
	// set when a file is bad. WatchInterval is the polling period
	// (DefaultWatchInterval when 0), on Clock.
	Watch         bool
	WatchInterval time.Duration
	// MaxDelay caps every scripted delay (scenarios.DefaultMaxDelay when 0):
	// files asking for more are refused at load, and built-ins are cut to it.
	MaxDelay time.Duration
	// MaxRuntimeScenarios caps the scenarios added through the admin API
	// (DefaultMaxRuntimeScenarios when 0).
	MaxRuntimeScenarios int
	// HangDuration is how long the hang fault holds a connection
	// (DefaultHangDuration when 0).
	HangDuration time.Duration
	// SandboxConfig configures create, revise, payments and webhooks.
	SandboxConfig
	// MaxHeaderBytes caps the request line and headers (DefaultMaxHeaderBytes
	// when 0); net/http answers 431 past it, before the mock sees the request.
	MaxHeaderBytes int
	// MaxTemplateBytes caps what one templated string of a file or runtime
	// scenario renders to (scenarios.MaxTemplateOutput when 0).
	MaxTemplateBytes int
	// Sequences holds the positions of sequence scenarios; nil means in
	// memory. A persistent one (store.Persistent.Sequences) keeps them
	// across restarts.
	Sequences store.Sequences
	// ScenarioStore, when set, keeps the scenarios added through the admin
	// API across restarts: New loads them, and every change is written
	// before it is answered.
	ScenarioStore store.Documents
	// Lint checks every KICC request (lint.On, the default when empty:
	// findings reported; lint.Strict: those a strict mock refuses are
	// refused; lint.Off).
	Lint lint.Mode
	// MaxConns caps the open connections of a Listener-wrapped listener
	// (see ConnLimit); 0 leaves them uncapped.
	MaxConns int
	// MaxSequences caps the in-memory sequence positions
	// (store.DefaultMaxSequences when 0); a persistent Sequences has its
	// own.
	MaxSequences int
	// GCHeapFloor, in bytes, keeps the garbage collector from running
	// before the heap has grown by about this much (0: Go's own pacing,
	// which starts at 4 MiB). See gcHeapFloor.
	GCHeapFloor int
}

// DefaultGCHeapFloor is what the kicc-mock binary sets (--gc-heap-floor-mib).
// Larger is not better: the garbage between two cycles is fresh memory that
// every allocation writes to, and once it outgrows the CPU's last cache
// level those writes miss (BENCHMARKS.md has the measurements).
const DefaultGCHeapFloor = 8 << 20

// DefaultMaxHeaderBytes bounds the request line and headers: a KICC request
// sends a few hundred bytes of them.
const DefaultMaxHeaderBytes = 64 << 10

// DefaultMaxRuntimeScenarios bounds what POST /__admin/scenarios can load.
const DefaultMaxRuntimeScenarios = 1000

// DefaultHangDuration holds a hung connection past KICC clients' 30 s
// timeout and below HTTPServer's 90 s write timeout.
const DefaultHangDuration = 60 * time.Second

// Server is the mock. It is an http.Handler.
type Server struct {
	cfg    Config
	echo   *echo.Echo
	log    *slog.Logger
	clock  *clock.Adjustable
	ledger store.Ledger
	ids    *kicc.IDGenerator
	reqSeq atomic.Uint64

	pipe    *pipeline.Pipeline
	lint    *lint.Linter
	find    pipeline.Endpoint
	bases   map[scenarios.Endpoint]*scenarios.Base
	sandbox *sandbox.Sandbox
	journal *journal.Journal
	metrics *metrics.Metrics
	handler http.Handler // observe(echo)
	conns   *ConnLimit   // nil: connections uncapped
	// resetHooks run on POST /__admin/reset after the built-in state (keys,
	// journal, clock) is back to its start; state owners add theirs with
	// onReset.
	resetHooks []func()
	scen       atomic.Pointer[pipeline.State]
	scenMu     sync.Mutex // serialises changes to layers
	layers     scenarioLayers
	sequences  store.Sequences
	runtimeDoc map[string]uint64 // runtime scenario -> its Config.ScenarioStore document
	watchSum   uint64            // the watcher's view of ScenarioDir
	watchDone  chan struct{}
	stopping   chan struct{} // closed by Close
	stopOnce   sync.Once
	// eventStreams is how many GET /__admin/events are open
	// (admin_events.go).
	eventStreams atomic.Int32
	// releasesPending counts resets whose memory is not given back to the
	// system yet (admin_reset.go).
	releasesPending atomic.Int64
	// adminTokenHash is Config.AdminToken's SHA-256 (comparing hashes keeps
	// the check constant-time in the token's length too), adminSession the
	// dashboard cookie's value; both zero without a token.
	adminTokenHash, adminSession [sha256.Size]byte

	// gcFloor is a pointer-free allocation of Config.GCHeapFloor bytes that
	// nothing ever reads or writes. Go's collector runs when the heap has
	// grown by GOGC% of what was live after the last cycle, and a mock's
	// live heap is small, so at Go's 4 MiB floor it collects often, each
	// cycle marking the same static data. Counted as live, this raises the
	// floor; never touched, its pages are never faulted in, so resident
	// memory at rest grows by the collector's bookkeeping only. A goroutine
	// New starts allocates it: an allocation that size sets off a
	// collection at once, which would otherwise hold up the first answer.
	gcFloor atomic.Pointer[[]byte]
}

// New builds a Server from cfg.
func New(cfg Config) (*Server, error) {
	if cfg.Clock == nil {
		cfg.Clock = clock.Real{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if cfg.Idempotency == "" {
		cfg.Idempotency = IdempotencyKICC
	}
	if err := cfg.Idempotency.Validate(); err != nil {
		return nil, err
	}
	if cfg.BodyLimit <= 0 {
		cfg.BodyLimit = DefaultBodyLimit
	}
	if cfg.Currency == "" {
		cfg.Currency = kicc.CurrencyKRW
	}
	if cfg.Ledger == nil {
		cfg.Ledger = store.NewMemory(cfg.MaxKeys)
	}
	if cfg.MaxDelay <= 0 {
		cfg.MaxDelay = scenarios.DefaultMaxDelay
	}
	if cfg.MaxRuntimeScenarios <= 0 {
		cfg.MaxRuntimeScenarios = DefaultMaxRuntimeScenarios
	}
	if cfg.HangDuration <= 0 {
		cfg.HangDuration = DefaultHangDuration
	}
	if cfg.Sequences == nil {
		if cfg.MaxSequences <= 0 {
			cfg.MaxSequences = store.DefaultMaxSequences
		}
		cfg.Sequences = store.NewMemorySequences(cfg.MaxSequences)
	}
	if cfg.MaxHeaderBytes <= 0 {
		cfg.MaxHeaderBytes = DefaultMaxHeaderBytes
	}
	if cfg.WatchInterval <= 0 {
		cfg.WatchInterval = DefaultWatchInterval
	}
	lintMode, err := lint.ParseMode(string(cfg.Lint))
	if err != nil {
		return nil, err
	}
	cfg.Lint = lintMode
	s := &Server{
		cfg:     cfg,
		log:     cfg.Logger,
		clock:   clock.NewAdjustable(cfg.Clock),
		ledger:  cfg.Ledger,
		ids:     kicc.NewIDGenerator(uint64(cfg.Seed) + 10000000),
		journal: journal.NewLimited(journal.Limits{Entries: cfg.JournalSize, Bytes: cfg.JournalMaxBytes, PartBytes: cfg.JournalEntryBytes}),

		sequences: cfg.Sequences,
		stopping:  make(chan struct{}),
		watchDone: make(chan struct{}),
	}
	if cfg.MaxConns > 0 {
		s.conns = NewConnLimit(cfg.MaxConns)
	}
	s.metrics = s.newMetrics()
	if cfg.AdminToken != "" {
		s.adminTokenHash = sha256.Sum256([]byte(cfg.AdminToken))
		s.adminSession = dashboardSession(cfg.AdminToken)
	}
	if cfg.GCHeapFloor > 0 {
		go func() {
			floor := make([]byte, cfg.GCHeapFloor)
			s.gcFloor.Store(&floor)
		}()
	}
	s.sandbox = sandbox.New(cfg.SandboxConfig, sandbox.Deps{
		Clock: s.clock, Log: s.log, IDs: s.ids, Messages: cfg.Messages, Version: cfg.Version, Metrics: s.metrics})
	s.cfg.SandboxConfig = s.sandbox.Config()
	var malls map[string]bool
	if len(cfg.MallIDs) > 0 {
		malls = make(map[string]bool, len(cfg.MallIDs))
		for _, id := range cfg.MallIDs {
			malls[id] = true
		}
	}
	s.lint = lint.NewLinter(cfg.Lint, lintState{s.sandbox.Transactions()}, 0)
	s.pipe = &pipeline.Pipeline{
		Clock: s.clock, Log: s.log, Ledger: s.ledger, Mode: cfg.Idempotency, Malls: malls,
		BodyLimit: cfg.BodyLimit, MaxDelay: cfg.MaxDelay, Hang: cfg.HangDuration, Stopping: s.stopping,
		Sequences: s.sequences, IDs: s.ids, Seed: cfg.Seed, Scenarios: s.scen.Load, Lint: s.lint,
		Metrics: s.metrics,
	}
	s.find = findEndpoint{s}
	s.bases = map[scenarios.Endpoint]*scenarios.Base{
		scenarios.FindCancel:  s.cancelBase(),
		scenarios.FindPayment: s.paymentBase(),
		scenarios.Create:      s.sandbox.CreateBase(),
		scenarios.Revise:      s.sandbox.ReviseBase(),
	}
	if err := s.initScenarios(); err != nil {
		s.sandbox.Close()
		return nil, err
	}
	s.onReset(s.ResetScenarios)
	s.onReset(s.sandbox.Reset)
	s.onReset(s.lint.Reset)
	s.echo = s.newEcho()
	s.handler = s.observe(s.echo)
	if cfg.Watch && cfg.ScenarioDir != "" {
		go s.watch()
	} else {
		close(s.watchDone)
	}
	return s, nil
}

// Close stops the scenario watcher and ends held (hang) connections. The
// server keeps answering other requests; HTTPServer calls Close when the
// http.Server shuts down.
func (s *Server) Close() {
	s.stopOnce.Do(func() { close(s.stopping) })
	<-s.watchDone
	s.sandbox.Close()
}

// ServeHTTP serves the mock.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// Clock is the server's adjustable clock, the one the admin API moves.
func (s *Server) Clock() *clock.Adjustable { return s.clock }

// HTTPServer returns an http.Server for addr with explicit timeouts. The
// write timeout leaves room for the longest scripted delay (30 s) and the
// client's own 30 s timeout.
func (s *Server) HTTPServer(addr string) *http.Server {
	hs := &http.Server{
		Addr:              addr,
		Handler:           s,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      90 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    s.cfg.MaxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	if s.conns != nil {
		hs.ConnState = s.conns.ConnState
		hs.ConnContext = s.conns.connContext
		hs.Handler = s.conns.guard(s)
		hs.RegisterOnShutdown(s.conns.closeWaiting)
	}
	hs.RegisterOnShutdown(s.Close)
	return hs
}

func (s *Server) newEcho() *echo.Echo {
	e := echo.New()
	e.HideBanner = true
	e.HidePort = true
	e.Logger.SetOutput(io.Discard)
	e.HTTPErrorHandler = s.handleHTTPError
	e.Use(s.requireAdminToken)
	s.kiccRoutes(e)
	s.adminRoutes(e)
	s.sandboxRoutes(e)
	return e
}

// kiccRoutes are the mocked KICC endpoints, each one pipeline endpoint.
func (s *Server) kiccRoutes(e *echo.Echo) {
	serve := func(ep pipeline.Endpoint) echo.HandlerFunc {
		return func(c echo.Context) error { return s.pipe.Serve(c, ep) }
	}
	e.POST(kicc.PathFind, serve(s.find)).Name = "kicc.find"
	e.POST(kicc.PathCreate, serve(s.sandbox.Create())).Name = "kicc.create"
	e.POST(kicc.PathRevise, serve(s.sandbox.Revise())).Name = "kicc.revise"
}

// nextRequestID is cheap and unique within the process: requests are
// correlated in logs, not across systems.
func (s *Server) nextRequestID() string {
	var b [16]byte // "km-" and a uint64 in base 36: one allocation, the string
	return string(strconv.AppendUint(append(b[:0], "km-"...), s.reqSeq.Add(1), 36))
}

// handleHTTPError turns every error that reaches Echo (unknown route, wrong
// method, panics, the pipeline's HTTP errors) into a small JSON body, never
// HTML.
func (s *Server) handleHTTPError(err error, c echo.Context) {
	journal.NoteError(c.Request().Context(), err)
	if c.Response().Committed {
		return
	}
	var he *httpio.Error
	var ee *echo.HTTPError
	switch {
	case errors.As(err, &he):
	case errors.As(err, &ee):
		he = &httpio.Error{Status: ee.Code, Message: fmt.Sprint(ee.Message)}
		switch ee.Code {
		case http.StatusNotFound:
			he.Message = "no such endpoint: " + c.Request().Method + " " + c.Request().URL.Path
		case http.StatusMethodNotAllowed:
			he.Message = "method " + c.Request().Method + " is not allowed on " + c.Request().URL.Path
		}
	default:
		he = &httpio.Error{Status: http.StatusInternalServerError, Message: err.Error()}
	}
	switch he.Status {
	case http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType:
		// The body is refused unread: closing the connection after the answer
		// spares net/http reading (or waiting for) the rest of it.
		c.Response().Header().Set(echo.HeaderConnection, "close")
	}
	if werr := httpio.WriteJSON(c.Response(), he.Status, he.Body()); werr != nil {
		s.log.Warn("writing error response", "error", werr)
	}
}
