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
	"os/signal"
	"syscall"
	"time"

	"github.com/kicc-mock/kicc-mock/record"
	"github.com/kicc-mock/kicc-mock/scenarios"
	"github.com/kicc-mock/kicc-mock/server"
)

// recordCmd serves the recording proxy until SIGINT or SIGTERM.
func recordCmd(args []string, stderr io.Writer) int {
	fs := subFlagSet("record", "Usage: kicc-mock record --upstream URL --out DIR [--addr host:port]", stderr)
	upstream := fs.String("upstream", "", "base `URL` calls are forwarded to (the KICC sandbox, https://testpgapi.easypay.co.kr, or any URL)")
	out := fs.String("out", "", "`DIR` the scenario files are written to (created when missing)")
	addr := fs.String("addr", "127.0.0.1:8080", "`host:port` the proxy listens on")
	round := fs.Duration("round", record.DefaultRound, "observed delays are rounded to this; shorter ones are not recorded")
	maxDelay := fs.Duration("max-delay", scenarios.DefaultMaxDelay, "longest delay written (as serve's --max-delay)")
	logFormat := fs.String("log-format", "text", "log format: text or json")
	if code, ok := parseSub(fs, args, stderr); !ok {
		return code
	}
	if *upstream == "" || *out == "" {
		fmt.Fprintln(stderr, "kicc-mock record: --upstream and --out are required")
		return 2
	}
	log, err := newLogger(*logFormat, "info", stderr)
	if err != nil {
		fmt.Fprintln(stderr, "kicc-mock record:", err)
		return 2
	}
	rec, err := record.New(record.Config{Upstream: *upstream, Dir: *out, Round: *round, MaxDelay: *maxDelay, Log: log})
	if err != nil {
		fmt.Fprintln(stderr, "kicc-mock", err)
		return 2
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(stderr, "kicc-mock record:", err)
		return 1
	}
	defer ln.Close()
	hs := recordServer(rec, log)
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	log.Info("recording", "upstream", rec.Upstream(), "out", *out)
	if err := runServer(ctx, hs, ln, 10*time.Second, log); err != nil {
		log.Error("recorder stopped", "error", err)
		return 1
	}
	log.Info("recorded", "files", len(rec.Files()))
	return 0
}

// recordServer serves the proxy with serve's timeouts: without a read
// timeout a caller that stops sending its body holds a connection and a
// handler for ever; the write timeout leaves room for the upstream's 30 s.
func recordServer(h http.Handler, log *slog.Logger) *http.Server {
	return &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 15 * time.Second,
		WriteTimeout: 90 * time.Second, IdleTimeout: 120 * time.Second, MaxHeaderBytes: server.DefaultMaxHeaderBytes,
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
}

// subFlagSet is a subcommand's flag set: its mistakes and -h go to stderr,
// -h as the usage line then the flags.
func subFlagSet(name, usage string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, usage)
		fs.PrintDefaults()
	}
	return fs
}

// parseSub parses a subcommand's flags: ok false means return code (0 for
// -h, 2 for a mistake).
func parseSub(fs *flag.FlagSet, args []string, stderr io.Writer) (code int, ok bool) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0, false
		}
		return 2, false
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "kicc-mock %s: unexpected arguments: %v\n", fs.Name(), fs.Args())
		return 2, false
	}
	return 0, true
}
