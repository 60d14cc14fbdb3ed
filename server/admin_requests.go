package server

import (
	"bytes"
	"encoding/json"
	"net/http"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/kicc-mock/kicc-mock/kicc"
)

// requestView is a journal entry as the admin API shows it.
type requestView struct {
	Time          string            `json:"time"` // RFC 3339 in KST
	RequestID     string            `json:"requestId"`
	Method        string            `json:"method"`
	Path          string            `json:"path"`
	Query         string            `json:"query,omitempty"`
	Headers       map[string]string `json:"headers"`
	Body          any               `json:"body"` // parsed JSON, else the text, null when empty
	BodyTruncated bool              `json:"bodyTruncated,omitempty"`
	UnknownFields []string          `json:"unknownFields,omitempty"`
	Scenario      *string           `json:"scenario"`
	Status        int               `json:"status"`
	Response      any               `json:"response"` // parsed JSON, else the text, null when empty
	DurationMs    float64           `json:"durationMs"`
}

// knownFields are the request fields KICC defines, per endpoint, read from
// the kicc request types so the two cannot drift. A journaled request's other
// fields are listed as unknownFields: KICC ignores them, and so does the
// mock, but a tester may want to know the app sends them.
var knownFields = map[string]map[string]bool{
	kicc.PathFind: jsonFieldNames(reflect.TypeFor[kicc.FindRequest]()),
}

func jsonFieldNames(t reflect.Type) map[string]bool {
	names := map[string]bool{}
	for f := range t.Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name != "" && name != "-" {
			names[name] = true
		}
	}
	return names
}

// rawOrText renders captured bytes: JSON as itself, anything else as a
// string, nothing as null.
func rawOrText(b []byte) any {
	if len(bytes.TrimSpace(b)) == 0 {
		return nil
	}
	if json.Valid(b) {
		return json.RawMessage(b)
	}
	return string(b)
}

// bodyObject is the request body as a JSON object, or nil when it is not one.
func (e *journalEntry) bodyObject() map[string]any {
	var m map[string]any
	if json.Unmarshal(e.body, &m) != nil {
		return nil
	}
	return m
}

func (e *journalEntry) view() requestView {
	v := requestView{
		Time:          e.time.In(kicc.KST).Format(time.RFC3339Nano),
		RequestID:     e.requestID,
		Method:        e.method,
		Path:          e.path,
		Query:         e.query,
		Headers:       make(map[string]string, len(e.header)/2),
		Body:          rawOrText(e.body),
		BodyTruncated: e.bodyTruncated,
		Status:        e.status,
		Response:      rawOrText(e.response),
		DurationMs:    float64(e.duration) / float64(time.Millisecond),
	}
	for i := 0; i+1 < len(e.header); i += 2 {
		k, val := e.header[i], e.header[i+1]
		if k == echo.HeaderAuthorization {
			continue
		}
		if prev, ok := v.Headers[k]; ok {
			val = prev + ", " + val
		}
		v.Headers[k] = val
	}
	if e.scenario != "" {
		v.Scenario = &e.scenario
	}
	if known := knownFields[e.path]; known != nil {
		for k := range e.bodyObject() {
			if !known[k] {
				v.UnknownFields = append(v.UnknownFields, k)
			}
		}
		sort.Strings(v.UnknownFields)
	}
	return v
}

// requestFilter selects journal entries; empty fields match anything.
type requestFilter struct {
	Method   string         `json:"method"`
	Path     string         `json:"path"`
	Scenario string         `json:"scenario"`
	Body     map[string]any `json:"body"` // a subset of the request's JSON body
}

func (f *requestFilter) match(e *journalEntry) bool {
	if f.Method != "" && !strings.EqualFold(f.Method, e.method) ||
		f.Path != "" && f.Path != e.path ||
		f.Scenario != "" && f.Scenario != e.scenario {
		return false
	}
	return len(f.Body) == 0 || containsJSON(e.bodyObject(), f.Body)
}

