package server

import (
	"context"
	"encoding/json"
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

// TestEventsStreamsAreBounded: past maxEventStreams open streams, one more
// is a 503 JSON error, not a goroutine and a subscription; a stream that
// ends makes room.
func TestEventsStreamsAreBounded(t *testing.T) {
	srv, _ := newAdminTestServer(t, Config{})
	hs := httptest.NewServer(srv)
	t.Cleanup(func() { srv.Close(); hs.Close() })
	open := func(ctx context.Context) *http.Response {
		t.Helper()
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, hs.URL+"/__admin/events", nil)
		require.NoError(t, err)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		t.Cleanup(func() { resp.Body.Close() })
		return resp
	}
	cancels := make([]context.CancelFunc, maxEventStreams)
	for i := range cancels {
		ctx, cancel := context.WithCancel(t.Context())
		cancels[i] = cancel
		require.Equal(t, http.StatusOK, open(ctx).StatusCode, "stream %d", i)
	}
	resp := open(t.Context())
	require.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
	assert.Equal(t, "application/json; charset=utf-8", resp.Header.Get("Content-Type"))
	var body struct{ Message string }
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&body))
	assert.Contains(t, body.Message, "event streams")
	assert.Equal(t, maxEventStreams, srv.journal.Subscribers())

	cancels[0]()
	require.Eventually(t, func() bool { return srv.journal.Subscribers() < maxEventStreams }, 10*time.Second, time.Millisecond)
	assert.Equal(t, http.StatusOK, open(t.Context()).StatusCode, "room again")
}
