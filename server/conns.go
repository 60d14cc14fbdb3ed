package server

import (
	"container/list"
	"context"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Listener wraps ln so that its connections count against Config.MaxConns
// (ln itself when there is no cap). Serve it with HTTPServer's server,
// which reports each connection's state to the limit.
func (s *Server) Listener(ln net.Listener) net.Listener {
	if s.conns == nil {
		return ln
	}
	return s.conns.Listener(ln)
}

// ConnLimit caps the connections the mock holds open. Each one costs a
// file descriptor, and when the process runs out of them net/http's accept
// loop backs off and retries while every new client waits in the kernel's
// backlog: thousands of idle keep-alive connections would starve a healthy
// request until their idle timeout. At the cap the connection that has
// waited longest for a request (an idle keep-alive one, or one accepted
// that sent nothing yet) is closed to make room, as an idle timeout would
// have closed it; when every connection has a request in flight the new
// one is answered 503 and closed at once.
//
// Idleness is an order, not a time: the connection that went idle first is
// the idlest, so the choice does not depend on a clock.
type ConnLimit struct {
	max int

	mu    sync.Mutex
	conns map[net.Conn]*connEntry
	// waiting holds the connections without a request in flight, the one
	// waiting longest at the front.
	waiting list.List
	// What the cap closed (ConnStats); counted where it chooses, l.mu held.
	closedIdle, refused uint64
}

type connEntry struct {
	waiting *list.Element // nil while a request is in flight or once hijacked
}

// NewConnLimit returns a limit of n open connections (at least 1).
func NewConnLimit(n int) *ConnLimit {
	return &ConnLimit{max: max(n, 1), conns: map[net.Conn]*connEntry{}}
}

// ConnStats is what GET /__admin/stats and /metrics report of the limit.
type ConnStats struct {
	Open int `json:"open"`
	Max  int `json:"max"`
	// ClosedIdle counts idle connections closed to make room for a new one;
	// Refused, new connections closed because none was idle.
	ClosedIdle uint64 `json:"closedIdle"`
	Refused    uint64 `json:"refused"`
}

// Stats reports the open connections and what the cap has closed.
func (l *ConnLimit) Stats() ConnStats {
	l.mu.Lock()
	defer l.mu.Unlock()
	return ConnStats{Open: len(l.conns), Max: l.max, ClosedIdle: l.closedIdle, Refused: l.refused}
}

// Listener wraps ln so that what it accepts counts against the limit; the
// http.Server serving it must report to ConnState.
func (l *ConnLimit) Listener(ln net.Listener) net.Listener { return &limitListener{Listener: ln, l: l} }

type limitListener struct {
	net.Listener
	l *ConnLimit
}

// refusal is written to a connection refused at the cap before it is
// closed, so that the client reads why rather than a bare reset.
var refusal = func() []byte {
	body := `{"error":"too many open connections (--max-conns); close idle ones or raise --max-conns"}` + "\n"
	return []byte("HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: " +
		strconv.Itoa(len(body)) + "\r\n\r\n" + body)
}()

// Accept returns the next connection the limit admits. A refused one is
// closed here and Accept waits for the next, so the server's accept loop
// never sees an error it would back off on.
func (ln *limitListener) Accept() (net.Conn, error) {
	for {
		c, err := ln.Listener.Accept()
		if err != nil {
			return nil, err
		}
		tc := ln.l.wrap(c)
		victim, ok := ln.l.admit(tc)
		if victim != nil {
			_ = victim.Close()
		}
		if ok {
			return tc, nil
		}
		// A new socket's send buffer is empty, so this write does not
		// block; the deadline is there in case it ever would.
		_ = c.SetWriteDeadline(time.Now().Add(time.Second))
		_, _ = c.Write(refusal)
		_ = c.Close()
	}
}

// admit counts c in, or reports that it cannot be; at the cap it chooses
// the idlest connection to close, which the caller does outside the lock.
func (l *ConnLimit) admit(c net.Conn) (victim net.Conn, ok bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.conns) >= l.max {
		front := l.waiting.Front()
		if front == nil {
			l.refused++
			return nil, false
		}
		victim = front.Value.(net.Conn)
		victim.(tracked).tracking().evicted.Store(true)
		l.forget(victim)
		l.closedIdle++
	}
	l.conns[c] = &connEntry{waiting: l.waiting.PushBack(c)}
	return victim, true
}

