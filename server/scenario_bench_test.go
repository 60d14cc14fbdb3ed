package server_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/kicc-mock/kicc-mock/server"
)

// BenchmarkFindScenario is a scenario answer selected by magic id.
func BenchmarkFindScenario(b *testing.B) {
	benchFindScenario(b, "", "mock-cancel-partial-1")
}

func benchFindScenario(b *testing.B, scenario, cancelPgCno string) {
	srv, err := server.New(server.Config{Idempotency: server.IdempotencyOff})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	bodies := make([][]byte, 1024)
	for i := range bodies {
		bodies[i] = []byte(`{"mallId":"T0000001","shopTransactionId":"k-` + strconv.Itoa(i) +
			`","pgCno":"25112512000010000001","cancelPgCno":"` + cancelPgCno + `"}`)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		req := httptest.NewRequest(http.MethodPost, "/api/trades/wechatpay/find", bytes.NewReader(bodies[i%len(bodies)]))
		req.Header.Set("Content-Type", "application/json; charset=utf-8")
		if scenario != "" {
			req.Header.Set("X-KICC-Mock-Scenario", scenario)
		}
		w := httptest.NewRecorder()
		srv.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatalf("status %d: %s", w.Code, w.Body)
		}
	}
}
