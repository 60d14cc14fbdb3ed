// Package pipeline is the one path every KICC request takes, whatever the
// endpoint: content type and body, decode, field rules, merchant list, the
// endpoint's own checks, idempotency claim, scenario selection, then the
// answer (or a delay, a fault), the settled key and the write. Endpoints
// differ only in their request type, their answer and what they record;
// each implements Endpoint and the pipeline does the rest, so a rule added
// here holds for all of them.
package pipeline

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/kicc-mock/kicc-mock/clock"
	"github.com/kicc-mock/kicc-mock/fault"
	"github.com/kicc-mock/kicc-mock/httpio"
	"github.com/kicc-mock/kicc-mock/journal"
	"github.com/kicc-mock/kicc-mock/kicc"
	"github.com/kicc-mock/kicc-mock/lint"
	"github.com/kicc-mock/kicc-mock/metrics"
	"github.com/kicc-mock/kicc-mock/scenarios"
	"github.com/kicc-mock/kicc-mock/store"
)

// ScenarioHeader names the scenario a request wants. Go canonicalises header
// names; this is the canonical spelling of X-KICC-Mock-Scenario.
const ScenarioHeader = "X-Kicc-Mock-Scenario"

// Endpoint is what one KICC endpoint adds to the pipeline.
type Endpoint interface {
	// New returns a zero request to decode a body into.
	New() kicc.Request
	// Kind is the scenario endpoint a request is (find is two).
	Kind(req kicc.Request) scenarios.Endpoint
	// MagicID is the field magic ids are read from.
	MagicID(req kicc.Request) string
	// TransactionID is the id fake data is seeded by, with the scenario's
	// name, so that repeated calls about one transaction agree.
	TransactionID(req kicc.Request) string
	// Fingerprint hands add the fields that make two requests "the same
	// request" for replay mode.
	Fingerprint(req kicc.Request, add func(string))
	// Check runs the endpoint's own rules after the field rules and the
	// merchant list and before the key is claimed (revise: msgAuthValue).
	Check(req kicc.Request) *kicc.FieldError
	// Recorded answers from recorded state when no scenario was selected
	// (find: the sandbox's transactions): a whole answer, or a refusal; ok
	// false goes on to the endpoint's default scenario.
	Recorded(c *Call) (answer httpio.Appender, refusal *kicc.FieldError, ok bool)
	// Act does the endpoint's work for an answer that succeeds (create
	// records a payment) and returns what the answer's fillers read as
	// Env.Data (nil when it records nothing), or a refusal.
	Act(c *Call) (data any, refusal *kicc.FieldError)
	// Done runs once the answer to a successful Act is written, or failed
	// to be (timers that complete what Act started). It must not keep c.
	Done(c *Call, data any)
}

// Call is one request on its way through the pipeline.
type Call struct {
	HTTP     *http.Request
	Req      kicc.Request
	Kind     scenarios.Endpoint
	Now      time.Time           // when the request arrived (after a delay: when the delay ended)
	Scenario *scenarios.Scenario // the scenario answering, or nil
	Response *scenarios.Response // its response for this call, or nil
	env      scenarios.Env       // what the answer renders from
	findings []lint.Finding      // what lint found
	claimed  bool                // the request's key was claimed by this call
	acted    bool                // the endpoint's Act did its work
}

// Pipeline holds what every endpoint shares.
type Pipeline struct {
	Clock     *clock.Adjustable
	Log       *slog.Logger
	Ledger    store.Ledger
	Mode      Mode
	Malls     map[string]bool // nil: any mallId
	BodyLimit int64
	MaxDelay  time.Duration
	Hang      time.Duration
	Stopping  <-chan struct{}
	Sequences store.Sequences
	IDs       *kicc.IDGenerator
	Seed      int64
	// Lint checks every request (nil or Off: none).
	Lint *lint.Linter
	// Metrics counts the lint findings (nil: not counted); the requests
	// are counted by the server, from what the pipeline notes in the
	// journal recorder (journal.NoteAnswer).
	Metrics *metrics.Metrics
	// Scenarios returns the scenario state in force.
	Scenarios func() *State
}

// Serve runs the pipeline for ep. HTTP-level problems return an
// *httpio.Error for the server's error handler to write; everything else
// is written here.
func (p *Pipeline) Serve(c echo.Context, ep Endpoint) error {
	r := c.Request()
	ctx := r.Context()
	st := p.Scenarios()
	var forced *scenarios.Scenario
	if h := r.Header[ScenarioHeader]; len(h) > 0 && h[0] != "" {
		if forced = st.Set.Lookup(h[0]); forced == nil {
			return unknownScenario(h[0], st.Set)
		}
	}
	buf, err := httpio.ReadJSONBody(r, p.BodyLimit)
	if err != nil {
		return err
	}
	req := ep.New()
	err = kicc.Decode(buf.Bytes(), req)
	// Decode returns its error types unwrapped; a type switch, unlike
	// errors.As, costs no allocation on every request.
	fe, _ := err.(*kicc.FieldError)
	if be, ok := err.(*kicc.BodyError); ok {
		httpio.PutBuffer(buf)
		return httpio.BadRequest(be.Msg)
	}
	call := callPool.Get().(*Call)
	defer call.release()
	*call = Call{HTTP: r, Req: req, Kind: ep.Kind(req), findings: call.findings[:0]}
	journal.NoteAnswer(ctx, string(call.Kind), "")
	call.Now = journal.Arrived(ctx)
	if call.Now.IsZero() {
		call.Now = p.Clock.Now()
	}
	p.lint(c, call, buf.Bytes(), fe)
	httpio.PutBuffer(buf)
	if forced != nil && !forced.AppliesTo(call.Kind) {
		return wrongEndpoint(forced, call.Kind)
	}
	if fe == nil {
		fe = req.Validate()
	}
	if fe == nil && p.Malls != nil && !p.Malls[req.Merchant()] {
		fe = &kicc.FieldError{ResCd: kicc.ResMall, Field: "mallId"}
	}
	if fe == nil {
		fe = ep.Check(req)
	}
	if fe == nil && forced == nil { // a scenario the tester named answers as named
		fe = p.strictRefusal(call)
	}
	if fe != nil {
		return p.refuse(c, st, call, fe)
	}
	out := p.claimKey(call, ep)
	if call.claimed {
		p.Lint.Claimed(call.Now, req.Merchant(), req.Key(), string(call.Kind))
	}
	switch {
	case out.replay != nil:
		journal.NoteAnswer(ctx, string(call.Kind), resCdIn(out.replay))
		return httpio.WriteJSON(c.Response(), http.StatusOK, out.replay)
	case !out.proceed:
		return p.refuse(c, st, call, &kicc.FieldError{ResCd: out.resCd, Field: out.detail})
	}
	sc := forced
	if sc == nil {
		sc = st.Set.Select(call.Kind, ep.MagicID(req), req)
	}
	if sc == nil {
		if answer, ref, ok := ep.Recorded(call); ok {
			if ref != nil {
				return p.refuse(c, st, call, ref)
			}
			return p.writeSettled(c, call, body{appender: answer})
		}
		sc = st.Defaults[call.Kind]
		return p.answer(c, st, ep, call, sc, !st.Unnamed[sc])
	}
	return p.answer(c, st, ep, call, sc, true)
}

