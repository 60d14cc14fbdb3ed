package server

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kicc-mock/kicc-mock/clock"
	"github.com/kicc-mock/kicc-mock/kicc"
)

var testNow = time.Date(2026, 11, 25, 12, 30, 15, 0, kicc.KST)

func newTestServer(t testing.TB, edit ...func(*Config)) (*Server, *clock.Fake) {
	t.Helper()
	fake := clock.NewFake(testNow)
	cfg := Config{Version: "test", Clock: fake}
	for _, e := range edit {
		e(&cfg)
	}
	s, err := New(cfg)
	require.NoError(t, err)
	return s, fake
}

type answer struct {
	status int
	ctype  string
	body   map[string]any
	raw    string
}

func send(t testing.TB, h http.Handler, method, path, ctype, body string) answer {
	t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	a := answer{status: rec.Code, ctype: rec.Header().Get("Content-Type"), raw: rec.Body.String()}
	_ = json.Unmarshal(rec.Body.Bytes(), &a.body)
	return a
}

func find(t testing.TB, h http.Handler, body string) answer {
	t.Helper()
	return send(t, h, http.MethodPost, kicc.PathFind, ContentTypeJSON, body)
}

const validCancel = `{"mallId":"T0000001","shopTransactionId":"%s","pgCno":"25010112000010123456","cancelPgCno":"25010112300010123470"}`

func cancelBody(key string) string { return strings.Replace(validCancel, "%s", key, 1) }

func TestFindCancellationDefaultAnswer(t *testing.T) {
	s, _ := newTestServer(t)
	a := find(t, s, cancelBody("k1"))
	require.Equal(t, http.StatusOK, a.status, a.raw)
	assert.Equal(t, "application/json; charset=utf-8", a.ctype)
	assert.Equal(t, "0000", a.body["resCd"])
	assert.Equal(t, "정상처리", a.body["resMsg"])
	assert.Equal(t, "k1", a.body["shopTransactionId"])
	assert.Equal(t, "T0000001", a.body["mallId"])
	assert.Equal(t, "25010112000010123456", a.body["pgCno"])
	assert.Equal(t, "25010112300010123470", a.body["cancelPgCno"])
	assert.Equal(t, "20261125123015", a.body["transactionDate"], "the clock's time in KST")
	assert.Equal(t, "TS02", a.body["cancelStatus"])
	amount := a.body["amountInfo"].(map[string]any)
	assert.Equal(t, "KRW", amount["currency"])
	assert.IsType(t, float64(0), amount["totAmount"], "a JSON number")
	assert.NotContains(t, a.body, "statusCd")
	assert.NotContains(t, a.body, "resDetailMsg")
	assert.True(t, strings.HasPrefix(a.raw, `{"resCd":"0000","resMsg":`), "KICC's field order: %s", a.raw)
}

func TestFindPaymentDefaultAnswer(t *testing.T) {
	s, _ := newTestServer(t)
	a := find(t, s, `{"mallId":"T0000001","shopTransactionId":"k1","pgCno":"25010112000010123456","cancelPgCno":null}`)
	require.Equal(t, http.StatusOK, a.status, a.raw)
	assert.Equal(t, "0000", a.body["resCd"])
	assert.Equal(t, "TS01", a.body["statusCd"])
	assert.Equal(t, "20261125123015", a.body["approvalDate"])
	assert.Regexp(t, `^ORD-\d{8}$`, a.body["shopOrderNo"])
	assert.NotContains(t, a.body, "cancelStatus")
	assert.NotContains(t, a.body, "cancelPgCno")
	amount := a.body["amountInfo"].(map[string]any)
	assert.IsType(t, float64(0), amount["amount"])

	again := find(t, s, `{"mallId":"T0000001","shopTransactionId":"k2","pgCno":"25010112000010123456"}`)
	assert.Equal(t, a.body["amountInfo"], again.body["amountInfo"], "the amount is seeded by pgCno")
	assert.Equal(t, a.body["shopOrderNo"], again.body["shopOrderNo"])
}

