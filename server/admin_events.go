package server

import (
	"bufio"
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/kicc-mock/kicc-mock/httpio"
)

// eventsKeepAlive is how often an idle event stream sends a comment, so
// that proxies and the browser keep the connection, and a client that left
// without closing it is noticed.
const eventsKeepAlive = 25 * time.Second

// eventsWriteTimeout bounds each write of a stream. The server's write
// timeout is off for a stream; without one of its own, a client that keeps
// the connection open but reads nothing would hold the handler, its
// subscription and a place under maxEventStreams for ever, and a shutdown
// for its whole timeout.
const eventsWriteTimeout = 5 * time.Second

// eventsRetryMs is what the stream tells EventSource to wait before it
// reconnects.
const eventsRetryMs = 2000

// maxEventStreams bounds the event streams open at once. Each holds a
// goroutine, a connection and room for SubscriptionBuffer entries, and
// every journaled request is handed to each: a page (or a script) that
// opens streams in a loop must not cost the requests. A browser opens one
// per dashboard tab.
const maxEventStreams = 32

// handleEvents serves GET /__admin/events, a text/event-stream of the
// journal as it grows: "request" events carry an entry as GET
// /__admin/requests shows it, and "refetch" says to read the journal again
// (this stream fell behind and dropped entries, or the journal was cleared).
// The journal never waits for the stream; the stream ends when the client
// leaves or the server shuts down.
func (s *Server) handleEvents(c echo.Context) error {
	if s.eventStreams.Add(1) > maxEventStreams {
		s.eventStreams.Add(-1)
		return &httpio.Error{Status: http.StatusServiceUnavailable, Message: "too many event streams open (" +
			strconv.Itoa(maxEventStreams) + "); close a dashboard tab, or read GET /__admin/requests instead"}
	}
	defer s.eventStreams.Add(-1)
	w := c.Response()
	rc := http.NewResponseController(w)
	// The server's write timeout is for answers, not for a stream that is
	// open as long as the page is.
	_ = rc.SetWriteDeadline(time.Time{})
	h := w.Header()
	h.Set(echo.HeaderContentType, "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no") // nginx in front: do not buffer
	sub := s.journal.Subscribe()
	defer s.journal.Unsubscribe(sub)
	w.WriteHeader(http.StatusOK)

	out := bufio.NewWriter(w)
	// Set before anything is written: a large event goes past out's
	// buffer straight to the connection.
	deadline := func() { _ = rc.SetWriteDeadline(time.Now().Add(eventsWriteTimeout)) }
	flush := func() error {
		if err := out.Flush(); err != nil {
			return err
		}
		return rc.Flush()
	}
	send := func(event string, data []byte) error {
		deadline()
		if event != "" {
			out.WriteString("event: " + event + "\n")
		}
		if data != nil {
			out.WriteString("data: ")
			out.Write(data) // JSON has no raw newlines
			out.WriteString("\n")
		}
		out.WriteString("\n")
		return flush()
	}
	out.WriteString("retry: " + strconv.Itoa(eventsRetryMs) + "\n")
	if err := send("hello", []byte(`{}`)); err != nil {
		return nil
	}
	ctx := c.Request().Context()
	keepAlive := s.clock.After(eventsKeepAlive)
	for {
		var err error
		select {
		case <-ctx.Done():
			return nil
		case <-s.stopping:
			_ = send("bye", []byte(`{}`))
			return nil
		case e := <-sub.C:
			v := e.View()
			b, merr := json.Marshal(&v)
			if merr != nil {
				continue
			}
			err = send("request", b)
		case <-sub.Refetch:
			reason := `{"reason":"changed"}`
			if sub.TakeLost() {
				reason = `{"reason":"lost"}`
			}
			err = send("refetch", []byte(reason))
		case <-keepAlive:
			keepAlive = s.clock.After(eventsKeepAlive)
			deadline()
			out.WriteString(": keep-alive\n\n") // an error sticks: flush reports it
			err = flush()
		}
		if err != nil {
			return nil // the client is gone: nothing to answer
		}
	}
}
