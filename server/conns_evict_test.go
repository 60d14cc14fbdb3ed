package server

import (
	"context"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// An idle connection chosen to make room just as its next request has been
// read (net/http has yet to report it active) is closed under that request:
// the request must then not be served, or the client would see its
// connection close without an answer while the mock used its key (a
// payment made, a cancel recorded) — a fault the mock made up.
func TestConnLimitDoesNotServeARequestOnAConnectionItClosedToMakeRoom(t *testing.T) {
	srv, err := New(Config{MaxConns: 1})
	require.NoError(t, err)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	hs := srv.HTTPServer("")
	// The hook holds the first request it is armed for between its read and
	// its report as active, the moment a new connection can pick its
	// connection to close.
	var armed atomic.Bool
	reached, release, closed := make(chan net.Conn, 1), make(chan struct{}), make(chan struct{})
	var held atomic.Value
	report := hs.ConnState
	hs.ConnState = func(c net.Conn, st http.ConnState) {
		if st == http.StateActive && armed.CompareAndSwap(true, false) {
			held.Store(c)
			reached <- c
			<-release
		}
		report(c, st)
		if st == http.StateClosed && held.Load() == c {
			close(closed)
		}
	}
	go func() { _ = hs.Serve(srv.Listener(ln)) }()
	t.Cleanup(func() { _ = hs.Close() })
	addr := ln.Addr().String()

	idle := dialKeepAlive(t, addr)
	status, err := idle.get("/__admin/health")
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, status)
	waitIdle(t, srv.conns, 1)

	armed.Store(true)
	body := cancelFor("T0000001", "evicted-1")
	_, err = io.WriteString(idle, "POST /api/trades/wechatpay/find HTTP/1.1\r\nHost: mock\r\nContent-Type: "+ContentTypeJSON+
		"\r\nContent-Length: "+strconv.Itoa(len(body))+"\r\n\r\n"+body)
	require.NoError(t, err)
	<-reached

	// The new connection is served; the idle one is closed for it.
	fresh := dialKeepAlive(t, addr)
	status, err = fresh.get("/__admin/health")
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, status)
	close(release)
	<-closed
	answer, _ := io.ReadAll(idle)
	assert.Empty(t, string(answer), "the closed connection had no answer")

	// So its request did not happen: its key is free.
	_, err = io.WriteString(fresh, "POST /api/trades/wechatpay/find HTTP/1.1\r\nHost: mock\r\nContent-Type: "+ContentTypeJSON+
		"\r\nContent-Length: "+strconv.Itoa(len(body))+"\r\n\r\n"+body)
	require.NoError(t, err)
	resp, err := http.ReadResponse(fresh.r, nil)
	require.NoError(t, err)
	got, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	assert.True(t, strings.Contains(string(got), `"resCd":"0000"`), "the key was used by a request never answered: %s", got)
}

// At shutdown a connection accepted that sent nothing has no request to
// let finish: it is closed at once, not after net/http's 5 s grace for new
// connections (a browser's speculative connection held the exit that long).
func TestConnLimitShutdownClosesConnectionsWaitingForTheirFirstRequest(t *testing.T) {
	srv, err := New(Config{MaxConns: 4})
	require.NoError(t, err)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	hs := srv.HTTPServer("")
	go func() { _ = hs.Serve(srv.Listener(ln)) }()
	t.Cleanup(func() { _ = hs.Close() })
	addr := ln.Addr().String()

	idle := dialKeepAlive(t, addr)
	status, err := idle.get("/__admin/health")
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, status)
	silent := dialKeepAlive(t, addr)
	waitIdle(t, srv.conns, 2)

	done := make(chan error, 1)
	go func() { done <- hs.Shutdown(context.Background()) }()
	assert.True(t, silent.closedByServer(t), "the silent connection is closed at shutdown")
	assert.True(t, idle.closedByServer(t))
	require.NoError(t, <-done)
	assert.Equal(t, 0, srv.conns.Stats().Open)
}
