package server_test

import (
	"context"
	"errors"
	"net/http"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kicc-mock/kicc-mock/server"
)

// TestTheREADMEExamplesDoWhatTheySay runs the three worked examples of
// docs/README-scenarios.md from examples/scenarios.
func TestTheREADMEExamplesDoWhatTheySay(t *testing.T) {
	m := newMock(t, server.Config{ScenarioDir: "../examples/scenarios"})
	ctx := context.Background()

	t.Run("a partial cancel after 3 s", func(t *testing.T) {
		ch := m.findAsync(ctx, m.cancelReq("mock-partial-cancel-after-3s-1"), "")
		m.clock.BlockUntil(1)
		m.clock.Advance(3 * time.Second)
		body := (<-ch).json(t)
		assert.Equal(t, "TS06", body["cancelStatus"])
		assert.Equal(t, map[string]any{"currency": "KRW", "totAmount": 5000.0}, body["amountInfo"])
	})

	t.Run("a cancel that is TS01 twice then TS02", func(t *testing.T) {
		var got []any
		for range 4 {
			got = append(got, m.find(ctx, m.cancelReq("25112512300010000009"), "cancel-ts01-twice-then-ts02").json(t)["cancelStatus"])
		}
		assert.Equal(t, []any{"TS01", "TS01", "TS02", "TS02"}, got)
	})

	t.Run("a connection reset on one merchant's requests", func(t *testing.T) {
		req := m.paymentReq("25112512000010000001")
		req["mallId"] = "T0000042"
		r := m.find(ctx, req, "")
		require.Error(t, r.err)
		assert.True(t, errors.Is(r.err, syscall.ECONNRESET), "%v", r.err)
		assert.Equal(t, http.StatusOK, m.find(ctx, m.paymentReq("25112512000010000001"), "").status, "other merchants are served")
	})
}
