package journal

import (
	"bytes"
	"encoding/json"
	"sort"
	"strings"
	"time"

	"github.com/kicc-mock/kicc-mock/kicc"
)

// View is an entry as the admin API shows it.
type View struct {
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
	Response      any               `json:"response"`       // parsed JSON, else the text, null when empty
	Lint          json.RawMessage   `json:"lint,omitempty"` // the lint findings
	DurationMs    float64           `json:"durationMs"`
	// The journal keeps Limits.PartBytes of each part; these say which
	// parts were cut short (bodyTruncated also when past --body-limit).
	ResponseTruncated bool `json:"responseTruncated,omitempty"`
	HeadersTruncated  bool `json:"headersTruncated,omitempty"`
}

// UnknownFields lists the fields of a request body to path that KICC does not
// define, dotted and sorted; nil for paths that are not KICC endpoints and
// bodies that are not JSON objects.
func UnknownFields(path string, body []byte) []string {
	if !kicc.IsEndpoint(path) {
		return nil
	}
	var out []string
	var walk func(prefix string, m map[string]any)
	walk = func(prefix string, m map[string]any) {
		for k, v := range m {
			name := prefix + k
			if !kicc.KnownField(path, name) {
				out = append(out, name)
				continue
			}
			if sub, ok := v.(map[string]any); ok {
				walk(name+".", sub)
			}
		}
	}
	walk("", bodyObject(body))
	sort.Strings(out)
	return out
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

// bodyObject is a body as a JSON object, or nil when it is not one.
func bodyObject(b []byte) map[string]any {
	var m map[string]any
	if json.Unmarshal(b, &m) != nil {
		return nil
	}
	return m
}

// View renders e for the admin API. The Authorization header is left out:
// the journal must not hand out credentials.
func (e *Entry) View() View {
	v := View{
		Time:          e.Time.In(kicc.KST).Format(time.RFC3339Nano),
		RequestID:     e.RequestID,
		Method:        e.Method,
		Path:          e.Path,
		Query:         e.Query,
		Headers:       make(map[string]string, len(e.Header)/2),
		Body:          rawOrText(e.Body),
		BodyTruncated: e.BodyTruncated,
		UnknownFields: UnknownFields(e.Path, e.Body),
		Status:        e.Status,
		Response:      rawOrText(e.Response),
		Lint:          json.RawMessage(e.Lint),
		DurationMs:    float64(e.Duration) / float64(time.Millisecond),

		ResponseTruncated: e.ResponseTruncated,
		HeadersTruncated:  e.HeaderTruncated,
	}
	for i := 0; i+1 < len(e.Header); i += 2 {
		k, val := e.Header[i], e.Header[i+1]
		if k == "Authorization" {
			continue
		}
		if prev, ok := v.Headers[k]; ok {
			val = prev + ", " + val
		}
		v.Headers[k] = val
	}
	if e.Scenario != "" {
		v.Scenario = &e.Scenario
	}
	return v
}

// Filter selects journal entries; empty fields match anything.
type Filter struct {
	Method   string         `json:"method"`
	Path     string         `json:"path"`
	Scenario string         `json:"scenario"`
	Body     map[string]any `json:"body"` // a subset of the request's JSON body
}

// Match reports whether f selects e.
func (f *Filter) Match(e *Entry) bool {
	if f.Method != "" && !strings.EqualFold(f.Method, e.Method) ||
		f.Path != "" && f.Path != e.Path ||
		f.Scenario != "" && f.Scenario != e.Scenario {
		return false
	}
	return len(f.Body) == 0 || containsJSON(bodyObject(e.Body), f.Body)
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

// Count is how many entries f matches.
func (j *Journal) Count(f *Filter) int {
	n := 0
	j.Each(0, func(e *Entry) bool {
		if f.Match(e) {
			n++
		}
		return true
	})
	return n
}
