package server

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"

	"github.com/kicc-mock/kicc-mock/clock"
	"github.com/kicc-mock/kicc-mock/journal"
	"github.com/kicc-mock/kicc-mock/kicc"
)

var testStart = time.Date(2026, 11, 25, 17, 54, 24, 0, kicc.KST)

func newAdminTestServer(t testing.TB, cfg Config) (*Server, *clock.Fake) {
	t.Helper()
	fake := clock.NewFake(testStart)
	if cfg.Clock == nil {
		cfg.Clock = fake
	}
	srv, err := New(cfg)
	require.NoError(t, err)
	return srv, fake
}

// call sends one request to srv; headers come in name, value pairs.
func call(srv http.Handler, method, path, body string, headers ...string) *httptest.ResponseRecorder {
	var req *http.Request
	if body == "" {
		req = httptest.NewRequest(method, path, nil)
	} else {
		req = httptest.NewRequest(method, path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	return rec
}

func findBody(key, pgCno string) string {
	return `{"mallId":"T0001997","shopTransactionId":"` + key + `","pgCno":"` + pgCno + `"}`
}

func decode[T any](t testing.TB, rec *httptest.ResponseRecorder) T {
	t.Helper()
	var v T
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &v), "body: %s", rec.Body)
	return v
}

type errorBody struct {
	Status  int    `json:"status"`
	Message string `json:"message"`
}

// requireError asserts an HTTP-level JSON error naming want.
func requireError(t *testing.T, rec *httptest.ResponseRecorder, status int, want string) {
	t.Helper()
	require.Equal(t, status, rec.Code, "body: %s", rec.Body)
	assert.Equal(t, ContentTypeJSON, rec.Header().Get("Content-Type"))
	e := decode[errorBody](t, rec)
	assert.Equal(t, status, e.Status)
	assert.Contains(t, e.Message, want)
}

// testEntry is a journal entry as a client reads it; bodies stay raw.
type testEntry struct {
	journal.View
	Body     json.RawMessage `json:"body"`
	Response json.RawMessage `json:"response"`
}

type listed struct {
	Requests []testEntry `json:"requests"`
}

// bodyOf decodes an entry's body as a find request.
func bodyOf(t *testing.T, e testEntry) kicc.FindRequest {
	t.Helper()
	var b kicc.FindRequest
	require.NoError(t, json.Unmarshal(e.Body, &b), "body: %s", e.Body)
	return b
}

func TestJournalRecordsKICCRequestsNotAdminCalls(t *testing.T) {
	srv, _ := newAdminTestServer(t, Config{})
	body := `{"mallId":"T0001997","shopTransactionId":"k1","pgCno":"P1","cancelPgCno":"C1","extra":1,"another":"x"}`
	rec := call(srv, http.MethodPost, kicc.PathFind, body, "X-Trace", "abc", "Authorization", "Bearer secret")
	require.Equal(t, http.StatusOK, rec.Code)
	call(srv, http.MethodGet, "/__admin/clock", "")

	got := decode[listed](t, call(srv, http.MethodGet, "/__admin/requests", ""))
	require.Len(t, got.Requests, 1)
	e := got.Requests[0]
	assert.Equal(t, "2026-11-25T17:54:24+09:00", e.Time)
	assert.Equal(t, http.MethodPost, e.Method)
	assert.Equal(t, kicc.PathFind, e.Path)
	assert.Equal(t, "abc", e.Headers["X-Trace"])
	assert.NotContains(t, e.Headers, "Authorization", "the journal must not keep credentials")
	assert.JSONEq(t, body, string(e.Body))
	assert.Equal(t, []string{"another", "extra"}, e.UnknownFields)
	assert.Nil(t, e.Scenario)
	assert.Equal(t, http.StatusOK, e.Status)
	assert.JSONEq(t, rec.Body.String(), string(e.Response))
	assert.Equal(t, rec.Header().Get(RequestIDHeader), e.RequestID)
	assert.NotEmpty(t, e.RequestID)
}

