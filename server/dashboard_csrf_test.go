package server_test

import (
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

	post := func(headers ...string) int {
		t.Helper()
		req, err := http.NewRequest(http.MethodPost, m.http.URL+"/__admin/reset", strings.NewReader("x"))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "text/plain")
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
	assert.Equal(t, http.StatusUnauthorized, post("Origin", "http://"+name+":1"), "another port")
	assert.Equal(t, http.StatusUnauthorized, post("Origin", "null"), "an opaque origin")
	assert.Equal(t, http.StatusUnauthorized, post("Origin", "http://"+host, "Sec-Fetch-Site", "same-site"))
	assert.Equal(t, http.StatusOK, post("Origin", "http://"+host), "the page's own")
	assert.Equal(t, http.StatusOK, post(), "no Origin: not a browser's cross-origin request")
}
