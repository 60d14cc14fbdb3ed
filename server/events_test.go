package server

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
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

// TestEventsStreamDropsAClientThatStopsReading: a client that keeps its
// connection open but reads nothing (its receive window shut) fails the
// stream's next write within eventsWriteTimeout, and the stream ends:
// otherwise it would hold its handler, its subscription and a place under
// maxEventStreams for ever, and a shutdown for its whole timeout.
func TestEventsStreamDropsAClientThatStopsReading(t *testing.T) {
	srv, _ := newAdminTestServer(t, Config{})
	hs := httptest.NewServer(srv)
	t.Cleanup(func() { srv.Close(); hs.Close() })
	conn, err := net.Dial("tcp", hs.Listener.Addr().String())
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close() })
	require.NoError(t, conn.(*net.TCPConn).SetReadBuffer(4096))
	_, err = io.WriteString(conn, "GET /__admin/events HTTP/1.1\r\nHost: mock\r\n\r\n")
	require.NoError(t, err)
	require.Eventually(t, func() bool { return srv.journal.Subscribers() == 1 }, 10*time.Second, time.Millisecond)

	// Far more than the socket buffers hold (a few MiB): the stream's
	// write blocks, and never completes, as nothing is read.
	body := `{"mallId":"T0000001","shopTransactionId":"k","pgCno":"P","x":"` + strings.Repeat("a", 16<<10) + `"}`
	for range 1000 {
		call(srv, http.MethodPost, "/api/trades/wechatpay/find", body, "Content-Type", ContentTypeJSON)
	}
	require.Eventually(t, func() bool { return srv.journal.Subscribers() == 0 }, 30*time.Second, 10*time.Millisecond,
		"the stream still waits on a client that reads nothing")
}

// TestEventsStreamKeepsAlive: an idle stream sends a comment every
// eventsKeepAlive, on the server's clock.
func TestEventsStreamKeepsAlive(t *testing.T) {
	srv, fake := newAdminTestServer(t, Config{})
	hs := httptest.NewServer(srv)
	t.Cleanup(func() { srv.Close(); hs.Close() })
	idle := fake.Waiters()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, hs.URL+"/__admin/events", nil)
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	r := bufio.NewReader(resp.Body)
	for range 2 {
		fake.BlockUntil(idle + 1)
		fake.Advance(eventsKeepAlive)
		for {
			line, err := r.ReadString('\n')
			require.NoError(t, err)
			if line == ": keep-alive\n" {
				break
			}
		}
		blank, err := r.ReadString('\n')
		require.NoError(t, err)
		assert.Equal(t, "\n", blank, "the comment ends an event")
	}
}