func TestJournalRecordsRejectedRequestsWithTheirBodies(t *testing.T) {
	srv, _ := newAdminTestServer(t, Config{BodyLimit: 100})
	tests := []struct {
		name, method, path, contentType, body string
		status                                int
		wantBody                              string // as JSON
		truncated                             bool
	}{
		{"malformed JSON is kept as text", http.MethodPost, kicc.PathFind, "application/json", `{"mallId":`, 400, `"{\"mallId\":"`, false},
		{"a wrong content type keeps the unread body", http.MethodPost, kicc.PathFind, "text/plain", `hello`, 415, `"hello"`, false},
		{"an unknown path is journaled", http.MethodPost, "/api/trades/wechatpay/fnd", "application/json", `{"a":1}`, 404, `{"a":1}`, false},
		{"an oversized body is cut at the limit", http.MethodPost, kicc.PathFind, "application/json", strings.Repeat("x", 150), 413, `"` + strings.Repeat("x", 100) + `"`, true},
		{"a wrong method without body", http.MethodGet, kicc.PathFind, "", "", 405, `null`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(tt.method, tt.path, strings.NewReader(tt.body))
			if tt.contentType != "" {
				req.Header.Set("Content-Type", tt.contentType)
			}
			srv.ServeHTTP(httptest.NewRecorder(), req)
			got := decode[listed](t, call(srv, http.MethodGet, "/__admin/requests?limit=1", ""))
			require.Len(t, got.Requests, 1)
			e := got.Requests[0]
			assert.Equal(t, tt.status, e.Status)
			assert.JSONEq(t, tt.wantBody, string(e.Body))
			assert.Equal(t, tt.truncated, e.BodyTruncated)
			assert.Contains(t, string(e.Response), `"status":`, "the error answer is journaled too")
		})
	}
}

func TestJournalKeepsTheNewestEntriesOfItsSize(t *testing.T) {
	srv, _ := newAdminTestServer(t, Config{JournalSize: 3})
	for i := range 10 {
		call(srv, http.MethodPost, kicc.PathFind, findBody(fmt.Sprint("k", i), fmt.Sprint("P", i)))
	}
	got := decode[listed](t, call(srv, http.MethodGet, "/__admin/requests", ""))
	var pgCnos []string
	for _, e := range got.Requests {
		pgCnos = append(pgCnos, bodyOf(t, e).PgCno)
	}
	assert.Equal(t, []string{"P9", "P8", "P7"}, pgCnos)
}

func TestJournalUsesTheDefaultSize(t *testing.T) {
	srv, _ := newAdminTestServer(t, Config{})
	assert.Equal(t, DefaultJournalSize, srv.journal.Size())
}

func TestNoteScenarioNamesTheScenarioOfTheEntry(t *testing.T) {
	srv, _ := newAdminTestServer(t, Config{})
	srv.echo.POST("/test/scenario", func(c echo.Context) error {
		journal.NoteScenario(c.Request().Context(), "cancel-partial")
		return c.NoContent(http.StatusNoContent)
	})
	call(srv, http.MethodPost, "/test/scenario", "")
	call(srv, http.MethodPost, kicc.PathFind, findBody("k", "P"))

	got := decode[listed](t, call(srv, http.MethodGet, "/__admin/requests?scenario=cancel-partial", ""))
	require.Len(t, got.Requests, 1)
	require.NotNil(t, got.Requests[0].Scenario)
	assert.Equal(t, "cancel-partial", *got.Requests[0].Scenario)
	assert.Equal(t, "null", string(got.Requests[0].Response), "an empty answer is null")
}

func TestGetRequestsFilters(t *testing.T) {
	srv, _ := newAdminTestServer(t, Config{})
	call(srv, http.MethodPost, kicc.PathFind, findBody("k1", "P1"))
	call(srv, http.MethodPost, kicc.PathFind, findBody("k2", "P2"))
	call(srv, http.MethodPost, kicc.PathFind, `{"mallId":"OTHER","shopTransactionId":"k3","pgCno":"P1"}`)
	call(srv, http.MethodPost, "/elsewhere", `{}`)

	tests := []struct {
		query string
		want  []string // shopTransactionIds, newest first
	}{
		{"", []string{"", "k3", "k2", "k1"}},
		{"?limit=2", []string{"", "k3"}},
		{"?limit=0", []string{"", "k3", "k2", "k1"}},
		{"?pgCno=P1", []string{"k3", "k1"}},
		{"?pgCno=P1&mallId=T0001997", []string{"k1"}},
		{"?path=" + kicc.PathFind + "&limit=1", []string{"k3"}},
		{"?method=post&path=/elsewhere", []string{""}},
		{"?scenario=none-such", nil},
	}
	for _, tt := range tests {
		t.Run("GET /__admin/requests"+tt.query, func(t *testing.T) {
			rec := call(srv, http.MethodGet, "/__admin/requests"+tt.query, "")
			require.Equal(t, http.StatusOK, rec.Code)
			var keys []string
			for _, e := range decode[listed](t, rec).Requests {
				keys = append(keys, bodyOf(t, e).ShopTransactionID)
			}
			assert.Equal(t, tt.want, keys)
		})
	}
}

