// Command kicc-mock serves a mock of KICC's (EasyPay) WeChat Pay API for
// tests and local development.
//
//	kicc-mock [serve] [flags]   serve the mock (the default)
//	kicc-mock validate PATH...  check scenario files; print file:line: message, exit 1 on any
//	kicc-mock healthcheck       GET the health endpoint; exit 0 when it answers 200
//	kicc-mock version           print the version
//	kicc-mock record            proxy KICC calls to --upstream, writing scenario files to --out
//	kicc-mock drift             compare the answers of --upstream and the mock; exit 1 on any difference, 3 on no answer
//	kicc-mock trigger KIND      send a KICC webhook (approval or cancel) to --to, resending as KICC does
//
// Every flag has an environment twin: --max-keys is KICC_MOCK_MAX_KEYS.
// A flag given on the command line wins over its environment variable.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"github.com/kicc-mock/kicc-mock/httpio"
	"github.com/kicc-mock/kicc-mock/lint"
	"github.com/kicc-mock/kicc-mock/scenarios"
	"github.com/kicc-mock/kicc-mock/server"
	"github.com/kicc-mock/kicc-mock/store"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = ""

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	cmd := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		return serve(args, stderr)
	case "healthcheck":
		return healthcheck(args, stderr)
	case "validate":
		return validate(args, stdout, stderr)
	case "record":
		return recordCmd(args, stderr)
	case "drift":
		return driftCmd(args, stdout, stderr)
	case "trigger":
		return triggerCmd(args, stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, "kicc-mock", buildVersion())
		return 0
	case "help":
		printHelp(stdout)
		return 0
	}
	fmt.Fprintf(stderr, "kicc-mock: unknown command %q\n\n%s\nRun \"kicc-mock help\" for the flags.\n", cmd, commandsHelp)
	return 2
}

func buildVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

// options are the serve flags.
type options struct {
	addr            string
	logFormat       string
	logLevel        string
	idempotency     string
	lint            string
	maxKeys         int
	mallIDs         string
	successMessage  string
	currency        string
	seed            int64
	bodyLimit       int64
	shutdownTimeout time.Duration
	journalSize     int
	journalBytes    int
	journalEntry    int
	adminToken      string
	scenarios       string
	watch           bool
	maxDelay        time.Duration
	sandbox         sandboxOptions
	// Bounds and persistence.
	maxRuntimeScenarios int
	maxHeaderBytes      int
	maxTemplateBytes    int
	gcHeapFloorMiB      int
	dataDir             string
	dataDirRecover      bool
	maxConns            int
	maxSequences        int
}

