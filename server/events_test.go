package server

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestEventsStreamStopsWhenTheClientLeaves: the stream's subscription goes
// with its client.
func TestEventsStreamStopsWhenTheClientLeaves(t *testing.T) {
	srv, _ := newAdminTestServer(t, Config{})
	hs := httptest.NewServer(srv)
	t.Cleanup(func() { srv.Close(); hs.Close() })
	ctx, cancel := context.WithCancel(t.Context())
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, hs.URL+"/__admin/events", nil)
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, 1, srv.journal.Subscribers(), "subscribed before the answer's header")
	cancel()
	// The handler notices the closed connection on its own goroutine; this
	// waits for that, it does not time it.
	require.Eventually(t, func() bool { return srv.journal.Subscribers() == 0 }, 10*time.Second, time.Millisecond)
}
