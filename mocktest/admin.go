package mocktest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Admin controls a running kicc-mock through its /__admin API: in-process,
// in a container or anywhere else a URL reaches. Its methods are safe for
// concurrent use.
type Admin struct {
	base  string
	token string
	http  *http.Client
}

// AdminOption configures an Admin.
type AdminOption func(*Admin)

// WithToken sends "Authorization: Bearer token", for a mock started with
// --admin-token (KICC_MOCK_ADMIN_TOKEN).
func WithToken(token string) AdminOption { return func(a *Admin) { a.token = token } }

// WithHTTPClient makes the Admin use c instead of a client with a 10 s
// timeout.
func WithHTTPClient(c *http.Client) AdminOption { return func(a *Admin) { a.http = c } }

// NewAdmin returns an Admin for the mock at baseURL, such as
// "http://127.0.0.1:8080".
func NewAdmin(baseURL string, opts ...AdminOption) *Admin {
	a := &Admin{base: strings.TrimRight(baseURL, "/"), http: &http.Client{Timeout: 10 * time.Second}}
	for _, o := range opts {
		o(a)
	}
	return a
}

// AdminError is an admin call the mock refused: the HTTP status and the
// message the mock gave.
type AdminError struct {
	Method, Path string
	Status       int
	Message      string
}

func (e *AdminError) Error() string {
	return fmt.Sprintf("kicc-mock admin %s %s: %d %s: %s", e.Method, e.Path, e.Status, http.StatusText(e.Status), e.Message)
}

// JournalEntry is one request the mock received and how it answered.
type JournalEntry struct {
	Time      time.Time         `json:"time"`
	RequestID string            `json:"requestId"`
	Method    string            `json:"method"`
	Path      string            `json:"path"`
	Query     string            `json:"query"`
	Headers   map[string]string `json:"headers"`
	// Body is the request body: JSON as sent, other text as a JSON string,
	// null when empty.
	Body          json.RawMessage `json:"body"`
	BodyTruncated bool            `json:"bodyTruncated"`
	// UnknownFields are request fields KICC does not define.
	UnknownFields []string `json:"unknownFields"`
	// Scenario is the scenario that answered, "" when none did.
	Scenario string `json:"scenario"`
	Status   int    `json:"status"`
	// Response is the answer's body, like Body.
	Response   json.RawMessage `json:"response"`
	DurationMs float64         `json:"durationMs"`
	// ResponseTruncated and HeadersTruncated say the journal kept only the
	// first --journal-entry-bytes of the answer or the headers.
	ResponseTruncated bool `json:"responseTruncated"`
	HeadersTruncated  bool `json:"headersTruncated"`
}

// RequestFilter selects journal entries for Requests; zero fields match
// anything.
type RequestFilter struct {
	Limit int // newest this many; 0 = all; negative: the server's default page (100)
	// Cursor is the NextCursor of an earlier RequestsPage: the entries
	// older than that page's last.
	Cursor   string
	Method   string
	Path     string
	Scenario string
	PgCno    string // the request body's pgCno
	MallID   string // the request body's mallId
}

// CountFilter selects journal entries for Count; zero fields match anything.
type CountFilter struct {
	Method   string `json:"method,omitempty"`
	Path     string `json:"path,omitempty"`
	Scenario string `json:"scenario,omitempty"`
	// Body must be contained in the request's JSON body: every key with an
	// equal value, nested objects recursively.
	Body map[string]any `json:"body,omitempty"`
}

// Requests returns the journaled requests matching f, newest first.
func (a *Admin) Requests(ctx context.Context, f RequestFilter) ([]JournalEntry, error) {
	entries, _, err := a.RequestsPage(ctx, f)
	return entries, err
}