func newFlagSet(name string, o *options, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { printHelp(fs.Output()) }
	fs.StringVar(&o.addr, "addr", "127.0.0.1:8080", "`host:port` to listen on; the default is reachable from this machine only (the container image sets :8080)")
	fs.StringVar(&o.logFormat, "log-format", "text", "log format: text or json (log/slog; json is one object per line, access log included)")
	fs.StringVar(&o.logLevel, "log-level", "info", "log level: debug, info, warn or error")
	fs.StringVar(&o.idempotency, "idempotency", "kicc", "idempotency mode: kicc (duplicate key -> 1010 until KST midnight), replay or off")
	fs.StringVar(&o.lint, "lint", "warn", "lint every KICC request against what KICC documents and what integrations get wrong: off, warn (findings in the X-KICC-Mock-Lint header, the journal, the log and GET /__admin/lint) or strict (findings KICC would refuse are refused)")
	fs.IntVar(&o.maxKeys, "max-keys", 10_000_000, "most idempotency keys held at once; past it requests answer resCd 9999 (0 = no limit)")
	fs.StringVar(&o.mallIDs, "mall-ids", "", "comma-separated allow-list of mallIds (empty = any); others answer resCd 1030")
	fs.StringVar(&o.successMessage, "success-message", "정상처리", "resMsg of successful answers")
	fs.StringVar(&o.currency, "currency", "KRW", "currency of default answers: KRW or USD (amounts in cents)")
	fs.Int64Var(&o.seed, "seed", 0, "seed for generated ids and fake data, for reproducible runs")
	fs.Int64Var(&o.bodyLimit, "body-limit", server.DefaultBodyLimit, "largest request body in bytes; larger ones answer HTTP 413")
	fs.IntVar(&o.journalSize, "journal-size", server.DefaultJournalSize, "how many requests the journal (GET /__admin/requests) keeps, newest first")
	fs.IntVar(&o.journalBytes, "journal-max-bytes", server.DefaultJournalMaxBytes, "most bytes all journal entries hold together; past it the oldest entries go first (the newest is always kept)")
	fs.IntVar(&o.journalEntry, "journal-entry-bytes", server.DefaultJournalEntryBytes, "most bytes of each request body, answer and header block one journal entry keeps; a part cut short is flagged in the entry (bodyTruncated, responseTruncated, headersTruncated)")
	fs.StringVar(&o.adminToken, "admin-token", "", "when set, every /__admin call but health needs Authorization: Bearer <token>")
	fs.DurationVar(&o.shutdownTimeout, "shutdown-timeout", 10*time.Second, "how long in-flight requests may finish after SIGTERM or SIGINT; then they are cut and the process still exits 0")
	fs.StringVar(&o.scenarios, "scenarios", "", "scenario files in `DIR` (*.yaml, *.yml), added to the built-ins")
	fs.BoolVar(&o.watch, "watch", false, "reload --scenarios when its files change; a bad file keeps the last good set")
	fs.DurationVar(&o.maxDelay, "max-delay", scenarios.DefaultMaxDelay, "longest scripted delay; files asking for more are refused, built-ins are cut to it")
	o.sandbox.flags(fs)
	fs.IntVar(&o.maxRuntimeScenarios, "max-runtime-scenarios", server.DefaultMaxRuntimeScenarios, "most scenarios held from POST /__admin/scenarios; more answer HTTP 409")
	fs.IntVar(&o.maxHeaderBytes, "max-header-bytes", server.DefaultMaxHeaderBytes, "largest request line and headers in bytes; larger ones answer HTTP 431 (a text body from net/http, not JSON)")
	fs.IntVar(&o.maxTemplateBytes, "max-template-bytes", scenarios.MaxTemplateOutput, "most bytes one templated string of a file or runtime scenario renders to; more is cut at a character boundary")
	fs.IntVar(&o.gcHeapFloorMiB, "gc-heap-floor-mib", server.DefaultGCHeapFloor>>20, "MiB of reserved, never-touched heap that lets the garbage collector run less often under load (0 = Go's default pacing)")
	fs.IntVar(&o.maxConns, "max-conns", 0, "most connections open at once; past it the idlest keep-alive connection is closed, or when none is idle the new one is answered HTTP 503 and closed (0 = from the open file limit, raised to its hard limit at start: the limit less 128 and --webhook-concurrency, at most 16384)")
	fs.IntVar(&o.maxSequences, "max-sequences", store.DefaultMaxSequences, "most positions of sequence scenarios held (one per scenario and sequenceKey value, about 35 bytes each; they last the KST day); past it a new one answers resCd 9999, positions already held go on")
	fs.StringVar(&o.dataDir, "data-dir", "", "keep idempotency keys, sequence positions and runtime scenarios in `DIR`/"+store.DBFile+" (bbolt) across restarts, kill -9 included (empty = memory only)")
	fs.BoolVar(&o.dataDirRecover, "data-dir-recover", false, "when the --data-dir database is damaged, move it aside to a timestamped name and start empty instead of failing")
	return fs
}

// parseFlags parses args, then fills every flag not given on the command line
// from its KICC_MOCK_* environment twin.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		return err
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	var errs []error
	fs.VisitAll(func(f *flag.Flag) {
		if set[f.Name] {
			return
		}
		env := envName(f.Name)
		if v, ok := os.LookupEnv(env); ok {
			if err := f.Value.Set(v); err != nil {
				errs = append(errs, fmt.Errorf("%s=%q: %w", env, v, err))
			}
		}
	})
	if fs.NArg() > 0 {
		errs = append(errs, fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " ")))
	}
	return errors.Join(errs...)
}