func TestGetRequestsRefusesBadFilters(t *testing.T) {
	srv, _ := newAdminTestServer(t, Config{})
	tests := []struct{ query, want string }{
		{"?pgcno=P1", `unknown filter "pgcno"`},
		{"?limit=ten", `limit must be a whole number`},
		{"?limit=-1", `limit must be a whole number`},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			requireError(t, call(srv, http.MethodGet, "/__admin/requests"+tt.query, ""), http.StatusBadRequest, tt.want)
		})
	}
}

func TestCountRequests(t *testing.T) {
	srv, _ := newAdminTestServer(t, Config{})
	call(srv, http.MethodPost, kicc.PathFind, findBody("k1", "P1"))
	call(srv, http.MethodPost, kicc.PathFind, findBody("k2", "P1"))
	call(srv, http.MethodPost, kicc.PathFind, `{"mallId":"T0001997","shopTransactionId":"k3","pgCno":"P2","x":{"a":[1,{"b":"c"}],"n":5}}`)
	call(srv, http.MethodPost, "/elsewhere", `not json`)

	tests := []struct {
		name, body string
		want       int
	}{
		{"an empty body counts everything", ``, 4},
		{"an empty filter counts everything", `{}`, 4},
		{"by path", `{"path":"` + kicc.PathFind + `"}`, 3},
		{"by body field", `{"body":{"pgCno":"P1"}}`, 2},
		{"by path and two body fields", `{"path":"` + kicc.PathFind + `","body":{"pgCno":"P1","shopTransactionId":"k2"}}`, 1},
		{"nested objects match as subsets", `{"body":{"x":{"n":5}}}`, 1},
		{"arrays match element by element", `{"body":{"x":{"a":[1,{"b":"c"}]}}}`, 1},
		{"a shorter array does not match", `{"body":{"x":{"a":[1]}}}`, 0},
		{"a different value does not match", `{"body":{"x":{"n":6}}}`, 0},
		{"a missing key does not match", `{"body":{"cancelPgCno":"C"}}`, 0},
		{"by scenario", `{"scenario":"cancel-full"}`, 0},
		{"by method", `{"method":"GET"}`, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := call(srv, http.MethodPost, "/__admin/requests/count", tt.body, "Content-Type", "application/json")
			require.Equal(t, http.StatusOK, rec.Code, "body: %s", rec.Body)
			assert.Equal(t, map[string]int{"count": tt.want}, decode[map[string]int](t, rec))
		})
	}
}

func TestCountRequestsRefusesBadBodies(t *testing.T) {
	srv, _ := newAdminTestServer(t, Config{})
	tests := []struct {
		name, body, contentType string
		status                  int
		want                    string
	}{
		{"malformed JSON", `{"path":`, "application/json", 400, "count body must be"},
		{"an unknown field", `{"pgCno":"P1"}`, "application/json", 400, `unknown field "pgCno"`},
		{"a body that is not an object", `{"body":"P1"}`, "application/json", 400, "count body must be"},
		{"trailing data", `{} {}`, "application/json", 400, "without trailing data"},
		{"not JSON", `path=/x`, "application/x-www-form-urlencoded", 415, "Content-Type must be application/json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := call(srv, http.MethodPost, "/__admin/requests/count", tt.body, "Content-Type", tt.contentType)
			requireError(t, rec, tt.status, tt.want)
		})
	}
}

func TestClearRequests(t *testing.T) {
	srv, _ := newAdminTestServer(t, Config{})
	call(srv, http.MethodPost, kicc.PathFind, findBody("k1", "P1"))
	call(srv, http.MethodPost, kicc.PathFind, findBody("k2", "P1"))

	rec := call(srv, http.MethodDelete, "/__admin/requests", "")
	require.Equal(t, http.StatusOK, rec.Code)
	assert.JSONEq(t, `{"cleared":2}`, rec.Body.String())
	assert.JSONEq(t, `{"requests":[]}`, call(srv, http.MethodGet, "/__admin/requests", "").Body.String())
}

