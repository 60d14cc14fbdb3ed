package server

import (
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

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

// recorderOf finds the recorder under c's response writer, or nil.
func recorderOf(c echo.Context) *recorder {
	w := c.Response().Writer
	for {
		switch x := w.(type) {
		case *recorder:
			return x
		case interface{ Unwrap() http.ResponseWriter }:
			w = x.Unwrap()
		default:
			return nil
		}
	}
}

// noteScenario records on the journal entry (and the access log line) of
// c's request which scenario decided its answer. Handlers call it once they
// have picked one; without a call the entry's scenario is null.
func noteScenario(c echo.Context, name string) {
	if rec := recorderOf(c); rec != nil {
		rec.scenario = name
	}
}

// requestTime is when c's request arrived, on the server's clock: the time
// its answer is about, read once per request.
func (s *Server) requestTime(c echo.Context) time.Time {
	if rec := recorderOf(c); rec != nil {
		return rec.start
	}
	return s.clock.Now()
}

// noteStatus records a status for a request that sends no HTTP answer
// (StatusClientClosed when the client left during a delay or hang).
func noteStatus(c echo.Context, status int) {
	if rec := recorderOf(c); rec != nil && rec.status == 0 {
		rec.status = status
	}
}

// noteError records the error a request was answered with, for the access
// log.
func noteError(c echo.Context, err error) {
	if rec := recorderOf(c); rec != nil {
		rec.errMsg = err.Error()
	}
}

var recorderPool = sync.Pool{New: func() any { return new(recorder) }}

// recorder is the response writer of every request: it passes everything
// through, notes the status, and for journaled requests keeps a copy of the
// answer. It also owns the request body's tee, so one pooled object serves a
// request.
type recorder struct {
	http.ResponseWriter
	req, resp  capture
	body       teeBody
	journalBuf []byte // the spare buffer journal.record trades for a slot's
	keepBody   bool
	start      time.Time // when the request arrived, on the server's clock
	status     int       // 0 until written; a fault may leave it 0 (no HTTP answer)
	scenario   string    // noted by the handler
	errMsg     string    // noted by the error handler, for the access log
}

func (w *recorder) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *recorder) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	if w.keepBody {
		w.resp.keep(b)
	}
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
	w.ResponseWriter, w.body, w.scenario, w.status, w.errMsg = nil, teeBody{}, "", 0, ""
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
