package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kicc-mock/kicc-mock/clock"
	"github.com/kicc-mock/kicc-mock/server"
)

// start is 2025-11-25 12:00:00 KST, the fake clock's start in every test.
var start = time.Date(2025, 11, 25, 3, 0, 0, 0, time.UTC)

type mock struct {
	t     testing.TB
	srv   *server.Server
	http  *httptest.Server
	clock *clock.Fake
	// client makes one connection per request, so a fault on one request
	// cannot be hidden by a retry on another connection.
	client *http.Client
	seq    atomic.Int64
}

func newMock(t testing.TB, cfg server.Config) *mock {
	t.Helper()
	fake := clock.NewFake(start)
	if cfg.Clock == nil {
		cfg.Clock = fake
	}
	srv, err := server.New(cfg)
	require.NoError(t, err)
	hs := httptest.NewServer(srv)
	t.Cleanup(func() {
		srv.Close()
		hs.Close()
	})
	return &mock{t: t, srv: srv, http: hs, clock: fake,
		client: &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}}
}

type reply struct {
	status int
	header http.Header
	body   []byte
	err    error
}

func (r reply) json(t testing.TB) map[string]any {
	t.Helper()
	require.NoError(t, r.err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(r.body, &m), "body: %s", r.body)
	return m
}

// cancelReq is a valid cancellation-status inquiry with a fresh key.
func (m *mock) cancelReq(cancelPgCno string) map[string]any {
	return map[string]any{"mallId": "T0000001", "shopTransactionId": m.key(),
		"pgCno": "25112512000010000001", "cancelPgCno": cancelPgCno}
}

// paymentReq is a valid payment-status inquiry with a fresh key.
func (m *mock) paymentReq(pgCno string) map[string]any {
	return map[string]any{"mallId": "T0000001", "shopTransactionId": m.key(), "pgCno": pgCno}
}

func (m *mock) key() string { return fmt.Sprintf("key-%d", m.seq.Add(1)) }

func (m *mock) find(ctx context.Context, body map[string]any, scenario string) reply {
	b, _ := json.Marshal(body)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, m.http.URL+"/api/trades/wechatpay/find", bytes.NewReader(b))
	require.NoError(m.t, err)
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	if scenario != "" {
		req.Header.Set("X-KICC-Mock-Scenario", scenario)
	}
	resp, err := m.client.Do(req)
	if err != nil {
		return reply{err: err}
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	return reply{status: resp.StatusCode, header: resp.Header, body: data, err: err}
}

// findAsync sends the request in the background.
func (m *mock) findAsync(ctx context.Context, body map[string]any, scenario string) <-chan reply {
	ch := make(chan reply, 1)
	go func() { ch <- m.find(ctx, body, scenario) }()
	return ch
}

// healthy checks that the server still answers a plain request.
func (m *mock) healthy(t testing.TB) {
	t.Helper()
	r := m.find(context.Background(), m.cancelReq("25112512300010000002"), "")
	require.NoError(t, r.err)
	require.Equal(t, http.StatusOK, r.status)
	require.Equal(t, "TS02", r.json(t)["cancelStatus"])
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }
