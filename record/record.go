// Package record is a recording proxy for KICC's endpoints: it forwards each
// call to an upstream (the real sandbox, or any URL), hands the upstream's
// answer back unchanged, and writes what it saw as scenario files that
// `kicc-mock --scenarios DIR` replays.
//
// Each recorded answer belongs to a scenario named after the call's endpoint
// and ids (rec-find-cancel-<hash>), selected on replay by a match block on
// those ids (mallId, pgCno, cancelPgCno, shopOrderNo, reviseTypeCode); calls
// with the same ids append to the scenario's responses, so a replay answers
// them in the order recorded, the last repeating. One file per scenario,
// rewritten and checked with the scenarios loader on every call.
//
// Secrets never reach the files: values of fields such as msgAuthValue are
// replaced by REDACTED wherever they appear, as are the request's
// credential headers and the upstream URL's password, and request headers
// are not written at all.
package record

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/kicc-mock/kicc-mock/clock"
	"github.com/kicc-mock/kicc-mock/httpio"
	"github.com/kicc-mock/kicc-mock/kicc"
	"github.com/kicc-mock/kicc-mock/scenarios"
)

// DefaultRound is the unit observed delays are rounded to: below it, a
// delay is the network's noise, not the upstream's behaviour.
const DefaultRound = 10 * time.Millisecond

// maxBody bounds what is read of a request and of an answer; KICC's are a
// few hundred bytes.
const maxBody = 1 << 20

// Redacted replaces every secret value written.
const Redacted = "REDACTED"

// Config configures a Recorder.
type Config struct {
	// Upstream is the base URL calls are forwarded to.
	Upstream string
	// Dir receives the scenario files; it is created when missing.
	Dir string
	// Client sends the forwarded calls; nil means one with KICC's 30 s
	// timeout that follows no redirects (the caller sees them as sent).
	Client *http.Client
	// Clock measures the upstream's delay; nil means the real clock.
	Clock clock.Clock
	// Round is what delays are rounded to (DefaultRound when 0); MaxDelay
	// caps them (scenarios.DefaultMaxDelay when 0), as serve's --max-delay
	// would refuse a longer one.
	Round, MaxDelay time.Duration
	// Log receives what was recorded and what was not; nil logs nothing.
	Log *slog.Logger
}

// Recorder is the proxy, an http.Handler. It is safe for concurrent use.
type Recorder struct {
	cfg      Config
	upstream *url.URL

	mu    sync.Mutex
	files map[string]*recording // by scenario name
}

// recording is one scenario being written.
type recording struct {
	name      string
	endpoint  scenarios.Endpoint
	match     []condition
	responses []response
}

type condition struct{ field, value string }

type response struct {
	status int
	body   *ordered // nil: none
	delay  time.Duration
	fault  string // a malformed body is replayed as a fault
	notes  []string
}