func TestResetRestoresTheStartState(t *testing.T) {
	srv, _ := newAdminTestServer(t, Config{})
	hooked := 0
	srv.onReset(func() { hooked++ })
	first := call(srv, http.MethodPost, kicc.PathFind, findBody("k1", "P1"))
	require.Equal(t, kicc.ResOK, decode[kicc.PaymentStatusResponse](t, first).ResCd)
	dup := call(srv, http.MethodPost, kicc.PathFind, findBody("k1", "P1"))
	require.Equal(t, kicc.ResDuplicate, decode[kicc.PaymentStatusResponse](t, dup).ResCd)
	require.Equal(t, http.StatusOK, call(srv, http.MethodPut, "/__admin/clock", `{"advance":"2h"}`).Code)

	rec := call(srv, http.MethodPost, "/__admin/reset", "")
	require.Equal(t, http.StatusOK, rec.Code)
	assert.JSONEq(t, `{"status":"reset"}`, rec.Body.String())

	assert.Equal(t, 1, hooked, "reset hooks run")
	assert.Equal(t, 0, srv.journal.Len())
	assert.Equal(t, time.Duration(0), srv.Clock().Offset())
	again := call(srv, http.MethodPost, kicc.PathFind, findBody("k1", "P1"))
	assert.Equal(t, kicc.ResOK, decode[kicc.PaymentStatusResponse](t, again).ResCd, "used keys are forgotten")
}

func TestClockEndpoints(t *testing.T) {
	srv, fake := newAdminTestServer(t, Config{})
	rec := call(srv, http.MethodGet, "/__admin/clock", "")
	require.Equal(t, http.StatusOK, rec.Code)
	assert.JSONEq(t, `{"now":"2026-11-25T17:54:24+09:00","kst":"20261125175424","offset":"0s","adjusted":false}`, rec.Body.String())

	rec = call(srv, http.MethodPut, "/__admin/clock", `{"now":"2026-11-25T23:59:59+09:00"}`)
	require.Equal(t, http.StatusOK, rec.Code)
	assert.Equal(t, "20261125235959", decode[clockView](t, rec).KST)

	fake.Advance(2 * time.Second) // time keeps running from the set moment
	rec = call(srv, http.MethodPut, "/__admin/clock", `{"advance":"90m"}`)
	assert.Equal(t, "20261126013001", decode[clockView](t, rec).KST)

	rec = call(srv, http.MethodDelete, "/__admin/clock", "")
	assert.Equal(t, "20261125175426", decode[clockView](t, rec).KST)
}

func TestPutClockRefusesBadBodies(t *testing.T) {
	srv, _ := newAdminTestServer(t, Config{})
	tests := []struct{ name, body, want string }{
		{"a bad time", `{"now":"tomorrow"}`, `"now" must be an RFC 3339 time`},
		{"a bad duration", `{"advance":"soon"}`, `"advance" must be a Go duration`},
		{"both", `{"now":"2026-11-25T23:59:59+09:00","advance":"1h"}`, "not both"},
		{"neither", `{}`, "clock body must be"},
		{"an unknown field", `{"at":"2026-11-25T23:59:59+09:00"}`, `unknown field "at"`},
		{"malformed JSON", `{"now":`, "clock body must be"},
		{"trailing data", `{"advance":"1m"} x`, "without trailing data"},
		{"an empty body", ``, "clock body must be"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := call(srv, http.MethodPut, "/__admin/clock", tt.body, "Content-Type", "application/json")
			requireError(t, rec, http.StatusBadRequest, tt.want)
		})
	}
}

func TestHealth(t *testing.T) {
	srv, _ := newAdminTestServer(t, Config{Version: "v1.2.3"})
	rec := call(srv, http.MethodGet, "/__admin/health", "")
	require.Equal(t, http.StatusOK, rec.Code)
	assert.JSONEq(t, `{"status":"UP","version":"v1.2.3"}`, rec.Body.String())
}

func TestUnknownAdminPathsAndMethodsAreJSON(t *testing.T) {
	srv, _ := newAdminTestServer(t, Config{})
	requireError(t, call(srv, http.MethodGet, "/__admin/nothing", ""), http.StatusNotFound, "no such endpoint: GET /__admin/nothing")
	requireError(t, call(srv, http.MethodPost, "/__admin/clock", `{}`), http.StatusMethodNotAllowed, "method POST is not allowed")
	assert.Equal(t, 0, srv.journal.Len(), "admin calls are not journaled, unknown ones neither")
}

