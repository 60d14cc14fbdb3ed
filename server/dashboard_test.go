package server_test

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kicc-mock/kicc-mock/kicc"
	"github.com/kicc-mock/kicc-mock/server"
)

func get(t *testing.T, c *http.Client, url string, headers ...string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	require.NoError(t, err)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := c.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp, string(b)
}

func TestDashboardPageAndFiles(t *testing.T) {
	m := newMock(t, server.Config{})
	resp, body := get(t, m.client, m.http.URL+"/__admin/ui")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "text/html; charset=utf-8", resp.Header.Get("Content-Type"))
	assert.Contains(t, body, `<script src="/__admin/ui/app.js"`)
	csp := resp.Header.Get("Content-Security-Policy")
	assert.Contains(t, csp, "default-src 'none'")
	assert.Contains(t, csp, "script-src 'self'")
	assert.Contains(t, csp, "connect-src 'self'")
	assert.Contains(t, csp, "frame-ancestors 'none'")
	assert.NotContains(t, csp, "unsafe-inline")
	assert.Equal(t, "nosniff", resp.Header.Get("X-Content-Type-Options"))
	assert.Equal(t, "DENY", resp.Header.Get("X-Frame-Options"))
	assert.NotContains(t, strings.ToLower(body), "<style", "no inline style: the policy has no hash for one")
	assert.NotRegexp(t, `<script(?:\s[^>]*)?>[^<]`, body, "no inline script")

	for file, ct := range map[string]string{"app.js": "text/javascript; charset=utf-8", "style.css": "text/css; charset=utf-8"} {
		resp, body := get(t, m.client, m.http.URL+"/__admin/ui/"+file)
		require.Equal(t, http.StatusOK, resp.StatusCode, file)
		assert.Equal(t, ct, resp.Header.Get("Content-Type"), file)
		assert.Equal(t, "nosniff", resp.Header.Get("X-Content-Type-Options"), file)
		assert.NotEmpty(t, body)
	}
	for _, bad := range []string{"nope.js", "index.html", ".hidden", "..%2fdashboard.go"} {
		resp, body := get(t, m.client, m.http.URL+"/__admin/ui/"+bad)
		assert.Equal(t, http.StatusNotFound, resp.StatusCode, bad)
		assert.Contains(t, body, `"message"`, "a JSON error")
	}
}

// TestDashboardNeedsTheToken: with an admin token, the page, its files and
// the event stream are 401 without it; ?token= once sets the cookie that
// then stands for it, and a wrong token or a cross-site request gets
// nothing.
func TestDashboardNeedsTheToken(t *testing.T) {
	m := newMock(t, server.Config{AdminToken: "s3cret"})
	for _, path := range []string{"/__admin/ui", "/__admin/ui/app.js", "/__admin/events", "/__admin/requests"} {
		resp, body := get(t, m.client, m.http.URL+path)
		assert.Equal(t, http.StatusUnauthorized, resp.StatusCode, path)
		assert.Contains(t, body, "token", path)
	}
	resp, _ := get(t, m.client, m.http.URL+"/__admin/ui?token=wrong")
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	assert.Empty(t, resp.Cookies())

	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	browser := &http.Client{Jar: jar}
	resp, body := get(t, browser, m.http.URL+"/__admin/ui?token=s3cret")
	require.Equal(t, http.StatusOK, resp.StatusCode, body)
	assert.Contains(t, body, "app.js", "the page itself, no redirect (which a link from elsewhere would lose the cookie on)")
	assert.Equal(t, "no-store", resp.Header.Get("Cache-Control"), "the answer to a URL with the token")
	assert.Equal(t, "DENY", resp.Header.Get("X-Frame-Options"))
	ck := resp.Cookies()
	require.Len(t, ck, 1)
	assert.True(t, ck[0].HttpOnly)
	assert.Equal(t, http.SameSiteStrictMode, ck[0].SameSite)
	assert.Equal(t, "/__admin", ck[0].Path)
	assert.NotContains(t, ck[0].Value, "s3cret")
	assert.False(t, ck[0].Secure, "plain HTTP")
	resp, _ = get(t, m.client, m.http.URL+"/__admin/ui?token=s3cret", "X-Forwarded-Proto", "https")
	require.Len(t, resp.Cookies(), 1)
	assert.True(t, resp.Cookies()[0].Secure, "behind a TLS proxy")
	resp, _ = get(t, browser, m.http.URL+"/__admin/ui")
	assert.Equal(t, "no-cache", resp.Header.Get("Cache-Control"))

	resp, _ = get(t, browser, m.http.URL+"/__admin/requests")
	assert.Equal(t, http.StatusOK, resp.StatusCode, "the cookie stands for the token")
	resp, _ = get(t, browser, m.http.URL+"/__admin/requests", "Sec-Fetch-Site", "cross-site")
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode, "not from another site's page")
	resp, _ = get(t, browser, m.http.URL+"/__admin/requests", "Authorization", "Bearer wrong")
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode, "a wrong token is wrong, cookie or not")
	resp, _ = get(t, m.client, m.http.URL+"/__admin/ui", "Cookie", "kicc_mock_admin=00ff")
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode, "a made-up cookie")

	other := newMock(t, server.Config{AdminToken: "another"})
	resp, _ = get(t, m.client, other.http.URL+"/__admin/ui", "Cookie", "kicc_mock_admin="+ck[0].Value)
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode, "a session of another token")
	resp, _ = get(t, m.client, m.http.URL+"/__admin/ui", "Authorization", "Bearer s3cret")
	assert.Equal(t, http.StatusOK, resp.StatusCode, "the header works too")
}

