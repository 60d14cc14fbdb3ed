package server

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
)

// benchFind drives the whole find request through ServeHTTP (router,
// middleware, decode, validate, ledger, answer, encode) with a unique key per
// request, as a client that follows KICC's rules sends. cancelPgCno is the
// id asked about: a magic id selects a scenario. Budget: under 20 us and 60
// allocations per request.
func benchFind(b *testing.B, mode IdempotencyMode, logLevel slog.Level, cancelPgCno string) {
	s, err := New(Config{Idempotency: mode, Logger: slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: logLevel}))})
	if err != nil {
		b.Fatal(err)
	}
	var n atomic.Uint64
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		rec := httptest.NewRecorder()
		for pb.Next() {
			body := strings.Replace(cancelBody("4CC44FEA352B461890F6E465C5BB"+strconv.FormatUint(n.Add(1), 16)),
				`"cancelPgCno":"25010112300010123470"`, `"cancelPgCno":"`+cancelPgCno+`"`, 1)
			req := httptest.NewRequest(http.MethodPost, "/api/trades/wechatpay/find", strings.NewReader(body))
			req.Header.Set("Content-Type", ContentTypeJSON)
			rec.Body.Reset()
			s.ServeHTTP(rec, req)
			if rec.Code != http.StatusOK {
				b.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
		}
	})
}

const defaultCancel = "25010112300010123470"

func BenchmarkFind(b *testing.B) { benchFind(b, IdempotencyKICC, slog.LevelWarn, defaultCancel) }
func BenchmarkFindLedgerOff(b *testing.B) {
	benchFind(b, IdempotencyOff, slog.LevelWarn, defaultCancel)
}
func BenchmarkFindReplayMode(b *testing.B) {
	benchFind(b, IdempotencyReplay, slog.LevelWarn, defaultCancel)
}

// BenchmarkFindAccessLog adds the access log line that `kicc-mock` writes at
// its default level (formatted, then discarded here).
func BenchmarkFindAccessLog(b *testing.B) {
	benchFind(b, IdempotencyKICC, slog.LevelInfo, defaultCancel)
}

// BenchmarkFindScenario is a scenario answer selected by magic id (the
// built-in cancel-partial), on BenchmarkFind's harness: the two differ only
// in the answer, so their ratio is what a scenario costs over the default.
func BenchmarkFindScenario(b *testing.B) {
	benchFind(b, IdempotencyKICC, slog.LevelWarn, "mock-cancel-partial-1")
}