func envName(flagName string) string {
	return "KICC_MOCK_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

func newLogger(format, level string, w io.Writer) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level: %w", err)
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("--log-format: %q is not text or json", format)
}

func serve(args []string, stderr io.Writer) int {
	var o options
	fs := newFlagSet("serve", &o, stderr)
	if err := parseFlags(fs, args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintln(stderr, "kicc-mock:", err)
		return 2
	}
	log, err := newLogger(o.logFormat, o.logLevel, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "kicc-mock:", err)
		return 2
	}
	cfg := server.Config{
		Version:           buildVersion(),
		Logger:            log,
		Idempotency:       server.IdempotencyMode(o.idempotency),
		Lint:              lint.Mode(o.lint),
		MaxKeys:           o.maxKeys,
		Messages:          map[string]string{"0000": o.successMessage},
		BodyLimit:         o.bodyLimit,
		Seed:              o.seed,
		Currency:          o.currency,
		JournalSize:       o.journalSize,
		JournalMaxBytes:   o.journalBytes,
		JournalEntryBytes: o.journalEntry,
		AdminToken:        o.adminToken,
		ScenarioDir:       o.scenarios,
		Watch:             o.watch,
		MaxDelay:          o.maxDelay,

		MaxRuntimeScenarios: o.maxRuntimeScenarios,
		MaxHeaderBytes:      o.maxHeaderBytes,
		MaxTemplateBytes:    o.maxTemplateBytes,
		GCHeapFloor:         o.gcHeapFloorMiB << 20,
		MaxConns:            o.maxConns,
		MaxSequences:        o.maxSequences,
	}
	if err := o.sandbox.apply(&cfg); err != nil {
		fmt.Fprintln(stderr, "kicc-mock:", err)
		return 2
	}
	if o.mallIDs != "" {
		for _, id := range strings.Split(o.mallIDs, ",") {
			if id = strings.TrimSpace(id); id != "" {
				cfg.MallIDs = append(cfg.MallIDs, id)
			}
		}
	}
	if o.journalBytes < 1 || o.journalEntry < 1 {
		fmt.Fprintf(stderr, "kicc-mock: --journal-max-bytes %d and --journal-entry-bytes %d must be at least 1\n", o.journalBytes, o.journalEntry)
		return 2
	}
	if o.journalSize < 1 {
		fmt.Fprintf(stderr, "kicc-mock: --journal-size %d must be at least 1\n", o.journalSize)
		return 2
	}
	if o.gcHeapFloorMiB < 0 || o.gcHeapFloorMiB > 4096 {
		fmt.Fprintf(stderr, "kicc-mock: --gc-heap-floor-mib %d must be between 0 and 4096\n", o.gcHeapFloorMiB)
		return 2
	}
	if o.currency != "KRW" && o.currency != "USD" {
		fmt.Fprintf(stderr, "kicc-mock: --currency %q is not KRW or USD\n", o.currency)
		return 2
	}
	for _, b := range []struct {
		name string
		v    int
	}{{"max-runtime-scenarios", o.maxRuntimeScenarios}, {"max-header-bytes", o.maxHeaderBytes}, {"max-template-bytes", o.maxTemplateBytes}, {"max-sequences", o.maxSequences}} {
		if b.v < 1 {
			fmt.Fprintf(stderr, "kicc-mock: --%s %d must be at least 1\n", b.name, b.v)
			return 2
		}
	}
	if o.maxConns < 0 {
		fmt.Fprintf(stderr, "kicc-mock: --max-conns %d must not be negative\n", o.maxConns)
		return 2
	}
	if o.dataDir != "" {
		db, err := openDataDir(o.dataDir, o.maxKeys, o.maxSequences, o.dataDirRecover, log, &cfg)
		if err != nil {
			fmt.Fprintln(stderr, "kicc-mock:", err)
			return 1
		}
		defer db.Close()
		log.Info("state kept on disk", "data_dir", o.dataDir)
	}
	if fdLimit := raiseFDLimit(log); cfg.MaxConns == 0 {
		cfg.MaxConns = defaultMaxConns(fdLimit, cfg.WebhookConcurrency)
		log.Info("connections capped", "max_conns", cfg.MaxConns, "open_file_limit", fdLimit)
	}
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		log.Error("cannot listen", "addr", o.addr, "error", err)
		return 1
	}
	defer ln.Close()
	if cfg.PublicURL == "" {
		// The listening address, never a request's Host header (which the
		// client picks): see server.SandboxConfig.PublicURL.
		cfg.PublicURL = "http://" + httpio.DialAddr(ln.Addr().String())
	}
	srv, err := server.New(cfg)
	if err != nil {
		fmt.Fprintln(stderr, "kicc-mock:", err)
		return 2
	}
	defer srv.Close()
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if err := runServer(ctx, srv.HTTPServer(o.addr), srv.Listener(ln), o.shutdownTimeout, log); err != nil {
		log.Error("server stopped", "error", err)
		return 1
	}
	return 0
}

