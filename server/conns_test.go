package server

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// serveCapped serves srv on a loopback listener through its connection
// limit, the way the binary does.
func serveCapped(t *testing.T, cfg Config) (*Server, string) {
	t.Helper()
	srv, err := New(cfg)
	require.NoError(t, err)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	hs := srv.HTTPServer("")
	go func() { _ = hs.Serve(srv.Listener(ln)) }()
	t.Cleanup(func() { _ = hs.Close() })
	return srv, ln.Addr().String()
}

// keepAlive is a client connection that sent one request and keeps the
// connection open for more.
type keepAlive struct {
	net.Conn
	r *bufio.Reader
}

func dialKeepAlive(t *testing.T, addr string) *keepAlive {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	return &keepAlive{Conn: c, r: bufio.NewReader(c)}
}

// get sends GET path on the connection and returns the answer's status.
func (k *keepAlive) get(path string) (int, error) {
	if _, err := io.WriteString(k, "GET "+path+" HTTP/1.1\r\nHost: mock\r\n\r\n"); err != nil {
		return 0, err
	}
	resp, err := http.ReadResponse(k.r, nil)
	if err != nil {
		return 0, err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	return resp.StatusCode, nil
}

// closedByServer reports whether the server closed the connection: a read
// on it ends (EOF or reset) instead of waiting for data that never comes.
func (k *keepAlive) closedByServer(t *testing.T) bool {
	t.Helper()
	// The deadline only bounds the wait of a connection left open; the
	// answer does not depend on how long it is.
	require.NoError(t, k.SetReadDeadline(time.Now().Add(time.Second)))
	_, err := k.r.ReadByte()
	var ne net.Error
	return err != nil && !(errors.As(err, &ne) && ne.Timeout())
}

// waitIdle waits until n connections wait for a request: the server marks
// a connection idle only after the client has read its answer.
func waitIdle(t *testing.T, l *ConnLimit, n int) {
	t.Helper()
	require.Eventually(t, func() bool {
		l.mu.Lock()
		defer l.mu.Unlock()
		return l.waiting.Len() == n
	}, 5*time.Second, time.Millisecond)
}

func TestConnLimitClosesTheIdlestForANewConnection(t *testing.T) {
	const max = 3
	srv, addr := serveCapped(t, Config{MaxConns: max})
	var idle []*keepAlive
	for i := range max + 2 {
		k := dialKeepAlive(t, addr)
		status, err := k.get("/__admin/health")
		require.NoError(t, err, "connection %d: a healthy request is answered at the cap", i)
		require.Equal(t, http.StatusOK, status)
		idle = append(idle, k)
		waitIdle(t, srv.conns, min(i+1, max))
	}
	assert.True(t, idle[0].closedByServer(t), "the idlest connection made room for the fourth")
	assert.True(t, idle[1].closedByServer(t), "the next idlest made room for the fifth")
	status, err := idle[2].get("/__admin/health")
	require.NoError(t, err, "a connection idle for less time stays open")
	assert.Equal(t, http.StatusOK, status)

	st := decode[statsView](t, call(srv, http.MethodGet, "/__admin/stats", ""))
	require.NotNil(t, st.Connections)
	assert.Equal(t, ConnStats{Open: max, Max: max, ClosedIdle: 2}, *st.Connections)
	scrape := call(srv, http.MethodGet, "/metrics", "").Body.String()
	assert.Contains(t, scrape, "kicc_mock_connections 3\n")
	assert.Contains(t, scrape, `kicc_mock_connections_closed_total{reason="idle"} 2`+"\n")
}

// pipeListener accepts the server ends of net.Pipe connections.
type pipeListener struct {
	conns chan net.Conn
	done  chan struct{}
	once  sync.Once
}

func newPipeListener() *pipeListener {
	return &pipeListener{conns: make(chan net.Conn), done: make(chan struct{})}
}

func (p *pipeListener) Accept() (net.Conn, error) {
	select {
	case c := <-p.conns:
		return c, nil
	case <-p.done:
		return nil, net.ErrClosed
	}
}

func (p *pipeListener) Close() error {
	p.once.Do(func() { close(p.done) })
	return nil
}

func (p *pipeListener) Addr() net.Addr { return &net.TCPAddr{} }

// dial hands the listener a new connection and returns the client's end.
func (p *pipeListener) dial() net.Conn {
	client, server := net.Pipe()
	p.conns <- server
	return client
}

func TestConnLimitRefusesANewConnectionWhenNoneIsIdle(t *testing.T) {
	l := NewConnLimit(2)
	pl := newPipeListener()
	ln := l.Listener(pl)
	defer ln.Close()
	accepted := make(chan net.Conn)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				close(accepted)
				return
			}
			accepted <- c
		}
	}()
	for range 2 {
		pl.dial()
		c := <-accepted
		l.ConnState(c, http.StateNew)
		l.ConnState(c, http.StateActive) // a request in flight
	}
	refused := pl.dial()
	answer, err := io.ReadAll(refused) // the refusal, then the close
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(string(answer), "HTTP/1.1 503 Service Unavailable\r\n"), "%q", answer)
	assert.Contains(t, string(answer), `"error":"too many open connections (--max-conns)`)
	assert.Equal(t, ConnStats{Open: 2, Max: 2, Refused: 1}, l.Stats())

	// Once a connection is closed there is room again, and the accept
	// loop kept going after the refusal.
	var first net.Conn
	l.mu.Lock()
	for c := range l.conns {
		first = c
		break
	}
	l.mu.Unlock()
	require.NoError(t, first.Close())
	pl.dial()
	<-accepted
	assert.Equal(t, ConnStats{Open: 2, Max: 2, Refused: 1}, l.Stats())
}

