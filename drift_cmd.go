package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/kicc-mock/kicc-mock/client"
	"github.com/kicc-mock/kicc-mock/drift"
	"github.com/kicc-mock/kicc-mock/httpio"
	"github.com/kicc-mock/kicc-mock/server"
)

// driftCmd compares the upstream's answers with the mock's; it exits 1 on
// any difference, 0 when there is none, 2 on bad usage, 3 when a server
// did not answer a call (no comparison, so neither 0 nor 1).
func driftCmd(args []string, stdout, stderr io.Writer) int {
	fs := subFlagSet("drift", "Usage: kicc-mock drift --upstream URL [--mock URL] [--mall-id ID]", stderr)
	upstream := fs.String("upstream", "", "base `URL` of the server to check (the KICC sandbox, https://testpgapi.easypay.co.kr)")
	mock := fs.String("mock", "", "base `URL` of a running kicc-mock; empty starts one in this process with the defaults")
	mallID := fs.String("mall-id", "T0000001", "mallId the calls are made for (the sandbox needs yours)")
	timeout := fs.Duration("timeout", client.DefaultTimeout, "timeout of each call")
	if code, ok := parseSub(fs, args, stderr); !ok {
		return code
	}
	if *upstream == "" {
		fmt.Fprintln(stderr, "kicc-mock drift: --upstream is required")
		return 2
	}
	for _, f := range []struct{ name, url string }{{"--upstream", *upstream}, {"--mock", *mock}} {
		if f.url == "" {
			continue
		}
		if u, err := url.Parse(f.url); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			fmt.Fprintf(stderr, "kicc-mock drift: %s is not an http(s) URL\n", f.name)
			return 2
		}
	}
	if *mock == "" {
		u, stop, err := startMock()
		if err != nil {
			fmt.Fprintln(stderr, "kicc-mock drift:", err)
			return 1
		}
		defer stop()
		*mock = u
	}
	rep := drift.Run(context.Background(), *upstream, *mock, drift.Config{MallID: *mallID, Timeout: *timeout})
	drift.WriteTable(stdout, rep)
	if len(rep.Unanswered) > 0 {
		fmt.Fprintf(stderr, "kicc-mock drift: no answer to %d of %d calls (%s); is the server up? Not compared\n",
			len(rep.Unanswered), rep.Calls, strings.Join(rep.Unanswered, ", "))
		return 3
	}
	if len(rep.Differences) > 0 {
		return 1
	}
	return 0
}

// startMock serves a default kicc-mock on a free loopback port.
func startMock() (url string, stop func(), err error) {
	srv, err := server.New(server.Config{Version: buildVersion()})
	if err != nil {
		return "", nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		srv.Close()
		return "", nil, err
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = hs.Serve(ln) }()
	return "http://" + httpio.DialAddr(ln.Addr().String()), func() {
		_ = hs.Close()
		srv.Close()
	}, nil
}