// RequestsPage returns one page of the journaled requests matching f,
// newest first, and the cursor of the next page ("" when this is the last).
func (a *Admin) RequestsPage(ctx context.Context, f RequestFilter) (entries []JournalEntry, nextCursor string, err error) {
	q := url.Values{}
	for k, v := range map[string]string{"method": f.Method, "path": f.Path, "scenario": f.Scenario, "pgCno": f.PgCno, "mallId": f.MallID, "cursor": f.Cursor} {
		if v != "" {
			q.Set(k, v)
		}
	}
	if f.Limit >= 0 {
		q.Set("limit", strconv.Itoa(f.Limit))
	}
	var out struct {
		Requests   []JournalEntry `json:"requests"`
		NextCursor string         `json:"nextCursor"`
	}
	err = a.do(ctx, http.MethodGet, "/__admin/requests?"+q.Encode(), "", nil, &out)
	return out.Requests, out.NextCursor, err
}

// Count returns how many journaled requests match f.
func (a *Admin) Count(ctx context.Context, f CountFilter) (int, error) {
	body, err := json.Marshal(f)
	if err != nil {
		return 0, fmt.Errorf("kicc-mock admin: encoding count filter: %w", err)
	}
	var out struct {
		Count int `json:"count"`
	}
	err = a.do(ctx, http.MethodPost, "/__admin/requests/count", "application/json", body, &out)
	return out.Count, err
}

// ClearRequests empties the journal.
func (a *Admin) ClearRequests(ctx context.Context) error {
	return a.do(ctx, http.MethodDelete, "/__admin/requests", "", nil, nil)
}

// UseScenario makes name the default scenario of endpoint (find-cancel,
// find-payment, create or revise).
func (a *Admin) UseScenario(ctx context.Context, endpoint, name string) error {
	body, _ := json.Marshal(map[string]string{"endpoint": endpoint, "name": name}) // strings always marshal
	return a.do(ctx, http.MethodPut, "/__admin/default-scenario", "application/json", body, nil)
}

// AddScenarios adds or replaces the scenarios of a scenario file (YAML, or
// JSON of the same shape).
func (a *Admin) AddScenarios(ctx context.Context, yaml []byte) error {
	return a.do(ctx, http.MethodPost, "/__admin/scenarios", "application/yaml", yaml, nil)
}

// SetClock makes the mock's clock read t; time keeps running from there.
func (a *Admin) SetClock(ctx context.Context, t time.Time) error {
	body, _ := json.Marshal(map[string]string{"now": t.Format(time.RFC3339Nano)})
	return a.do(ctx, http.MethodPut, "/__admin/clock", "application/json", body, nil)
}

// AdvanceClock moves the mock's clock by d (back, when d is negative).
func (a *Admin) AdvanceClock(ctx context.Context, d time.Duration) error {
	body, _ := json.Marshal(map[string]string{"advance": d.String()})
	return a.do(ctx, http.MethodPut, "/__admin/clock", "application/json", body, nil)
}

// ResetClock returns the mock's clock to real time.
func (a *Admin) ResetClock(ctx context.Context) error {
	return a.do(ctx, http.MethodDelete, "/__admin/clock", "", nil, nil)
}

// Reset puts the mock back in its start state; call it between test cases.
func (a *Admin) Reset(ctx context.Context) error {
	return a.do(ctx, http.MethodPost, "/__admin/reset", "", nil, nil)
}

// do sends one admin call and decodes a 2xx answer into out (when not nil).
// Other answers become an *AdminError carrying the mock's message.
func (a *Admin) do(ctx context.Context, method, path, contentType string, body []byte, out any) error {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, a.base+path, rd)
	if err != nil {
		return fmt.Errorf("kicc-mock admin %s %s: %w", method, path, err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if a.token != "" {
		req.Header.Set("Authorization", "Bearer "+a.token)
	}
	resp, err := a.http.Do(req)
	if err != nil {
		return fmt.Errorf("kicc-mock admin %s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return fmt.Errorf("kicc-mock admin %s %s: reading answer: %w", method, path, err)
	}
	if resp.StatusCode/100 != 2 {
		e := &AdminError{Method: method, Path: path, Status: resp.StatusCode}
		var msg struct {
			Message string `json:"message"`
		}
		if json.Unmarshal(data, &msg) == nil && msg.Message != "" {
			e.Message = msg.Message
		} else {
			e.Message = strings.TrimSpace(string(data))
		}
		return e
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("kicc-mock admin %s %s: decoding answer: %w", method, path, err)
	}
	return nil
}