// sse reads one event stream.
type sse struct {
	r *bufio.Reader
}

type event struct {
	name string
	data string
}

func (s *sse) next(t *testing.T) event {
	t.Helper()
	var e event
	for {
		line, err := s.r.ReadString('\n')
		require.NoError(t, err, "the stream ended")
		line = strings.TrimRight(line, "\n")
		switch {
		case line == "":
			if e.name != "" || e.data != "" {
				return e
			}
		case strings.HasPrefix(line, "event: "):
			e.name = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: "):
			e.data = strings.TrimPrefix(line, "data: ")
		}
	}
}

func openEvents(t *testing.T, m *mock, ctx context.Context) (*sse, *http.Response) {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, m.http.URL+"/__admin/events", nil)
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	t.Cleanup(func() { resp.Body.Close() })
	require.Equal(t, http.StatusOK, resp.StatusCode)
	s := &sse{r: bufio.NewReader(resp.Body)}
	require.Equal(t, "hello", s.next(t).name)
	return s, resp
}

func TestEventsStreamTheJournal(t *testing.T) {
	m := newMock(t, server.Config{})
	s, resp := openEvents(t, m, t.Context())
	assert.Equal(t, "text/event-stream; charset=utf-8", resp.Header.Get("Content-Type"))
	assert.Equal(t, "no-cache", resp.Header.Get("Cache-Control"))

	r := m.find(t.Context(), m.paymentReq("P-1"), "payment-void")
	require.Equal(t, http.StatusOK, r.status)
	e := s.next(t)
	require.Equal(t, "request", e.name)
	var v struct {
		Path     string         `json:"path"`
		Scenario string         `json:"scenario"`
		Status   int            `json:"status"`
		Body     map[string]any `json:"body"`
		Response map[string]any `json:"response"`
	}
	require.NoError(t, json.Unmarshal([]byte(e.data), &v))
	assert.Equal(t, kicc.PathFind, v.Path)
	assert.Equal(t, "payment-void", v.Scenario)
	assert.Equal(t, "P-1", v.Body["pgCno"])
	assert.Equal(t, string(kicc.StatusVoided), v.Response["statusCd"])

	// A body written over several lines is still one data line.
	req, err := http.NewRequest(http.MethodPost, m.http.URL+kicc.PathFind,
		strings.NewReader("{\n  \"mallId\": \"T0000001\",\n  \"shopTransactionId\": \"k-lines\",\n  \"pgCno\": \"P-2\"\n}\n"))
	require.NoError(t, err)
	req.Header.Set("Content-Type", server.ContentTypeJSON)
	fr, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	fr.Body.Close()
	e = s.next(t)
	require.Equal(t, "request", e.name)
	require.NoError(t, json.Unmarshal([]byte(e.data), &v), "one line of JSON: %q", e.data)
	assert.Equal(t, "P-2", v.Body["pgCno"])

	// Admin calls are not journaled, so they send nothing; a clear asks the
	// page to read the journal again.
	rec, _ := http.NewRequest(http.MethodDelete, m.http.URL+"/__admin/requests", nil)
	cr, err := http.DefaultClient.Do(rec)
	require.NoError(t, err)
	cr.Body.Close()
	e = s.next(t)
	assert.Equal(t, "refetch", e.name)
	assert.JSONEq(t, `{"reason":"changed"}`, e.data)
}

// TestEventsStreamEndsWithTheServer: Close (which http.Server.Shutdown
// calls) ends open streams, so a shutdown does not wait for the page.
func TestEventsStreamEndsWithTheServer(t *testing.T) {
	m := newMock(t, server.Config{})
	s, _ := openEvents(t, m, t.Context())
	m.srv.Close()
	assert.Equal(t, "bye", s.next(t).name)
	_, err := s.r.ReadString('\n')
	assert.ErrorIs(t, err, io.EOF, "the stream ended")
}

// TestSlowEventStreamDoesNotHoldUpRequests: a page that does not read its
// stream costs the requests nothing; what it missed comes as a refetch, or
// as the entries, once it reads.
func TestSlowEventStreamDoesNotHoldUpRequests(t *testing.T) {
	m := newMock(t, server.Config{})
	s, _ := openEvents(t, m, t.Context())
	for range 300 {
		r := m.find(t.Context(), m.paymentReq("P-slow"), "")
		require.Equal(t, http.StatusOK, r.status)
	}
	e := s.next(t)
	assert.Contains(t, []string{"request", "refetch"}, e.name)
}