// closeWaiting closes the connections without a request in flight: it is
// the server's shutdown hook. net/http's Shutdown closes the idle ones but
// gives one accepted that has sent nothing 5 s to start a request, which
// held the exit that long for any client keeping a spare connection open
// (browsers do); with the listener closed there is nothing to wait for. A
// request that was being read when its connection was chosen is dropped
// (guard), as one reaching an idle connection Shutdown closes is.
func (l *ConnLimit) closeWaiting() {
	l.mu.Lock()
	var waiting []net.Conn
	for e := l.waiting.Front(); e != nil; e = e.Next() {
		c := e.Value.(net.Conn)
		c.(tracked).tracking().evicted.Store(true)
		waiting = append(waiting, c)
	}
	for _, c := range waiting {
		l.forget(c)
	}
	l.mu.Unlock()
	for _, c := range waiting {
		_ = c.Close()
	}
}

// forget stops counting c; l.mu is held.
func (l *ConnLimit) forget(c net.Conn) {
	if e, ok := l.conns[c]; ok {
		if e.waiting != nil {
			l.waiting.Remove(e.waiting)
		}
		delete(l.conns, c)
	}
}

// ConnState is the http.Server's ConnState hook: it moves a connection
// between waiting (new, idle) and busy (active). A hijacked connection
// (the faults take theirs over) stays counted until it is closed, since
// it still holds a descriptor, but is never chosen to make room: a fault
// is answering on it.
//
// New and Closed change nothing and take no lock: admit counted the
// connection as waiting, and net/http reports Closed after closing it,
// when the wrap's Close has already forgotten it.
func (l *ConnLimit) ConnState(c net.Conn, state http.ConnState) {
	if state == http.StateNew || state == http.StateClosed {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	e, ok := l.conns[c]
	if !ok {
		return // not accepted through Listener, or already closed
	}
	switch state {
	case http.StateIdle:
		if e.waiting != nil {
			l.waiting.MoveToBack(e.waiting)
		} else {
			e.waiting = l.waiting.PushBack(c)
		}
	case http.StateActive, http.StateHijacked:
		if e.waiting != nil {
			l.waiting.Remove(e.waiting)
			e.waiting = nil
		}
	}
}

// connKey is the context key of the tracking of a request's connection.
type connKey struct{}

// connContext is the http.Server's ConnContext hook: it lets guard find the
// connection a request came on.
func (l *ConnLimit) connContext(ctx context.Context, c net.Conn) context.Context {
	if t, ok := c.(tracked); ok {
		return context.WithValue(ctx, connKey{}, t.tracking())
	}
	return ctx
}

// guard drops a request read on a connection the limit chose to close to
// make room: net/http reports a connection active only after reading its
// request, so an idle one can be chosen with its next request already read.
// Served, that request would use its key (a payment made) on a connection
// closed before its answer, a failure the client did not cause; dropped, it
// is what the client of a connection closed while idle sees.
func (l *ConnLimit) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if o, _ := r.Context().Value(connKey{}).(*closeOnce); o != nil && o.evicted.Load() {
			// The chooser closes it too, maybe not yet: net/http's empty
			// answer to a handler that wrote nothing must find it closed.
			_ = o.c.Close()
			return
		}
		next.ServeHTTP(w, r)
	})
}

// tracked is a connection wrap returned.
type tracked interface{ tracking() *closeOnce }

// wrap makes c report its close to the limit, whoever closes it (the
// server, a fault that hijacked it, or the limit itself).
func (l *ConnLimit) wrap(c net.Conn) net.Conn {
	if tc, ok := c.(*net.TCPConn); ok {
		// Embedding the *net.TCPConn keeps its methods (SetLinger for the
		// reset fault, ReadFrom for sendfile) on the wrapped connection.
		w := &trackedTCPConn{TCPConn: tc}
		w.closed.l, w.closed.c = l, w
		return w
	}
	w := &trackedConn{Conn: c}
	w.closed.l, w.closed.c = l, w
	return w
}

type closeOnce struct {
	once sync.Once
	l    *ConnLimit
	c    net.Conn
	// evicted is set, l.mu held, when the limit chooses c to make room,
	// before c leaves its waiting list: so once c is reported active (under
	// l.mu, after its request is read) it is either set or never will be.
	evicted atomic.Bool
}

func (o *closeOnce) close(inner func() error) error {
	err := net.ErrClosed
	o.once.Do(func() {
		err = inner()
		o.l.mu.Lock()
		o.l.forget(o.c)
		o.l.mu.Unlock()
	})
	return err
}

type trackedTCPConn struct {
	*net.TCPConn
	closed closeOnce
}

func (c *trackedTCPConn) Close() error { return c.closed.close(c.TCPConn.Close) }

func (c *trackedTCPConn) tracking() *closeOnce { return &c.closed }

type trackedConn struct {
	net.Conn
	closed closeOnce
}

func (c *trackedConn) Close() error { return c.closed.close(c.Conn.Close) }

func (c *trackedConn) tracking() *closeOnce { return &c.closed }
