package server_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kicc-mock/kicc-mock/server"
)

// instantClock is a clock on which every delay and hang is over at once, so
// the fuzzer can reach the slow and hanging scenarios by magic id.
type instantClock struct{}

func (instantClock) Now() time.Time { return start }
func (instantClock) After(time.Duration) <-chan time.Time {
	ch := make(chan time.Time, 1)
	ch <- start
	return ch
}

// hijackRecorder is an httptest.ResponseRecorder whose connection can be
// hijacked, as the reset, empty and hang faults do.
type hijackRecorder struct {
	*httptest.ResponseRecorder
	hijacked bool
}

func (h *hijackRecorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	h.hijacked = true
	a, b := net.Pipe()
	b.Close()
	return a, bufio.NewReadWriter(bufio.NewReader(a), bufio.NewWriter(a)), nil
}

// faultScenarios answer on purpose with something that is not a KICC answer.
var faultScenarios = map[string]bool{"malformed-json": true, "empty-response": true, "conn-reset": true, "timeout": true}

// FuzzServeFind sends arbitrary bodies with arbitrary content types through
// the whole server (middleware, decoder, validator, idempotency, scenario
// selection by magic id, rendering). Whatever comes in, the answer is JSON
// with a KICC-shaped body: HTTP 200 carries a 4-character resCd, any other
// status carries none; and nothing panics (Echo's recover would turn a panic
// into a 500, which no request without a scenario header may get).
//
//	go test ./server -run '^$' -fuzz '^FuzzServeFind$' -fuzztime 10m
func FuzzServeFind(f *testing.F) {
	const ct = "application/json; charset=utf-8"
	for _, s := range []struct{ body, ct string }{
		{`{"mallId":"T0000001","shopTransactionId":"k1","pgCno":"25010112000010123456"}`, ct},
		{`{"mallId":"T0000001","shopTransactionId":"k2","pgCno":"25010112000010123456","cancelPgCno":"25010112300010123470"}`, ct},
		{`{"mallId":"T0000001","shopTransactionId":"k3","pgCno":"mock-error-wechat"}`, ct},
		{`{"mallId":"T0000001","shopTransactionId":"k4","pgCno":"1","cancelPgCno":"mock-cancel-pending-then-full-1"}`, "application/json"},
		{`{"mallId":"T0000001","shopTransactionId":"k5","pgCno":"mock-slow"}`, ct},
		{`{"mallId":1,"pgCno":[]}`, ct},
		{`{"mallId":"T0000001","shopTransactionId":"k6","pgCno":"a'b"}`, ct},
		{`[]`, ct}, {``, ct}, {`{`, ct}, {`null`, ct},
		{`{"mallId":"T0000001"}`, "text/plain"},
		{`{"mallId":"T0000001"}`, "application/json; charset=latin1"},
	} {
		f.Add([]byte(s.body), s.ct)
	}
	// A small ledger, reset now and then, so that both fresh keys (which
	// reach the scenarios) and a full ledger (9999) are explored.
	srv, err := server.New(server.Config{Clock: instantClock{}, MaxKeys: 1000, BodyLimit: 4 << 10})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(srv.Close)
	var n atomic.Int64
	f.Fuzz(func(t *testing.T, body []byte, contentType string) {
		if n.Add(1)%1500 == 0 {
			srv.Reset()
		}
		req := httptest.NewRequest(http.MethodPost, "/api/trades/wechatpay/find", bytes.NewReader(body))
		req.Header.Set("Content-Type", contentType)
		rec := &hijackRecorder{ResponseRecorder: httptest.NewRecorder()}
		srv.ServeHTTP(rec, req)
		if scenario := rec.Header().Get(server.ScenarioHeader); faultScenarios[scenario] || rec.hijacked {
			return // a fault answers this way on purpose
		}
		var answer map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &answer); err != nil {
			t.Fatalf("HTTP %d, body is not a JSON object: %q", rec.Code, rec.Body.Bytes())
		}
		resCd, has := answer["resCd"]
		switch rec.Code {
		case http.StatusOK:
			if s, ok := resCd.(string); !ok || len(s) != 4 {
				t.Fatalf("HTTP 200 without a 4-character resCd: %s", rec.Body.Bytes())
			}
		case http.StatusBadRequest, http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType,
			http.StatusInternalServerError, http.StatusServiceUnavailable:
			if has {
				t.Fatalf("HTTP %d with a resCd: %s", rec.Code, rec.Body.Bytes())
			}
			if rec.Code >= 500 && rec.Header().Get(server.ScenarioHeader) == "" {
				t.Fatalf("HTTP %d not scripted by a scenario (a panic?): %s", rec.Code, rec.Body.Bytes())
			}
		default:
			t.Fatalf("unexpected HTTP %d: %s", rec.Code, rec.Body.Bytes())
		}
	})
}