// TestBadInputs is the table of hostile and broken requests: each gets a
// KICC-shaped or JSON answer, never a panic, a hang or HTML.
func TestBadInputs(t *testing.T) {
	s, _ := newTestServer(t)
	long := strings.Repeat("k", 61)
	hangul := strings.Repeat("가", 21)
	cases := []struct {
		name   string
		method string
		path   string
		ctype  string
		body   string
		status int
		resCd  string
		field  string
	}{
		{"missing mallId", "POST", kicc.PathFind, ContentTypeJSON, `{"shopTransactionId":"a","pgCno":"1"}`, 200, "1001", "mallId"},
		{"missing shopTransactionId", "POST", kicc.PathFind, ContentTypeJSON, `{"mallId":"T0000001","pgCno":"1"}`, 200, "1001", "shopTransactionId"},
		{"missing pgCno", "POST", kicc.PathFind, ContentTypeJSON, `{"mallId":"T0000001","shopTransactionId":"b"}`, 200, "1001", "pgCno"},
		{"empty pgCno", "POST", kicc.PathFind, ContentTypeJSON, `{"mallId":"T0000001","shopTransactionId":"b","pgCno":""}`, 200, "1001", "pgCno"},
		{"null mallId", "POST", kicc.PathFind, ContentTypeJSON, `{"mallId":null,"shopTransactionId":"b","pgCno":"1"}`, 200, "1001", "mallId"},
		{"61-byte key", "POST", kicc.PathFind, ContentTypeJSON, `{"mallId":"T0000001","shopTransactionId":"` + long + `","pgCno":"1"}`, 200, "1002", "shopTransactionId"},
		{"21 Hangul syllables in a 60-byte field", "POST", kicc.PathFind, ContentTypeJSON, `{"mallId":"T0000001","shopTransactionId":"` + hangul + `","pgCno":"1"}`, 200, "1002", "shopTransactionId"},
		{"number instead of string", "POST", kicc.PathFind, ContentTypeJSON, `{"mallId":"T0000001","shopTransactionId":"c","pgCno":25010112000010123456}`, 200, "1003", "pgCno"},
		{"forbidden character", "POST", kicc.PathFind, ContentTypeJSON, `{"mallId":"T0000001","shopTransactionId":"a<b","pgCno":"1"}`, 200, "1003", "shopTransactionId"},
		{"malformed JSON", "POST", kicc.PathFind, ContentTypeJSON, `{"mallId":"T0000001",`, 400, "", ""},
		{"empty body", "POST", kicc.PathFind, ContentTypeJSON, ``, 400, "", ""},
		{"JSON array", "POST", kicc.PathFind, ContentTypeJSON, `[{"mallId":"T0000001"}]`, 400, "", ""},
		{"no content type", "POST", kicc.PathFind, "", cancelBody("d"), 415, "", ""},
		{"text/plain", "POST", kicc.PathFind, "text/plain", cancelBody("d"), 415, "", ""},
		{"euc-kr charset", "POST", kicc.PathFind, "application/json; charset=euc-kr", cancelBody("d"), 415, "", ""},
		{"10 MiB body", "POST", kicc.PathFind, ContentTypeJSON, `{"mallId":"` + strings.Repeat("a", 10<<20) + `"}`, 413, "", ""},
		{"GET", "GET", kicc.PathFind, "", ``, 405, "", ""},
		{"unknown path", "POST", "/api/trades/wechatpay/unknown", ContentTypeJSON, `{}`, 404, "", ""},
		{"admin unknown path", "GET", "/__admin/nothing", "", ``, 404, "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := send(t, s, tc.method, tc.path, tc.ctype, tc.body)
			assert.Equal(t, tc.status, a.status, a.raw)
			assert.Equal(t, ContentTypeJSON, a.ctype)
			require.NotNil(t, a.body, "a JSON object: %s", a.raw)
			if tc.resCd != "" {
				assert.Equal(t, tc.resCd, a.body["resCd"])
				assert.Contains(t, a.body["resMsg"], "("+tc.field+")", "resMsg names the field")
				assert.NotContains(t, a.body, "cancelStatus", "errors carry no status fields")
				assert.NotContains(t, a.body, "statusCd")
				return
			}
			assert.NotContains(t, a.body, "resCd", "KICC sends resCd only with HTTP 200")
			assert.NotEmpty(t, a.body["message"])
			assert.EqualValues(t, tc.status, a.body["status"])
		})
	}
	// The server kept serving and lost nothing.
	assert.Equal(t, "0000", find(t, s, cancelBody("after")).body["resCd"])
}