// answer answers call from scenario sc (nil: the endpoint's own answer):
// the response of this call, its delay on the clock (ended by the client
// leaving), then a fault, a non-200 answer or a scripted business error
// (nothing recorded), or the endpoint's work and its success answer. named
// says whether the answer names its scenario (journal, header).
func (p *Pipeline) answer(c echo.Context, st *State, ep Endpoint, call *Call, sc *scenarios.Scenario, named bool) error {
	ctx := call.HTTP.Context()
	if sc != nil {
		if named {
			journal.NoteScenario(ctx, sc.Name)
			c.Response().Header()[ScenarioHeader] = []string{sc.Name}
		}
		n := 0
		if sc.IsSequence() {
			key := ""
			if sc.SequenceKey != "" {
				key, _ = call.Req.Field(sc.SequenceKey)
			}
			var err error
			if n, err = p.Sequences.Next(call.Now, sc.Name, key); err != nil {
				// Refused, so the key is not used: a retry after a reset
				// is a first request.
				p.releaseKey(call)
				return p.refuse(c, st, call, &kicc.FieldError{ResCd: kicc.ResSystem, Field: "sequence positions full; raise --max-sequences or reset"})
			}
		}
		call.Scenario, call.Response = sc, sc.Response(n)
	}
	ans := st.answer(call.Response, call.Kind)
	if resp := call.Response; resp != nil && !resp.ReachedKICC() && call.claimed {
		// A gateway's answer: KICC never saw the request, so its key is
		// not used, and a retry with it is a first request.
		if p.releaseKey(call) {
			p.Lint.Released(call.Now, call.Req.Merchant(), call.Req.Key(), string(call.Kind), transportError(resp))
		}
	}
	if resp := call.Response; resp != nil {
		if d := min(resp.Delay.Pick(rand.Int64N), p.MaxDelay); d > 0 {
			if err := clock.Sleep(ctx, p.Clock, d); err != nil {
				journal.NoteStatus(ctx, journal.StatusClientClosed)
				return nil
			}
			call.Now = p.Clock.Now()
		}
	}
	env := call.resetEnv()
	*env = scenarios.Env{Request: call.Req, Now: call.Now, IDs: p.IDs}
	if sc != nil {
		env.FakeSeed = scenarios.FakeSeed(p.Seed, ep.TransactionID(call.Req), sc.Name)
	}
	if resp := call.Response; resp != nil && resp.Fault != "" {
		return p.fault(c, call, ans)
	}
	if ans.HTTPStatus() != http.StatusOK || ans.ResCd(env) != kicc.ResOK {
		// A scripted HTTP error or KICC business error: KICC refused, so
		// the endpoint records nothing.
		return p.writeSettledStatus(c, call, ans.HTTPStatus(), body{ans: ans, env: env})
	}
	data, ref := ep.Act(call)
	if ref != nil {
		return p.refuse(c, st, call, ref)
	}
	call.acted = data != nil // find records nothing; create and revise hand back what they recorded
	env.Data = data
	env.Now = call.Now
	err := p.writeSettled(c, call, body{ans: ans, env: env})
	ep.Done(call, data) // what Act recorded stands, whether or not the client read the answer
	return err
}

// fault applies the response's fault. The answer it may mangle is the one
// the request would have had, rendered without the endpoint's work.
func (p *Pipeline) fault(c echo.Context, call *Call, ans *scenarios.Answer) error {
	f := call.Response.FaultImpl
	ctx := call.HTTP.Context()
	w := c.Response()
	return f.Apply(w, http.NewResponseController(w), &fault.Env{
		Context: ctx, Clock: p.Clock, Stopping: p.Stopping, Hang: p.Hang,
		Answer:     ans.Render(nil, &call.env),
		ClientLeft: func() { journal.NoteStatus(ctx, journal.StatusClientClosed) },
	})
}

// refuse answers a business error the mock decided itself (a field rule,
// the merchant list, a duplicate key, an unknown transaction): HTTP 200,
// resCd, resMsg naming the field, the request's ids echoed.
func (p *Pipeline) refuse(c echo.Context, st *State, call *Call, fe *kicc.FieldError) error {
	env := call.resetEnv()
	*env = scenarios.Env{Request: call.Req, Detail: fe.Field}
	b := body{ans: st.answer(nil, call.Kind), env: env, refusal: fe.ResCd}
	if call.claimed {
		return p.writeSettled(c, call, b)
	}
	return p.writeSettledStatus(c, call, http.StatusOK, b)
}

// body is an answer to render: a compiled answer, a refusal through the
// endpoint's business error, or a whole answer from recorded state. A value,
// not a closure, so that handing it on allocates nothing.
type body struct {
	ans      *scenarios.Answer
	env      *scenarios.Env
	refusal  string // a resCd: the business error
	appender httpio.Appender
}

func (b body) render(buf []byte) []byte {
	switch {
	case b.appender != nil:
		return b.appender.AppendJSON(buf)
	case b.refusal != "":
		return b.ans.RenderError(buf, b.env, b.refusal)
	}
	return b.ans.Render(buf, b.env)
}

// writeSettled writes an HTTP 200 answer and, in replay mode, keeps it as
// the answer of the request's key.
func (p *Pipeline) writeSettled(c echo.Context, call *Call, b body) error {
	return p.writeSettledStatus(c, call, http.StatusOK, b)
}

// writeSettledStatus writes b with status; an HTTP 200 answer to a request
// whose key this call claimed is kept for replay mode.
func (p *Pipeline) writeSettledStatus(c echo.Context, call *Call, status int, b body) error {
	bp := answerPool.Get().(*[]byte)
	defer answerPool.Put(bp)
	*bp = b.render((*bp)[:0])
	if status == http.StatusOK && call.claimed {
		if err := p.settleKey(call, *bp); err != nil && !call.acted {
			// Nothing was recorded but the key: refused and released, the
			// request has one story before and after a restart. A request
			// whose work is done (a payment made) keeps its answer and key.
			detail := p.refuseUnsettled(call, err)
			call.claimed = false // the refusal is not settled: its key is released, or stays used unanswered
			return p.refuse(c, p.Scenarios(), call, &kicc.FieldError{ResCd: kicc.ResSystem, Field: detail})
		}
	}
	journal.NoteAnswer(call.HTTP.Context(), string(call.Kind), sentResCd(b, *bp))
	return httpio.WriteJSON(c.Response(), status, *bp) // copies into the connection's buffer
}

