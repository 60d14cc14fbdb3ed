package e2e

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestDashboardReconnectsAfterARefusedStream: EventSource does not try
// again after an answer that is not a stream (here the 503 past the mock's
// bound on open streams; a proxy's 502 while the mock restarts is the
// same), so the page does, and goes live once there is room.
func TestDashboardReconnectsAfterARefusedStream(t *testing.T) {
	bin := chromiumPath(t)
	_, url, _ := startProcess(t)
	ctx, closeStreams := context.WithCancel(t.Context())
	defer closeStreams()
	for i := 0; ; i++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url+"/__admin/events", nil)
		require.NoError(t, err)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		if resp.StatusCode == http.StatusServiceUnavailable {
			break
		}
		require.Equal(t, http.StatusOK, resp.StatusCode)
		require.Less(t, i, 1000, "no bound on event streams")
	}

	b := startBrowser(t, bin)
	b.navigate(url + "/__admin/ui")
	b.waitFor(`document.querySelector('#live').dataset.live === 'off'`, "the refused stream")
	closeStreams()
	b.waitFor(`document.querySelector('#live').dataset.live === 'on'`, "the stream, once there is room")
}