func TestFieldErrorEchoesTheKey(t *testing.T) {
	s, _ := newTestServer(t)
	a := find(t, s, `{"mallId":"T0000001","shopTransactionId":"echo-me","pgCno":""}`)
	assert.Equal(t, "echo-me", a.body["shopTransactionId"])
	assert.Equal(t, "필수 항목 누락 (pgCno)", a.body["resMsg"])
}

func TestRejectedRequestsDoNotUseTheirKey(t *testing.T) {
	s, _ := newTestServer(t)
	a := find(t, s, `{"mallId":"T0000001","shopTransactionId":"k","pgCno":""}`)
	require.Equal(t, "1001", a.body["resCd"])
	assert.Equal(t, "0000", find(t, s, cancelBody("k")).body["resCd"], "the key is still free")
}

func TestMallAllowList(t *testing.T) {
	s, _ := newTestServer(t, func(c *Config) { c.MallIDs = []string{"T0000001"} })
	assert.Equal(t, "0000", find(t, s, cancelBody("a")).body["resCd"])
	a := find(t, s, strings.Replace(cancelBody("b"), "T0000001", "T0000009", 1))
	assert.Equal(t, "1030", a.body["resCd"])
	assert.Equal(t, "상점 정보 오류 (mallId)", a.body["resMsg"])
}

func TestPanicsBecomeJSON500AndTheServerKeepsServing(t *testing.T) {
	s, _ := newTestServer(t)
	s.echo.GET("/__test/panic", func(echo.Context) error { panic("boom") })
	a := send(t, s, "GET", "/__test/panic", "", "")
	assert.Equal(t, http.StatusInternalServerError, a.status)
	assert.Equal(t, ContentTypeJSON, a.ctype)
	assert.Contains(t, a.body["message"], "internal error")
	assert.Equal(t, "0000", find(t, s, cancelBody("after-panic")).body["resCd"])
}

func TestRequestIDHeader(t *testing.T) {
	s, _ := newTestServer(t)
	req := httptest.NewRequest("GET", "/__admin/health", nil)
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	assert.NotEmpty(t, rec.Header().Get(RequestIDHeader))
	req.Header.Set(RequestIDHeader, "mine-1")
	rec = httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	assert.Equal(t, "mine-1", rec.Header().Get(RequestIDHeader), "a caller's id is kept")
}

func TestIdempotencyModes(t *testing.T) {
	t.Run("kicc: a reused key is a duplicate, not a replay", func(t *testing.T) {
		s, _ := newTestServer(t)
		require.Equal(t, "0000", find(t, s, cancelBody("k")).body["resCd"])
		a := find(t, s, cancelBody("k"))
		assert.Equal(t, "1010", a.body["resCd"])
		assert.Equal(t, "중복 요청 (shopTransactionId)", a.body["resMsg"])
		assert.Equal(t, "k", a.body["shopTransactionId"])
		other := strings.Replace(cancelBody("k"), "T0000001", "T0000002", 1)
		assert.Equal(t, "0000", find(t, s, other).body["resCd"], "keys are per mallId")
	})
	t.Run("replay: same body answers the first response byte for byte", func(t *testing.T) {
		s, fake := newTestServer(t, func(c *Config) { c.Idempotency = IdempotencyReplay })
		first := find(t, s, cancelBody("k"))
		fake.Advance(time.Minute)
		again := find(t, s, cancelBody("k"))
		assert.Equal(t, first.raw, again.raw)
		reformatted := find(t, s, strings.ReplaceAll(cancelBody("k"), ",", ", "))
		assert.Equal(t, first.raw, reformatted.raw, "the same request encoded differently")
		changed := find(t, s, strings.Replace(cancelBody("k"), "23470", "23471", 1))
		assert.Equal(t, "1010", changed.body["resCd"], "same key, different body")
	})
	t.Run("off: every key is accepted", func(t *testing.T) {
		s, _ := newTestServer(t, func(c *Config) { c.Idempotency = IdempotencyOff })
		assert.Equal(t, "0000", find(t, s, cancelBody("k")).body["resCd"])
		assert.Equal(t, "0000", find(t, s, cancelBody("k")).body["resCd"])
	})
	t.Run("unknown mode is refused", func(t *testing.T) {
		_, err := New(Config{Idempotency: "stripe"})
		assert.ErrorContains(t, err, "stripe")
	})
	t.Run("a full ledger answers 9999", func(t *testing.T) {
		s, _ := newTestServer(t, func(c *Config) { c.MaxKeys = 1 })
		require.Equal(t, "0000", find(t, s, cancelBody("a")).body["resCd"])
		a := find(t, s, cancelBody("b"))
		assert.Equal(t, "9999", a.body["resCd"])
		assert.Contains(t, a.body["resMsg"], "ledger full")
	})
}