// New checks cfg and creates Dir.
func New(cfg Config) (*Recorder, error) {
	u, err := url.Parse(strings.TrimRight(cfg.Upstream, "/"))
	if err != nil {
		// url's error quotes the URL, password and all.
		return nil, errors.New("record: the upstream is not a URL")
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("record: upstream %q is not an http(s) URL", u.Redacted())
	}
	if cfg.Dir == "" {
		return nil, errors.New("record: no directory to write to")
	}
	if err := os.MkdirAll(cfg.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("record: %w", err)
	}
	if cfg.Client == nil {
		cfg.Client = &http.Client{Timeout: 30 * time.Second,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	if cfg.Clock == nil {
		cfg.Clock = clock.Real{}
	}
	if cfg.Round <= 0 {
		cfg.Round = DefaultRound
	}
	if cfg.MaxDelay <= 0 {
		cfg.MaxDelay = scenarios.DefaultMaxDelay
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	return &Recorder{cfg: cfg, upstream: u, files: map[string]*recording{}}, nil
}

// hopHeaders are connection-level headers a proxy does not pass on.
var hopHeaders = []string{"Connection", "Keep-Alive", "Proxy-Connection", "Proxy-Authenticate",
	"Proxy-Authorization", "Te", "Trailer", "Transfer-Encoding", "Upgrade", "Content-Length"}

// ServeHTTP forwards a KICC call and records its answer.
func (r *Recorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	if endpointOf(req.URL.Path, nil) == "" {
		writeError(w, httpio.Errorf(http.StatusNotFound, "record: %s is not a KICC path (%s, %s, %s)", req.URL.Path, kicc.PathFind, kicc.PathCreate, kicc.PathRevise))
		return
	}
	var in bytes.Buffer
	if err := httpio.ReadLimited(&in, req.Body, maxBody); err != nil {
		var he *httpio.Error
		if errors.As(err, &he) {
			writeError(w, he)
			return
		}
		writeError(w, httpio.BadRequest(err.Error()))
		return
	}
	target := *r.upstream
	target.Path += req.URL.Path
	target.RawQuery = req.URL.RawQuery
	out, err := http.NewRequestWithContext(req.Context(), req.Method, target.String(), bytes.NewReader(in.Bytes()))
	if err != nil {
		writeError(w, httpio.Errorf(http.StatusBadGateway, "record: %v", err))
		return
	}
	out.Header = req.Header.Clone()
	for _, h := range hopHeaders {
		out.Header.Del(h)
	}
	// The transport asks for gzip itself and then decompresses; asked on the
	// caller's behalf, a compressed body would be recorded as not JSON.
	out.Header.Del("Accept-Encoding")
	start := r.cfg.Clock.Now()
	resp, err := r.cfg.Client.Do(out)
	if err != nil {
		r.cfg.Log.Warn("record: upstream failed; not recorded", "path", req.URL.Path, "error", err)
		writeError(w, httpio.Errorf(http.StatusBadGateway, "record: upstream %s: %v", r.Upstream(), unwrapURLError(err)))
		return
	}
	var answer bytes.Buffer
	readErr := httpio.ReadLimited(&answer, resp.Body, maxBody)
	resp.Body.Close()
	elapsed := r.cfg.Clock.Now().Sub(start)
	if readErr != nil {
		// ReadLimited words its errors for a request body; this is an answer.
		var he *httpio.Error
		why := readErr.Error()
		if errors.As(readErr, &he) {
			why = strings.TrimPrefix(he.Message, "reading request body: ")
			if he.Status == http.StatusRequestEntityTooLarge {
				why = fmt.Sprintf("the answer is larger than %d bytes", maxBody)
			}
		}
		r.cfg.Log.Warn("record: reading the upstream's answer failed; not recorded", "path", req.URL.Path, "error", why)
		writeError(w, httpio.Errorf(http.StatusBadGateway, "record: reading the upstream's answer: %s", why))
		return
	}
	switch {
	case req.Method != http.MethodPost:
		// KICC's calls are POSTs; the answer to another method (405) would
		// replay for the POSTs with the same ids.
		r.cfg.Log.Warn("record: not recorded", "path", req.URL.Path, "why", "the method is "+req.Method+", not POST")
	case httpio.CheckContentType(req.Header.Get("Content-Type")) != nil:
		// The mock refuses it itself (415) before any scenario; recorded,
		// the refusal would replay for well-formed calls with those ids.
		r.cfg.Log.Warn("record: not recorded", "path", req.URL.Path, "why", "the request's Content-Type is not KICC's; the mock answers it with HTTP 415 itself")
	default:
		if err := r.record(req.URL.Path, in.Bytes(), headerSecrets(req.Header, r.upstream), resp.StatusCode, resp.Header.Get("Content-Type"), answer.Bytes(), elapsed); err != nil {
			r.cfg.Log.Warn("record: not recorded", "path", req.URL.Path, "why", err)
		}
	}
	for k, v := range resp.Header {
		w.Header()[k] = v
	}
	for _, h := range hopHeaders {
		w.Header().Del(h)
	}
	w.WriteHeader(resp.StatusCode)
	_, _ = w.Write(answer.Bytes())
}

// Upstream is the upstream's URL without userinfo, which may hold a
// password and must not land in a file or a log.
func (r *Recorder) Upstream() string {
	u := *r.upstream
	u.User = nil
	return u.String()
}

func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

func writeError(w http.ResponseWriter, e *httpio.Error) { _ = httpio.WriteJSON(w, e.Status, e.Body()) }

// endpointOf names the endpoint a call to path with request body req is;
// req nil names only whether the path is a KICC one.
func endpointOf(path string, req map[string]any) scenarios.Endpoint {
	switch path {
	case kicc.PathFind:
		if c, _ := req["cancelPgCno"].(string); c != "" {
			return scenarios.FindCancel
		}
		return scenarios.FindPayment
	case kicc.PathCreate:
		return scenarios.Create
	case kicc.PathRevise:
		return scenarios.Revise
	}
	return ""
}

// matchFields are the request fields a recorded answer is selected by, per
// endpoint; the first ones are required (without them the mock answers
// 1001 by its own field rules, and the scenario would match too much).
var matchFields = map[scenarios.Endpoint]struct{ required, optional []string }{
	scenarios.FindCancel:  {required: []string{"mallId", "pgCno", "cancelPgCno"}},
	scenarios.FindPayment: {required: []string{"mallId", "pgCno"}},
	scenarios.Create:      {required: []string{"mallId", "shopOrderNo"}},
	scenarios.Revise:      {required: []string{"mallId", "pgCno"}, optional: []string{"reviseTypeCode"}},
}

// record adds one answer to its scenario and rewrites the scenario's file.
func (r *Recorder) record(path string, reqBody []byte, hdrSecrets []string, status int, ctype string, body []byte, elapsed time.Duration) error {
	var req map[string]any
	if err := json.Unmarshal(reqBody, &req); err != nil || req == nil {
		return errors.New("the request is not a JSON object; the mock answers it with HTTP 400 itself")
	}
	ep := endpointOf(path, req)
	fields := matchFields[ep]
	var match []condition
	for i, f := range append(append([]string{}, fields.required...), fields.optional...) {
		v, ok := req[f].(string)
		if !ok || v == "" {
			if i < len(fields.required) {
				return fmt.Errorf("the request has no %s; the mock answers that itself (1001)", f)
			}
			continue
		}
		match = append(match, condition{f, v})
	}
	secrets := append(secretValues(req), hdrSecrets...)
	resp := response{status: status}
	resp.delay = elapsed.Round(r.cfg.Round)
	if resp.delay > r.cfg.MaxDelay {
		resp.notes = append(resp.notes, fmt.Sprintf("the upstream took %s; cut to the maximum delay %s", resp.delay, r.cfg.MaxDelay))
		resp.delay = r.cfg.MaxDelay
	}
	if ctype != httpio.ContentTypeJSON {
		resp.notes = append(resp.notes, fmt.Sprintf("the upstream sent Content-Type %q; a replay sends %q", ctype, httpio.ContentTypeJSON))
	}
	obj, err := parseObject(body)
	switch {
	case err == nil && status == http.StatusOK && obj.str("resCd") == kicc.ResDuplicate:
		return errors.New("a duplicate-key answer (1010); the mock's own ledger gives those on replay")
	case err == nil && !carriesBody(status):
		resp.notes = append(resp.notes, fmt.Sprintf("HTTP %d carries no body", status))
	case err == nil:
		obj.redact(secrets)
		if obj.escapeTemplates() {
			resp.notes = append(resp.notes, `a string held "{{", written "{ {" (the template language has no escape)`)
		}
		obj.echo(req)
		for _, k := range obj.quotedNumbers() {
			resp.notes = append(resp.notes, fmt.Sprintf("%s was a JSON string; a replay sends a number (the scenario format keeps KICC's amounts numbers)", k))
		}
		if status == http.StatusOK {
			obj.removeAbsent(responseFields(ep))
		}
		resp.body = obj
	case status == http.StatusOK:
		resp.status, resp.delay = 0, 0
		resp.fault = scenarios.FaultMalformed
		resp.notes = append(resp.notes, fmt.Sprintf("HTTP 200 with a body that is not a JSON object (%d bytes); replayed as fault: malformed", len(body)))
	case len(body) > 0:
		resp.notes = append(resp.notes, fmt.Sprintf("the body was not a JSON object (%d bytes); a replay sends the mock's small JSON error body", len(body)))
	}
	name := scenarioName(ep, match)
	r.mu.Lock()
	defer r.mu.Unlock()
	rec := r.files[name]
	fresh := rec == nil
	if fresh {
		rec = &recording{name: name, endpoint: ep, match: match}
	}
	rec.responses = append(rec.responses, resp)
	if err := r.write(rec); err != nil {
		rec.responses = rec.responses[:len(rec.responses)-1]
		return err
	}
	if fresh {
		r.files[name] = rec
	}
	r.cfg.Log.Info("recorded", "scenario", name, "file", r.file(name), "response", len(rec.responses), "status", status)
	return nil
}

// carriesBody is scenarios' rule: 204, 205 and 304 have no body.
func carriesBody(s int) bool { return s != 204 && s != 205 && s != 304 }

// scenarioName is rec-<endpoint>-<12 hex digits of the ids>: the ids
// themselves would not fit the 55 bytes of a name.
func scenarioName(ep scenarios.Endpoint, match []condition) string {
	h := sha256.New()
	for _, c := range match {
		fmt.Fprintf(h, "%s=%s\x00", c.field, c.value)
	}
	return "rec-" + string(ep) + "-" + hex.EncodeToString(h.Sum(nil))[:12]
}

func (r *Recorder) file(name string) string { return filepath.Join(r.cfg.Dir, name+".yaml") }

// write renders rec, checks it with the scenarios loader, and replaces its
// file, so that the directory only ever holds files serve loads.
func (r *Recorder) write(rec *recording) error {
	data, err := render(rec, r.Upstream())
	if err != nil {
		return err
	}
	path := r.file(rec.name)
	if _, err := scenarios.Parse(path, data, scenarios.Options{MaxDelay: r.cfg.MaxDelay}); err != nil {
		return fmt.Errorf("the file would not load: %w", err)
	}
	tmp, err := os.CreateTemp(r.cfg.Dir, "."+rec.name+"-*.tmp") // not *.yaml: a --watch never reads it
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// Files lists the scenario files written, sorted.
func (r *Recorder) Files() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]string, 0, len(r.files))
	for name := range r.files {
		out = append(out, r.file(name))
	}
	sort.Strings(out)
	return out
}