// sentResCd is the resCd of answer b rendered as out: the one its render
// chose, else the one out carries (a whole answer from recorded state, a
// scripted body), "" for none.
func sentResCd(b body, out []byte) string {
	if b.env != nil && b.env.ResCd != "" {
		return b.env.ResCd
	}
	return resCdIn(out)
}

// resCdIn finds the resCd of a JSON answer by its bytes: the first
// "resCd" string, which every answer the mock renders puts first. A code
// of KICC's table is returned as the table's string (no allocation),
// anything else copied, and cut to five bytes: the metrics, its one
// reader, count any resCd but four digits as one.
func resCdIn(answer []byte) string {
	const key = `"resCd":"`
	i := bytes.Index(answer, []byte(key))
	if i < 0 {
		return ""
	}
	v := answer[i+len(key):]
	end := bytes.IndexByte(v, '"')
	if end < 0 {
		return ""
	}
	v = v[:min(end, 5)]
	for _, c := range kicc.Codes {
		if string(v) == c.ResCd {
			return c.ResCd
		}
	}
	return string(v)
}

// answerPool holds encoding buffers of answers, which are written and
// forgotten (replay mode keeps a copy).
var answerPool = sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}

var callPool = sync.Pool{New: func() any { return new(Call) }}

// resetEnv readies the call's render environment, giving back what a
// previous render took.
func (c *Call) resetEnv() *scenarios.Env {
	c.env.Release()
	return &c.env
}

func (c *Call) release() {
	c.env.Release()
	findings := c.findings[:0] // its room is kept for the next call
	*c = Call{findings: findings}
	callPool.Put(c)
}

// lint checks the request and reports what it found: the X-KICC-Mock-Lint
// header, the journal entry, and the summary of GET /__admin/lint.
func (p *Pipeline) lint(c echo.Context, call *Call, body []byte, decodeErr *kicc.FieldError) {
	if !p.Lint.Enabled() {
		return
	}
	r := call.HTTP
	call.findings = p.Lint.Check(&lint.Request{
		Path: r.URL.Path, Endpoint: string(call.Kind), ContentType: httpio.HeaderValue(r.Header, "Content-Type"),
		Body: body, Req: call.Req, DecodeErr: decodeErr, Now: call.Now,
	}, call.findings)
	if len(call.findings) == 0 {
		return
	}
	header := lint.Header(call.findings)
	c.Response().Header()[LintHeader] = []string{header}
	js, _ := json.Marshal(call.findings)
	journal.NoteLint(r.Context(), header, js)
	p.Lint.Add(call.findings, call.Now, r.URL.Path, httpio.HeaderValue(c.Response().Header(), "X-Request-Id"))
	for _, f := range call.findings {
		p.Metrics.LintFinding(f.Code, string(f.Severity))
	}
}

// LintHeader carries a request's lint findings (canonical spelling of
// X-KICC-Mock-Lint).
const LintHeader = "X-Kicc-Mock-Lint"

// strictRefusal is the refusal --lint=strict answers the request's findings
// with, nil when none refuses.
func (p *Pipeline) strictRefusal(call *Call) *kicc.FieldError {
	if p.Lint == nil || p.Lint.Mode != lint.Strict {
		return nil
	}
	for _, f := range call.findings {
		if resCd, field := lint.Refusal(f, call.Now, p.Lint.State, call.Req); resCd != "" {
			return &kicc.FieldError{ResCd: resCd, Field: field, Reason: "lint " + f.Code}
		}
	}
	return nil
}

// transportError names what a gateway's answer looked like to the client.
func transportError(r *scenarios.Response) string {
	switch r.Fault {
	case scenarios.FaultReset:
		return "a reset connection"
	case scenarios.FaultEmpty:
		return "an empty reply"
	case "":
		return "HTTP " + strconv.Itoa(r.HTTPStatus())
	}
	return "the fault " + r.Fault
}