func TestAdminToken(t *testing.T) {
	const token = "s3cret-token"
	srv, _ := newAdminTestServer(t, Config{AdminToken: token})
	admin := []struct{ method, path, body string }{
		{http.MethodGet, "/__admin/clock", ""},
		{http.MethodPut, "/__admin/clock", `{"advance":"1m"}`},
		{http.MethodDelete, "/__admin/clock", ""},
		{http.MethodGet, "/__admin/requests", ""},
		{http.MethodPost, "/__admin/requests/count", `{}`},
		{http.MethodDelete, "/__admin/requests", ""},
		{http.MethodPost, "/__admin/reset", ""},
		{http.MethodGet, "/__admin/openapi.yaml", ""},
		{http.MethodGet, "/__admin/nothing", ""},
	}
	for _, a := range admin {
		t.Run(a.method+" "+a.path+" needs the token", func(t *testing.T) {
			rec := call(srv, a.method, a.path, a.body)
			requireError(t, rec, http.StatusUnauthorized, "Authorization: Bearer <token>")
			assert.Contains(t, rec.Body.String(), "Bearer <token>", "messages are not HTML-escaped")
			assert.Contains(t, rec.Header().Get("WWW-Authenticate"), "Bearer")

			rec = call(srv, a.method, a.path, a.body, "Authorization", "Bearer wrong")
			requireError(t, rec, http.StatusUnauthorized, "the admin token is wrong")

			rec = call(srv, a.method, a.path, a.body, "Authorization", "Basic "+token)
			requireError(t, rec, http.StatusUnauthorized, "Authorization: Bearer <token>")

			rec = call(srv, a.method, a.path, a.body, "Authorization", "bearer "+token)
			assert.NotEqual(t, http.StatusUnauthorized, rec.Code, "body: %s", rec.Body)
		})
	}
	t.Run("health never needs it", func(t *testing.T) {
		assert.Equal(t, http.StatusOK, call(srv, http.MethodGet, "/__admin/health", "").Code)
	})
	t.Run("KICC endpoints never need it", func(t *testing.T) {
		rec := call(srv, http.MethodPost, kicc.PathFind, findBody("k1", "P1"))
		require.Equal(t, http.StatusOK, rec.Code)
		assert.Equal(t, kicc.ResOK, decode[kicc.PaymentStatusResponse](t, rec).ResCd)
	})
	t.Run("without a configured token admin calls are open", func(t *testing.T) {
		open, _ := newAdminTestServer(t, Config{})
		assert.Equal(t, http.StatusOK, call(open, http.MethodGet, "/__admin/requests", "").Code)
	})
}

func TestOpenAPIDocumentsEveryRoute(t *testing.T) {
	srv, _ := newAdminTestServer(t, Config{})
	rec := call(srv, http.MethodGet, "/__admin/openapi.yaml", "")
	require.Equal(t, http.StatusOK, rec.Code)
	assert.Equal(t, "application/yaml", rec.Header().Get("Content-Type"))

	var doc struct {
		OpenAPI string                               `yaml:"openapi"`
		Paths   map[string]map[string]map[string]any `yaml:"paths"`
	}
	require.NoError(t, yaml.Unmarshal(rec.Body.Bytes(), &doc))
	assert.Equal(t, "3.0.3", doc.OpenAPI)
	routes := srv.echo.Routes()
	require.NotEmpty(t, routes)
	for _, r := range routes {
		path := openAPIPath(r.Path)
		ops, ok := doc.Paths[path]
		if assert.True(t, ok, "route %s %s: path %s is not in openapi.yaml", r.Method, r.Path, path) {
			assert.Contains(t, ops, strings.ToLower(r.Method), "route %s %s is not in openapi.yaml", r.Method, r.Path)
		}
	}
	// The scenario endpoints are documented ahead of their wiring.
	for _, p := range []string{"/__admin/scenarios", "/__admin/scenarios/{name}", "/__admin/default-scenario"} {
		assert.Contains(t, doc.Paths, p)
	}
}

// openAPIPath turns Echo's /a/:name into OpenAPI's /a/{name}.
func openAPIPath(echoPath string) string {
	parts := strings.Split(echoPath, "/")
	for i, p := range parts {
		if strings.HasPrefix(p, ":") {
			parts[i] = "{" + p[1:] + "}"
		}
	}
	return strings.Join(parts, "/")
}

func TestOpenAPIPath(t *testing.T) {
	assert.Equal(t, "/__admin/scenarios/{name}", openAPIPath("/__admin/scenarios/:name"))
	assert.Equal(t, "/__admin/requests", openAPIPath("/__admin/requests"))
}

// TestAdminTokenCheckCostsKICCRequestsNothingWithoutAToken: Echo applies
// global middleware on every request, so without a token the check must
// hand back the handler itself, not a closure (an allocation per request on
// the find path). Cross-origin writes are refused by the admin routes
// themselves (write).
func TestAdminTokenCheckCostsKICCRequestsNothingWithoutAToken(t *testing.T) {
	srv, _ := newAdminTestServer(t, Config{})
	h := func(echo.Context) error { return nil }
	assert.Equal(t, reflect.ValueOf(h).Pointer(), reflect.ValueOf(srv.requireAdminToken(h)).Pointer())
	assert.Zero(t, testing.AllocsPerRun(100, func() { srv.requireAdminToken(h) }))
}
