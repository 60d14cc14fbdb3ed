package journal

import (
	"context"
	"io"
	"net/http"
	"sync"
	"time"
)

// MaxResponse caps how much of an answer the journal keeps; KICC answers are
// well under 1 KiB.
const MaxResponse = 64 << 10

// Recorder is the response writer of every request: it passes everything
// through, notes the status, and for journaled requests keeps a copy of the
// request body and the answer. Handlers reach it through the request's
// context (From, and the Note functions), never by unwrapping writers.
// Recorders are pooled: Begin takes one, Finish returns it.
type Recorder struct {
	http.ResponseWriter
	req, resp capture
	body      teeBody
	spare     []byte // the buffer Journal.Record trades for a slot's
	keepBody  bool
	start     time.Time // when the request arrived, on the server's clock
	status    int       // 0 until written; a fault may leave it 0 (no HTTP answer)
	scenario  string
	errMsg    string
	lint      string // the request's lint findings: the X-KICC-Mock-Lint text
	lintJSON  []byte // and as JSON, for the journal
	endpoint  string // what the pipeline noted, for the metrics: the scenario endpoint
	resCd     string // and the resCd it answered ("" for none)
	// ctx is the request's context with this recorder in it, held here so
	// that carrying the recorder costs no allocation of its own.
	ctx recorderContext
}

type recorderKey struct{}

// recorderContext is a context.Context that answers Value(recorderKey{})
// with its recorder and delegates everything else, cancellation included,
// to the request's own context.
type recorderContext struct {
	context.Context
	rec *Recorder
}

func (c *recorderContext) Value(key any) any {
	if key == (recorderKey{}) {
		return c.rec
	}
	return c.Context.Value(key)
}

var recorderPool = sync.Pool{New: func() any { return new(Recorder) }}

// Begin wraps w for r: the returned request carries the recorder in its
// context, and, when journaled, a body that keeps what is read from it, up
// to bodyLimit bytes. start is the request's arrival on the server's clock.
func Begin(w http.ResponseWriter, r *http.Request, start time.Time, journaled bool, bodyLimit int) (*Recorder, *http.Request) {
	rec := recorderPool.Get().(*Recorder)
	rec.ResponseWriter = w
	rec.start = start
	rec.keepBody = journaled
	rec.req = capture{limit: bodyLimit, buf: rec.req.buf[:0]}
	rec.resp = capture{limit: MaxResponse, buf: rec.resp.buf[:0]}
	rec.ctx = recorderContext{Context: r.Context(), rec: rec}
	r = r.WithContext(&rec.ctx)
	if journaled && r.Body != nil {
		rec.body = teeBody{ReadCloser: r.Body, to: &rec.req}
		r.Body = &rec.body
	}
	return rec, r
}

// From returns the recorder of ctx's request, or nil outside one.
func From(ctx context.Context) *Recorder {
	rec, _ := ctx.Value(recorderKey{}).(*Recorder)
	return rec
}

// NoteScenario records on the entry (and the access log line) of ctx's
// request which scenario decided its answer.
func NoteScenario(ctx context.Context, name string) {
	if rec := From(ctx); rec != nil {
		rec.scenario = name
	}
}

// NoteLint records the lint findings of ctx's request: as the response
// header's text (for the access log) and as JSON (for the journal).
func NoteLint(ctx context.Context, header string, findings []byte) {
	if rec := From(ctx); rec != nil {
		rec.lint, rec.lintJSON = header, append(rec.lintJSON[:0], findings...)
	}
}

// NoteAnswer records, for the metrics, which scenario endpoint ctx's
// request is and the resCd it was answered with ("" for none yet).
func NoteAnswer(ctx context.Context, endpoint, resCd string) {
	if rec := From(ctx); rec != nil {
		rec.endpoint, rec.resCd = endpoint, resCd
	}
}

// NoteStatus records a status for a request that sends no HTTP answer
// (StatusClientClosed when the client left during a delay or hang). A status
// already written wins.
func NoteStatus(ctx context.Context, status int) {
	if rec := From(ctx); rec != nil && rec.status == 0 {
		rec.status = status
	}
}

// NoteError records the error a request was answered with, for the access
// log.
func NoteError(ctx context.Context, err error) {
	if rec := From(ctx); rec != nil {
		rec.errMsg = err.Error()
	}
}

// Arrived is when ctx's request arrived on the server's clock: the time its
// answer is about, read once per request. Outside a request it is zero.
func Arrived(ctx context.Context) time.Time {
	if rec := From(ctx); rec != nil {
		return rec.start
	}
	return time.Time{}
}

// StatusClientClosed is journaled when the client left during a delay or a
// hang (nginx's convention; never sent).
const StatusClientClosed = 499

// Status is the HTTP status written, or noted; 0 when none.
func (w *Recorder) Status() int { return w.status }

// Scenario is the scenario noted for the request.
func (w *Recorder) Scenario() string { return w.scenario }

// Lint is the request's lint findings as the X-KICC-Mock-Lint header has
// them, "" when none.
func (w *Recorder) Lint() string { return w.lint }

// Answer is the scenario endpoint and the resCd noted for the request.
func (w *Recorder) Answer() (endpoint, resCd string) { return w.endpoint, w.resCd }

// Err is the error noted for the request.
func (w *Recorder) Err() string { return w.errMsg }

// SetErr notes an error (a recovered panic, say).
func (w *Recorder) SetErr(msg string) { w.errMsg = msg }

// BodyRead is what the handler read of the request body, and whether it read
// to the end or past the limit.
func (w *Recorder) BodyRead() (b []byte, eof, truncated bool) {
	return w.req.buf, w.body.eof, w.req.truncated
}

// BodyLimit is how much of the request body the recorder keeps.
func (w *Recorder) BodyLimit() int { return w.req.limit }

func (w *Recorder) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *Recorder) Write(b []byte) (int, error) {
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
func (w *Recorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Finish journals the request in j (when it is journaled) and returns the
// recorder to the pool; r is the request Begin returned. The recorder must
// not be used afterwards.
func (w *Recorder) Finish(j *Journal, r *http.Request, requestID string, duration time.Duration) {
	if w.keepBody {
		w.spare = j.Record(&Record{
			Time:          w.start,
			Duration:      duration,
			RequestID:     requestID,
			Method:        r.Method,
			Path:          r.URL.Path,
			Query:         r.URL.RawQuery,
			Header:        r.Header,
			Body:          w.req.buf,
			BodyTruncated: w.req.truncated,
			Scenario:      w.scenario,
			Status:        w.status,
			Response:      w.resp.buf,
			Lint:          w.lintJSON,
		}, w.spare)
	}
	w.release()
}

// release returns w to the pool, unless a large body made its buffers big.
func (w *Recorder) release() {
	if cap(w.req.buf) > 64<<10 || cap(w.resp.buf) > 64<<10 {
		return
	}
	w.ResponseWriter, w.body, w.scenario, w.status, w.errMsg, w.lint = nil, teeBody{}, "", 0, "", ""
	w.endpoint, w.resCd = "", ""
	w.lintJSON = w.lintJSON[:0]
	w.ctx = recorderContext{}
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