// containsJSON reports whether got holds want: every key of a wanted object
// is in got with a value that holds the wanted one, recursively; arrays hold
// each other element by element; other values are equal.
func containsJSON(got, want any) bool {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok || g == nil {
			return false
		}
		for k, wv := range w {
			gv, ok := g[k]
			if !ok || !containsJSON(gv, wv) {
				return false
			}
		}
		return true
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return false
		}
		for i := range w {
			if !containsJSON(g[i], w[i]) {
				return false
			}
		}
		return true
	}
	return got == want
}

// filter returns the journal's entries that f matches, newest first, at most
// limit of them when limit > 0.
func (s *Server) filter(f *requestFilter, limit int) []journalEntry {
	all := s.journal.newestFirst()
	out := all[:0]
	for i := range all {
		if f.match(&all[i]) {
			out = append(out, all[i])
			if len(out) == limit {
				break
			}
		}
	}
	return out
}

// requestQueryParams are the filters GET /__admin/requests takes; anything
// else is refused, so a misspelt filter is an error rather than a silent
// "match all".
var requestQueryParams = []string{"limit", "method", "path", "scenario", "pgCno", "mallId"}

// handleGetRequests serves GET /__admin/requests: {"requests": [...]},
// newest first, filtered by ?limit=&method=&path=&scenario=&pgCno=&mallId=.
func (s *Server) handleGetRequests(c echo.Context) error {
	q := c.QueryParams()
	for k := range q {
		if !slices.Contains(requestQueryParams, k) {
			return badRequest("unknown filter " + strconv.Quote(k) + "; filters are " + strings.Join(requestQueryParams, ", "))
		}
	}
	limit := 0
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return badRequest("limit must be a whole number of 0 or more (0 = all), got " + strconv.Quote(v))
		}
		limit = n
	}
	f := requestFilter{Method: q.Get("method"), Path: q.Get("path"), Scenario: q.Get("scenario")}
	for _, field := range []string{"pgCno", "mallId"} {
		if v := q.Get(field); v != "" {
			if f.Body == nil {
				f.Body = map[string]any{}
			}
			f.Body[field] = v
		}
	}
	entries := s.filter(&f, limit)
	views := make([]requestView, len(entries))
	for i := range entries {
		views[i] = entries[i].view()
	}
	return writeValue(c, http.StatusOK, map[string]any{"requests": views})
}

// handleCountRequests serves POST /__admin/requests/count: the body is a
// filter, {"method", "path", "scenario", "body": {subset}}, and the answer
// {"count": n}. An empty body counts every request.
func (s *Server) handleCountRequests(c echo.Context) error {
	var f requestFilter
	if err := s.decodeAdminBody(c, &f, `count body must be {"path": ..., "scenario": ..., "method": ..., "body": {...}}`); err != nil {
		return err
	}
	return writeValue(c, http.StatusOK, map[string]int{"count": len(s.filter(&f, 0))})
}

// handleClearRequests serves DELETE /__admin/requests: the journal is emptied
// and the answer says how many entries went.
func (s *Server) handleClearRequests(c echo.Context) error {
	return writeValue(c, http.StatusOK, map[string]int{"cleared": s.journal.clear()})
}

// decodeAdminBody reads an admin call's JSON body into v. An empty body
// leaves v as it is; unknown fields, trailing data and malformed JSON are
// 400s that start with want, the expected shape, and name the problem.
func (s *Server) decodeAdminBody(c echo.Context, v any, want string) error {
	buf, err := s.readJSONBody(c)
	if err != nil {
		return err
	}
	defer putBuffer(buf)
	if len(bytes.TrimSpace(buf.Bytes())) == 0 {
		return nil
	}
	dec := json.NewDecoder(buf)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return badRequest(want + ": " + err.Error())
	}
	if dec.More() {
		return badRequest(want + ": a single JSON object, without trailing data")
	}
	return nil
}