func TestConnLimitCountsHijackedConnectionsUntilClosedButNeverClosesThem(t *testing.T) {
	l := NewConnLimit(1)
	pl := newPipeListener()
	ln := l.Listener(pl)
	defer ln.Close()
	accepted := make(chan net.Conn, 2)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			accepted <- c
		}
	}()
	pl.dial()
	held := <-accepted
	l.ConnState(held, http.StateNew)
	l.ConnState(held, http.StateActive)
	l.ConnState(held, http.StateHijacked) // a fault answers on it
	refused := pl.dial()
	_, _ = io.ReadAll(refused)
	assert.Equal(t, ConnStats{Open: 1, Max: 1, Refused: 1}, l.Stats(), "the hijacked connection still holds its descriptor")

	require.NoError(t, held.Close())
	assert.ErrorIs(t, held.Close(), net.ErrClosed, "a second close is not counted twice")
	pl.dial()
	<-accepted
	assert.Equal(t, ConnStats{Open: 1, Max: 1, Refused: 1}, l.Stats())
}

func TestConnLimitIsOffWithoutMaxConns(t *testing.T) {
	srv, err := New(Config{})
	require.NoError(t, err)
	defer srv.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	assert.Same(t, ln, srv.Listener(ln))
	st := decode[statsView](t, call(srv, http.MethodGet, "/__admin/stats", ""))
	assert.Nil(t, st.Connections)
}

// The reset fault sets SO_LINGER on the connection it hijacks, through the
// limit's wrapper: the client sees a reset, not an orderly close, and the
// connection is no longer counted.
func TestConnLimitKeepsTheResetFaultAReset(t *testing.T) {
	srv, addr := serveCapped(t, Config{MaxConns: 4})
	c := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	req, err := http.NewRequest(http.MethodPost, "http://"+addr+"/api/trades/wechatpay/find",
		strings.NewReader(cancelFor("T0000001", "reset-1")))
	require.NoError(t, err)
	req.Header.Set("Content-Type", ContentTypeJSON)
	req.Header.Set(ScenarioHeader, "conn-reset")
	_, err = c.Do(req)
	require.Error(t, err)
	assert.True(t, errors.Is(err, syscall.ECONNRESET), "want ECONNRESET, got %v", err)
	require.Eventually(t, func() bool { return srv.conns.Stats().Open == 0 }, 5*time.Second, time.Millisecond)
}

// Many clients at once against a small cap: every connection is answered
// (200, or the 503 refusal) or closed to make room, none waits, and the
// count never passes the cap nor leaks.
func TestConnLimitUnderConcurrentClients(t *testing.T) {
	const max = 4
	srv, addr := serveCapped(t, Config{MaxConns: max})
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			for range 20 {
				c, err := net.Dial("tcp", addr)
				if err != nil {
					continue
				}
				// A safety net against a hang, not a timing assertion.
				_ = c.SetDeadline(time.Now().Add(10 * time.Second))
				k := &keepAlive{Conn: c, r: bufio.NewReader(c)}
				status, err := k.get("/__admin/health")
				var ne net.Error
				if errors.As(err, &ne) && ne.Timeout() {
					t.Errorf("a connection waited: %v", err)
				}
				if err == nil && status != http.StatusOK && status != http.StatusServiceUnavailable {
					t.Errorf("status %d", status)
				}
				_ = c.Close()
				assert.LessOrEqual(t, srv.conns.Stats().Open, max)
			}
		})
	}
	wg.Wait()
	require.Eventually(t, func() bool { return srv.conns.Stats().Open == 0 }, 5*time.Second, time.Millisecond,
		"every connection closed by its client is forgotten")
}
