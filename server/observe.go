package server

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"github.com/kicc-mock/kicc-mock/httpio"
	"github.com/kicc-mock/kicc-mock/journal"
)

// observe wraps the Echo application in what every request gets: a request
// id, panic recovery, the access log and the journal. It is plain net/http
// middleware composed once: Echo v4 re-applies its own middleware chain on
// every request (closures and all).
func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rid := httpio.HeaderValue(r.Header, RequestIDHeader)
		if rid == "" {
			rid = s.nextRequestID()
		}
		w.Header()[RequestIDHeader] = []string{rid} // canonical already

		journaled := !isAdminPath(r.URL.Path)
		start := s.clock.Now()
		began := time.Now() // real time, for the latency metric and the access log
		logInfo := s.log.Enabled(r.Context(), slog.LevelInfo)
		rec, r := journal.Begin(w, r, start, journaled, int(s.cfg.BodyLimit))
		s.serveRecovered(rec, r, next)
		if journaled {
			if b, eof, truncated := rec.BodyRead(); r.Body != nil && !eof && !truncated {
				drainForJournal(rec, r, len(b))
			}
			s.countRequest(r, rec, time.Since(began))
		}
		s.accessLog(r, rec, rid, logInfo, began)
		rec.Finish(s.journal, r, rid, s.clock.Since(start))
	})
}

// isAdminPath reports whether path belongs to the admin API or is
// /metrics, which the journal does not record, the metrics do not count
// and the admin token guards.
func isAdminPath(path string) bool {
	return path == "/__admin" || strings.HasPrefix(path, "/__admin/") || path == pathMetrics
}

// journalDrainWindow bounds how long the journal waits for the rest of a
// body the handler did not read: what arrives in it is journaled, the rest
// is not waited for.
const journalDrainWindow = 200 * time.Millisecond

// drainForJournal reads what is left of a body the handler answered without
// reading (415, 413, 404, 405), so the journal shows what was sent, waiting
// at most journalDrainWindow: a client that sends slowly, or waits for a
// "100 Continue" it will never get, must not hold up its answer or its
// connection. An answer that closes the connection (413, 415) is flushed
// before the wait; any other after it, because net/http, once it writes an
// answer's header, reads the rest of the body itself (past the journal)
// unless the connection closes. A body the window cut keeps its expired
// read deadline, so net/http's own read of the rest fails at once and the
// connection closes (it cannot be reused with a body half read).
func drainForJournal(rec *journal.Recorder, r *http.Request, read int) {
	rc := http.NewResponseController(rec)
	closing := rec.Header().Get("Connection") == "close"
	if closing {
		_ = rc.Flush()
	}
	deadline := rc.SetReadDeadline(time.Now().Add(journalDrainWindow)) == nil
	_, err := io.CopyN(io.Discard, r.Body, int64(rec.BodyLimit()-read+1))
	if deadline && errors.Is(err, io.EOF) {
		_ = rc.SetReadDeadline(time.Time{})
	}
	if !closing {
		_ = rc.Flush()
	}
}

// serveRecovered serves r, turning a panic into a logged JSON 500 so the
// server keeps serving and the client gets an answer, never a dropped
// connection or an HTML page.
func (s *Server) serveRecovered(rec *journal.Recorder, r *http.Request, next http.Handler) {
	defer func() {
		p := recover()
		if p == nil || p == http.ErrAbortHandler { //nolint:errorlint // a sentinel value, compared as net/http does
			if p != nil {
				panic(p)
			}
			return
		}
		s.log.Error("panic serving request", "path", r.URL.Path, "error", fmt.Sprint(p), "stack", string(debug.Stack()))
		rec.SetErr(fmt.Sprint(p))
		if rec.Status() == 0 {
			he := &httpio.Error{Status: http.StatusInternalServerError, Message: "internal error in kicc-mock; the server keeps serving"}
			_ = httpio.WriteJSON(rec, he.Status, he.Body())
		}
	}()
	next.ServeHTTP(rec, r)
}

// accessLog logs one line per request: info, or error for a 5xx.
func (s *Server) accessLog(r *http.Request, rec *journal.Recorder, rid string, infoOn bool, began time.Time) {
	status := rec.Status()
	level := slog.LevelInfo
	if status >= 500 {
		level = slog.LevelError
	}
	if level == slog.LevelInfo && !infoOn || !s.log.Enabled(r.Context(), level) {
		return
	}
	attrs := make([]slog.Attr, 0, 8)
	attrs = append(attrs,
		slog.String("method", r.Method),
		slog.String("path", r.URL.Path),
		slog.Int("status", status),
	)
	attrs = append(attrs, slog.Duration("duration", time.Since(began)))
	attrs = append(attrs, slog.String("request_id", rid))
	if sc := rec.Scenario(); sc != "" {
		attrs = append(attrs, slog.String("scenario", sc))
	}
	if l := rec.Lint(); l != "" {
		attrs = append(attrs, slog.String("lint", l))
	}
	if e := rec.Err(); e != "" {
		attrs = append(attrs, slog.String("error", e))
	}
	s.log.LogAttrs(r.Context(), level, "request", attrs...)
}
