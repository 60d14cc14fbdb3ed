package server_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kicc-mock/kicc-mock/server"
)

// TestDashboardCookieFromAnotherOrigin: a browser without Fetch Metadata
// (no Sec-Fetch-Site) still sends the SameSite=Strict cookie with a page of
// another port of the same host, which is the same site; its Origin header
// gives it away, and the cookie does not count for it.
func TestDashboardCookieFromAnotherOrigin(t *testing.T) {
	m := newMock(t, server.Config{AdminToken: "s3cret"})
	resp, _ := get(t, m.client, m.http.URL+"/__admin/ui?token=s3cret")
	require.Len(t, resp.Cookies(), 1)
	cookie := resp.Cookies()[0].Name + "=" + resp.Cookies()[0].Value

	read := func(headers ...string) int {
		t.Helper()
		// A read: a write from another origin is refused before the
		// cookie is looked at (TestAdminRefusesCrossOriginWrites).
		req, err := http.NewRequest(http.MethodGet, m.http.URL+"/__admin/requests", nil)
		require.NoError(t, err)
		req.Header.Set("Cookie", cookie)
		for i := 0; i+1 < len(headers); i += 2 {
			req.Header.Set(headers[i], headers[i+1])
		}
		resp, err := m.client.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		return resp.StatusCode
	}
	host := strings.TrimPrefix(m.http.URL, "http://")
	name, _, _ := strings.Cut(host, ":")
	assert.Equal(t, http.StatusUnauthorized, read("Origin", "http://"+name+":1"), "another port")
	assert.Equal(t, http.StatusUnauthorized, read("Origin", "null"), "an opaque origin")
	assert.Equal(t, http.StatusUnauthorized, read("Origin", "http://"+host, "Sec-Fetch-Site", "same-site"))
	assert.Equal(t, http.StatusOK, read("Origin", "http://"+host), "the page's own")
	assert.Equal(t, http.StatusOK, read(), "no Origin: not a browser's cross-origin request")
}

// TestAdminRefusesCrossOriginWrites: without an admin token nothing stands
// between another site's page and the mock on 127.0.0.1 but the browser,
// which sends a form's POST (or a no-cors fetch) anywhere: the admin API
// refuses a write the browser marks as coming from another origin, and
// serves scripts, curl and its own page as before.
func TestAdminRefusesCrossOriginWrites(t *testing.T) {
	m := newMock(t, server.Config{})
	host := strings.TrimPrefix(m.http.URL, "http://")
	send := func(method, path string, headers ...string) (int, string) {
		t.Helper()
		req, err := http.NewRequest(method, m.http.URL+path, strings.NewReader("x"))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "text/plain")
		for i := 0; i+1 < len(headers); i += 2 {
			req.Header.Set(headers[i], headers[i+1])
		}
		resp, err := m.client.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return resp.StatusCode, string(b)
	}
	for _, h := range [][]string{
		{"Sec-Fetch-Site", "cross-site"},
		{"Sec-Fetch-Site", "same-site"},
		{"Origin", "http://evil.example"},
		{"Origin", "null"},
	} {
		status, body := send(http.MethodPost, "/__admin/reset", h...)
		assert.Equal(t, http.StatusForbidden, status, "%v", h)
		assert.Contains(t, body, `"message"`, "a JSON error")
		status, _ = send(http.MethodPost, "/__admin/webhooks/1/resend", h...)
		assert.Equal(t, http.StatusForbidden, status, "%v", h)
	}
	status, _ := send(http.MethodPost, "/__admin/reset")
	assert.Equal(t, http.StatusOK, status, "curl, a script")
	status, _ = send(http.MethodPost, "/__admin/reset", "Sec-Fetch-Site", "same-origin", "Origin", "http://"+host)
	assert.Equal(t, http.StatusOK, status, "the dashboard")
	status, _ = send(http.MethodGet, "/__admin/stats", "Sec-Fetch-Site", "cross-site")
	assert.Equal(t, http.StatusOK, status, "a read: another site's page cannot see the answer")
	status, _ = send(http.MethodPost, "/api/trades/wechatpay/find", "Origin", "http://evil.example")
	assert.NotEqual(t, http.StatusForbidden, status, "KICC endpoints are not the admin API")
}
