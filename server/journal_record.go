package server

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"sync"

	"github.com/labstack/echo/v4"
)

// maxJournalResponse caps how much of an answer the journal keeps; KICC
// answers are well under 1 KiB.
const maxJournalResponse = 64 << 10

// isAdminPath reports whether path belongs to the admin API, which the
// journal does not record and the admin token guards.
func isAdminPath(path string) bool {
	return path == "/__admin" || strings.HasPrefix(path, "/__admin/")
}

// recordJournal is the middleware that journals every request outside
// /__admin: known KICC endpoints and unknown paths alike, since "the app
// called the wrong URL" is worth seeing. It sits outside the request logger,
// whose error handling has written the answer by the time control returns
// here. The request body is captured as the handler reads it and the answer
// as it is written, into pooled buffers; the only copies are the ones the
// journal keeps.
func (s *Server) recordJournal(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		if isAdminPath(r.URL.Path) {
			return next(c)
		}
		start := s.clock.Now()
		res := c.Response()
		rec := recorderPool.Get().(*recorder)
		rec.ResponseWriter = res.Writer
		rec.req = capture{limit: int(s.cfg.BodyLimit), buf: rec.req.buf[:0]}
		rec.resp = capture{limit: maxJournalResponse, buf: rec.resp.buf[:0]}
		rec.body = teeBody{ReadCloser: r.Body, to: &rec.req}
		res.Writer = rec
		if r.Body != nil {
			r.Body = &rec.body
		}

		err := next(c)
		if err != nil && !res.Committed {
			c.Error(err)
		}
		// A request answered before its body was read (415, 404, 405) is
		// journaled with its body all the same, up to the body limit.
		if r.Body != nil && !rec.body.eof && !rec.req.truncated {
			_, _ = io.CopyN(io.Discard, r.Body, int64(rec.req.limit-len(rec.req.buf)+1))
		}
		s.journal.append(journalEntry{
			time:          start,
			duration:      s.clock.Now().Sub(start),
			requestID:     res.Header().Get(echo.HeaderXRequestID),
			method:        r.Method,
			path:          r.URL.Path,
			query:         r.URL.RawQuery,
			header:        r.Header.Clone(),
			body:          bytes.Clone(rec.req.buf),
			bodyTruncated: rec.req.truncated,
			scenario:      rec.scenario,
			status:        res.Status,
			response:      bytes.Clone(rec.resp.buf),
		})

		res.Writer = rec.ResponseWriter
		if r.Body != nil {
			r.Body = rec.body.ReadCloser
		}
		rec.release()
		return nil
	}
}

// noteScenario records on the journal entry of c's request which scenario
// decided its answer. Handlers call it once they have picked one; without a
// call the entry's scenario is null.
func noteScenario(c echo.Context, name string) {
	w := c.Response().Writer
	for {
		switch x := w.(type) {
		case *recorder:
			x.scenario = name
			return
		case interface{ Unwrap() http.ResponseWriter }:
			w = x.Unwrap()
		default:
			return
		}
	}
}

var recorderPool = sync.Pool{New: func() any { return new(recorder) }}

// recorder is the response writer of a journaled request: it passes
// everything through and keeps a copy of the answer. It also owns the
// request body's tee, so one pooled object serves a request.
type recorder struct {
	http.ResponseWriter
	req, resp capture
	body      teeBody
	scenario  string
}

func (w *recorder) Write(b []byte) (int, error) {
	w.resp.keep(b)
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController (and so Echo's Flush and Hijack, which
// faults need) reach the connection's writer.
func (w *recorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// release returns w to the pool, unless a large body made its buffers big.
func (w *recorder) release() {
	if cap(w.req.buf) > 64<<10 || cap(w.resp.buf) > 64<<10 {
		return
	}
	w.ResponseWriter, w.body, w.scenario = nil, teeBody{}, ""
	recorderPool.Put(w)
}

// capture keeps up to limit bytes of what passes through it.
type capture struct {
	buf       []byte
	limit     int
	truncated bool
}

func (c *capture) keep(b []byte) {
	if room := c.limit - len(c.buf); len(b) > room {
		b = b[:max(room, 0)]
		c.truncated = true
	}
	c.buf = append(c.buf, b...)
}

// teeBody is a request body that keeps what is read from it.
type teeBody struct {
	io.ReadCloser
	to  *capture
	eof bool
}

func (t *teeBody) Read(p []byte) (int, error) {
	n, err := t.ReadCloser.Read(p)
	t.to.keep(p[:n])
	if err == io.EOF {
		t.eof = true
	}
	return n, err
}