// TestOneKeyThousandGoroutines: 1,000 concurrent requests with one key get
// exactly one 0000; the rest 1010 with the key echoed.
func TestOneKeyThousandGoroutines(t *testing.T) {
	s, _ := newTestServer(t)
	var ok, dup atomic.Int32
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := 0; i < 1000; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			a := find(t, s, cancelBody("one-key"))
			switch a.body["resCd"] {
			case "0000":
				ok.Add(1)
			case "1010":
				if a.body["shopTransactionId"] == "one-key" {
					dup.Add(1)
				}
			}
		}()
	}
	close(start)
	wg.Wait()
	assert.Equal(t, int32(1), ok.Load())
	assert.Equal(t, int32(999), dup.Load())
}

func TestKeyUsedAt235959IsFreeAtMidnight(t *testing.T) {
	s, fake := newTestServer(t)
	fake.Set(time.Date(2026, 11, 25, 23, 59, 59, 0, kicc.KST))
	require.Equal(t, "0000", find(t, s, cancelBody("late")).body["resCd"])
	fake.Advance(500 * time.Millisecond)
	assert.Equal(t, "1010", find(t, s, cancelBody("late")).body["resCd"], "23:59:59.5")
	fake.Set(time.Date(2026, 11, 26, 0, 0, 0, 0, kicc.KST))
	a := find(t, s, cancelBody("late"))
	assert.Equal(t, "0000", a.body["resCd"], "00:00:00")
	assert.Equal(t, "20261126000000", a.body["transactionDate"])
}

func TestAdminClock(t *testing.T) {
	s, _ := newTestServer(t)
	a := send(t, s, "PUT", "/__admin/clock", "application/json", `{"now":"2026-11-25T23:59:59+09:00"}`)
	require.Equal(t, http.StatusOK, a.status, a.raw)
	assert.Equal(t, "20261125235959", a.body["kst"])
	assert.Equal(t, true, a.body["adjusted"])
	a = send(t, s, "PUT", "/__admin/clock", "application/json", `{"advance":"90m"}`)
	assert.Equal(t, "20261126012959", a.body["kst"])
	a = send(t, s, "GET", "/__admin/clock", "", "")
	assert.Equal(t, "20261126012959", a.body["kst"])
	a = send(t, s, "DELETE", "/__admin/clock", "", "")
	assert.Equal(t, "20261125123015", a.body["kst"], "back to the base clock")
	assert.Equal(t, false, a.body["adjusted"])

	for _, bad := range []string{`{"now":"tomorrow"}`, `{"advance":"soon"}`, `{}`, `{"now":"2026-11-25T00:00:00Z","advance":"1h"}`, `{"later":1}`, `[`} {
		a = send(t, s, "PUT", "/__admin/clock", "application/json", bad)
		assert.Equal(t, http.StatusBadRequest, a.status, bad)
		assert.NotEmpty(t, a.body["message"], bad)
	}
}