// openDataDir opens the database of --data-dir and puts its ledger,
// sequences and runtime scenario store into cfg. The caller closes it after
// the server has stopped. A damaged database fails the start with what to
// do about it, unless recoverDamaged says to move it aside and start empty.
func openDataDir(dir string, maxKeys, maxSequences int, recoverDamaged bool, log *slog.Logger, cfg *server.Config) (*store.Persistent, error) {
	db, err := openState(dir, maxKeys, maxSequences, cfg)
	var bad *store.DamagedError
	if errors.As(err, &bad) && recoverDamaged {
		moved, merr := store.MoveAside(bad.Path, time.Now())
		if merr != nil {
			return nil, fmt.Errorf("--data-dir-recover: %w", merr)
		}
		log.Warn("the database was damaged; moved it aside and started empty", "problem", bad.Error(), "moved_to", moved)
		db, err = openState(dir, maxKeys, maxSequences, cfg)
	}
	switch {
	case errors.As(err, &bad):
		return nil, fmt.Errorf("--data-dir: %w; move it aside to start empty, or start with --data-dir-recover to have that done", err)
	case errors.Is(err, store.ErrLocked):
		return nil, fmt.Errorf("--data-dir: %w; stop that process or use another --data-dir", err)
	case err != nil:
		return nil, fmt.Errorf("--data-dir: %w", err)
	}
	return db, nil
}

// openState opens the database of dir and loads its state into cfg.
func openState(dir string, maxKeys, maxSequences int, cfg *server.Config) (*store.Persistent, error) {
	db, err := store.Open(dir)
	if err != nil {
		return nil, err
	}
	ledger, err := db.Ledger(maxKeys, time.Now())
	if err != nil {
		db.Close()
		return nil, err
	}
	seqs, err := db.Sequences(maxSequences, time.Now())
	if err != nil {
		db.Close()
		return nil, err
	}
	cfg.Ledger = ledger
	cfg.Sequences = seqs
	cfg.ScenarioStore = db.Documents()
	return db, nil
}

// runServer serves on ln until ctx is done, then shuts down gracefully: new
// connections are refused and in-flight requests get up to timeout to finish.
func runServer(ctx context.Context, hs *http.Server, ln net.Listener, timeout time.Duration, log *slog.Logger) error {
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	log.Info("kicc-mock serving", "addr", ln.Addr().String(), "version", buildVersion())
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down", "timeout", timeout)
	sctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		log.Warn("in-flight requests cut at shutdown timeout", "error", err)
		hs.Close()
	}
	return nil
}

func healthcheck(args []string, stderr io.Writer) int {
	var o options
	fs := newFlagSet("healthcheck", &o, stderr)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: kicc-mock healthcheck [--addr host:port]  (or KICC_MOCK_ADDR; default 127.0.0.1:8080)")
	}
	if err := parseFlags(fs, args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintln(stderr, "kicc-mock:", err)
		return 2
	}
	url := "http://" + httpio.DialAddr(o.addr) + "/__admin/health"
	client := &http.Client{Timeout: 2 * time.Second}
	resp, err := client.Get(url)
	if err != nil {
		fmt.Fprintln(stderr, "kicc-mock healthcheck:", err)
		return 1
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		fmt.Fprintf(stderr, "kicc-mock healthcheck: %s answered %s\n", url, resp.Status)
		return 1
	}
	return 0
}
