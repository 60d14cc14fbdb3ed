package record_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kicc-mock/kicc-mock/client"
	"github.com/kicc-mock/kicc-mock/clock"
	"github.com/kicc-mock/kicc-mock/kicc"
	"github.com/kicc-mock/kicc-mock/mocktest"
	"github.com/kicc-mock/kicc-mock/record"
	"github.com/kicc-mock/kicc-mock/scenarios"
	"github.com/kicc-mock/kicc-mock/server"
)

const (
	pg       = "25122722034810122119"
	cancelPg = "25122722044210122121"
	brokenPg = "25122722034810199999"
)

// upstreamScenarios make the upstream answer unlike a default mock: a 503
// for one payment, and a revise that echoes msgAuthValue back.
const upstreamScenarios = `version: 1
scenarios:
  - name: upstream-503
    endpoint: find-payment
    match: {pgCno: "` + brokenPg + `"}
    responses:
      - status: 503
        body: {message: "maintenance"}
  - name: upstream-echo-secret
    endpoint: revise
    match: {mallId: T0000001}
    responses:
      - body:
          resCd: "9999"
          msgAuthValue: "{{request.msgAuthValue}}"
          note: "saw {{request.msgAuthValue}}"
`

// startUpstream is a kicc-mock that answers cancels TS06 (not the default
// TS02), on a stopped clock so its dates do not move between calls.
func startUpstream(t *testing.T) *mocktest.Mock {
	t.Helper()
	up := mocktest.Start(t, mocktest.WithClock(clock.NewFake(time.Date(2026, 11, 25, 12, 0, 0, 0, kicc.KST))))
	require.NoError(t, up.Server.SetDefaultScenario(scenarios.FindCancel, "cancel-partial"))
	_, err := up.Server.AddScenarios("upstream.yaml", []byte(upstreamScenarios))
	require.NoError(t, err)
	return up
}

func startRecorder(t *testing.T, upstream, dir string) string {
	t.Helper()
	rec, err := record.New(record.Config{Upstream: upstream, Dir: dir})
	require.NoError(t, err)
	ts := httptest.NewServer(rec)
	t.Cleanup(ts.Close)
	return ts.URL
}

type answer struct {
	status int
	ctype  string
	body   []byte
}

func post(t *testing.T, url string, body map[string]any) answer {
	t.Helper()
	data, err := json.Marshal(body)
	require.NoError(t, err)
	resp, err := http.Post(url+kicc.PathFind, httpio, bytes.NewReader(data))
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return answer{resp.StatusCode, resp.Header.Get("Content-Type"), b}
}

const httpio = "application/json; charset=utf-8"

func findCancel(key string) map[string]any {
	return map[string]any{"mallId": "T0000001", "shopTransactionId": key, "pgCno": pg, "cancelPgCno": cancelPg}
}

func TestRecordThenReplayAnswersTheSame(t *testing.T) {
	up := startUpstream(t)
	dir := t.TempDir()
	proxy := startRecorder(t, up.URL, dir)

	key := client.NewTransactionID()
	recorded := post(t, proxy, findCancel(key))
	require.Equal(t, http.StatusOK, recorded.status, "%s", recorded.body)
	direct := post(t, up.URL, findCancel(client.NewTransactionID()))
	assert.JSONEq(t, strings.Replace(string(direct.body), direct.key(t), key, 1), string(recorded.body),
		"the caller gets the upstream's answer")
	assert.Contains(t, string(recorded.body), `"cancelStatus":"TS06"`)
	broken := post(t, proxy, map[string]any{"mallId": "T0000001", "shopTransactionId": client.NewTransactionID(), "pgCno": brokenPg})
	require.Equal(t, http.StatusServiceUnavailable, broken.status)

	files, err := scenarios.DirFiles(dir)
	require.NoError(t, err)
	require.Len(t, files, 2, "one file per scenario")
	_, err = scenarios.LoadPaths([]string{dir}, scenarios.Options{})
	require.NoError(t, err, "the recorded files load")

	replay := mocktest.Start(t, mocktest.WithConfig(func(c *server.Config) { c.ScenarioDir = dir }))
	again := post(t, replay.URL, findCancel(key))
	assert.Equal(t, recorded.status, again.status)
	assert.Equal(t, recorded.ctype, again.ctype)
	assert.JSONEq(t, string(recorded.body), string(again.body), "the replay answers as the upstream did")

	fresh := client.NewTransactionID()
	other := post(t, replay.URL, findCancel(fresh))
	assert.Contains(t, string(other.body), `"shopTransactionId":"`+fresh+`"`, "a replay echoes the replaying request's key")

	b := post(t, replay.URL, map[string]any{"mallId": "T0000001", "shopTransactionId": client.NewTransactionID(), "pgCno": brokenPg})
	assert.Equal(t, http.StatusServiceUnavailable, b.status)
	assert.JSONEq(t, string(broken.body), string(b.body))

	def := post(t, replay.URL, map[string]any{"mallId": "T0000001", "shopTransactionId": client.NewTransactionID(), "pgCno": pg, "cancelPgCno": "25122722044210100000"})
	assert.Contains(t, string(def.body), `"cancelStatus":"TS02"`, "other ids get the replaying mock's default")
}

func (a answer) key(t *testing.T) string {
	var m struct {
		Key string `json:"shopTransactionId"`
	}
	require.NoError(t, json.Unmarshal(a.body, &m))
	return m.Key
}

func TestRecordKeepsTheOrderOfAnswers(t *testing.T) {
	up := startUpstream(t)
	require.NoError(t, up.Server.SetDefaultScenario(scenarios.FindCancel, "cancel-pending-then-full"))
	dir := t.TempDir()
	proxy := startRecorder(t, up.URL, dir)
	var want []string
	for range 3 {
		a := post(t, proxy, findCancel(client.NewTransactionID()))
		want = append(want, status(t, a))
	}
	require.Equal(t, []string{"TS01", "TS01", "TS02"}, want)
	replay := mocktest.Start(t, mocktest.WithConfig(func(c *server.Config) { c.ScenarioDir = dir }))
	var got []string
	for range 4 {
		got = append(got, status(t, post(t, replay.URL, findCancel(client.NewTransactionID()))))
	}
	assert.Equal(t, []string{"TS01", "TS01", "TS02", "TS02"}, got, "in order, the last repeating")
}

func status(t *testing.T, a answer) string {
	var m struct {
		S string `json:"cancelStatus"`
	}
	require.NoError(t, json.Unmarshal(a.body, &m), "%s", a.body)
	return m.S
}

func TestRecordRedactsSecrets(t *testing.T) {
	up := startUpstream(t)
	dir := t.TempDir()
	proxy := startRecorder(t, up.URL, dir)
	const secretKey = "MERCHANT_SECRET_KEY_42"
	key := client.NewTransactionID()
	ctx := context.Background()
	created, err := up.Client.CreatePayment(ctx, client.CreatePaymentRequest{ShopOrderNo: "ORD-1", GoodsName: "Sample",
		ReturnURL: "http://127.0.0.1/return", NotifyURL: "http://127.0.0.1:9/notify", TradeType: kicc.TradeTypeNative, Amount: 1000})
	require.NoError(t, err)
	require.NoError(t, up.Admin.Pay(ctx, created.PgCno))
	c := client.New(proxy, "T0000001", client.WithSecretKey(secretKey), client.WithKeyFunc(func() string { return key }))
	_, err = c.CancelPayment(ctx, client.CancelPaymentRequest{PgCno: created.PgCno})
	var ke *client.Error
	require.ErrorAs(t, err, &ke)
	require.Equal(t, "9999", ke.ResCd, "the upstream's scripted answer")
	auth := kicc.MsgAuthValue(secretKey, created.PgCno, key)

	files, err := scenarios.DirFiles(dir)
	require.NoError(t, err)
	require.Len(t, files, 1)
	data, err := os.ReadFile(files[0])
	require.NoError(t, err)
	assert.NotContains(t, string(data), auth, "msgAuthValue never lands in a file")
	assert.NotContains(t, string(data), secretKey)
	assert.Contains(t, string(data), `msgAuthValue: "REDACTED"`)
	_, err = scenarios.LoadPaths([]string{dir}, scenarios.Options{})
	require.NoError(t, err)
}

func TestRecordRedactsASecretEchoedUnderAnotherName(t *testing.T) {
	const auth = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", httpio)
		_, _ = io.WriteString(w, `{"resCd":"9999","resMsg":"bad `+auth+`","debug":{"seen":["`+auth+`"],"secretKey":"k"}}`)
	}))
	t.Cleanup(up.Close)
	dir := t.TempDir()
	proxy := startRecorder(t, strings.Replace(up.URL, "http://", "http://merchant:hunter2@", 1), dir)
	resp, err := http.Post(proxy+kicc.PathRevise, httpio, strings.NewReader(
		`{"mallId":"T0000001","shopTransactionId":"K1","pgCno":"`+pg+`","reviseTypeCode":"40","msgAuthValue":"`+auth+`"}`))
	require.NoError(t, err)
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Contains(t, string(got), auth, "the caller gets the answer unchanged")
	files, err := scenarios.DirFiles(dir)
	require.NoError(t, err)
	require.Len(t, files, 1)
	data, err := os.ReadFile(files[0])
	require.NoError(t, err)
	assert.NotContains(t, string(data), auth)
	assert.Contains(t, string(data), `resMsg: "bad REDACTED"`)
	assert.Contains(t, string(data), `seen: ["REDACTED"]`)
	assert.Contains(t, string(data), `secretKey: "REDACTED"`)
	assert.NotContains(t, string(data), "hunter2", "the upstream's userinfo")
	assert.NotContains(t, string(data), "merchant:")
}

func TestRecordRefusesOtherPathsAndSurvivesADeadUpstream(t *testing.T) {
	dead := httptest.NewServer(http.NotFoundHandler())
	dead.Close()
	dir := t.TempDir()
	proxy := startRecorder(t, dead.URL, dir)
	a := post(t, proxy, findCancel(client.NewTransactionID()))
	assert.Equal(t, http.StatusBadGateway, a.status)
	assert.Equal(t, httpio, a.ctype)
	assert.Contains(t, string(a.body), `"message":"record: upstream`)

	resp, err := http.Post(proxy+"/nope", httpio, strings.NewReader(`{}`))
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Empty(t, entries, "nothing recorded")
}

func TestRecordWritesDelayAndNotes(t *testing.T) {
	fake := clock.NewFake(time.Date(2026, 11, 25, 12, 0, 0, 0, kicc.KST))
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fake.Advance(1234 * time.Millisecond) // the upstream "takes" 1.234 s of the recorder's clock
		w.Header().Set("Content-Type", "text/plain")
		_, _ = io.WriteString(w, `{"resCd":"0000","resMsg":"ok {{x}}","extra":[1,true,null]}`)
	}))
	t.Cleanup(up.Close)
	dir := t.TempDir()
	rec, err := record.New(record.Config{Upstream: up.URL, Dir: dir, Clock: fake, Round: 100 * time.Millisecond})
	require.NoError(t, err)
	ts := httptest.NewServer(rec)
	t.Cleanup(ts.Close)
	post(t, ts.URL, map[string]any{"mallId": "T0000001", "shopTransactionId": "K", "pgCno": pg})
	require.Len(t, rec.Files(), 1)
	data, err := os.ReadFile(rec.Files()[0])
	require.NoError(t, err)
	s := string(data)
	assert.Contains(t, s, "delay: 1.2s")
	assert.Contains(t, s, `the upstream sent Content-Type "text/plain"`)
	assert.Contains(t, s, `resMsg: "ok { {x}}"`)
	assert.Contains(t, s, "statusCd: null", "a field of the mock's answer the upstream did not send")
	assert.Equal(t, filepath.Dir(rec.Files()[0]), dir)
	_, err = scenarios.LoadPaths([]string{dir}, scenarios.Options{})
	require.NoError(t, err)
}

func TestRecordCreateThenReplay(t *testing.T) {
	up := startUpstream(t)
	dir := t.TempDir()
	proxy := startRecorder(t, up.URL, dir)
	req := client.CreatePaymentRequest{ShopOrderNo: "ORD-REC-1", GoodsName: "Sample", ReturnURL: "http://127.0.0.1/return",
		NotifyURL: "http://127.0.0.1:9/notify", TradeType: kicc.TradeTypeNative, Amount: 1000}
	ctx := context.Background()
	recorded, err := client.New(proxy, "T0000001").CreatePayment(ctx, req)
	require.NoError(t, err)

	replay := mocktest.Start(t, mocktest.WithConfig(func(c *server.Config) { c.ScenarioDir = dir }))
	again, err := replay.Client.CreatePayment(ctx, req)
	require.NoError(t, err)
	assert.Equal(t, recorded.PgCno, again.PgCno, "the upstream's pgCno")
	assert.Equal(t, recorded.PaymentPageURL, again.PaymentPageURL)
	data, err := os.ReadFile(filepath.Join(dir, mustOne(t, dir)))
	require.NoError(t, err)
	t.Logf("\n%s", data)
}

func mustOne(t *testing.T, dir string) string {
	t.Helper()
	files, err := scenarios.DirFiles(dir)
	require.NoError(t, err)
	require.Len(t, files, 1)
	return filepath.Base(files[0])
}

func TestRecordDecompressesAndNotesQuotedAmounts(t *testing.T) {
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", httpio)
		body := `{"resCd":"0000","resMsg":"ok","amountInfo":{"currency":"KRW","amount":"1000"}}`
		if !strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
			_, _ = io.WriteString(w, body)
			return
		}
		w.Header().Set("Content-Encoding", "gzip")
		gz := gzip.NewWriter(w)
		_, _ = io.WriteString(gz, body)
		_ = gz.Close()
	}))
	t.Cleanup(up.Close)
	dir := t.TempDir()
	proxy := startRecorder(t, up.URL, dir)
	req, err := http.NewRequest(http.MethodPost, proxy+kicc.PathFind, strings.NewReader(`{"mallId":"T0000001","shopTransactionId":"K","pgCno":"`+pg+`"}`))
	require.NoError(t, err)
	req.Header.Set("Content-Type", httpio)
	req.Header.Set("Accept-Encoding", "gzip") // asked for by the caller: the proxy must still read the answer
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	data, err := os.ReadFile(filepath.Join(dir, mustOne(t, dir)))
	require.NoError(t, err)
	assert.Contains(t, string(data), `currency: "KRW"`, "the JSON body, not fault: malformed")
	assert.Contains(t, string(data), "# amountInfo.amount was a JSON string")
}

func TestRecordRedactsCredentialsOfTheHeadersAndTheUpstreamURL(t *testing.T) {
	// An upstream that echoes what it was sent, as an error page or a debug
	// field may: the caller's headers and the Basic credential net/http
	// makes of the upstream URL's userinfo.
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", httpio)
		_ = json.NewEncoder(w).Encode(map[string]any{"resCd": "9999",
			"resMsg":  "unauthorized: " + r.Header.Get("Authorization") + " / " + r.Header.Get("Proxy-Authorization"),
			"headers": r.Header, "cookie": "seen " + r.Header.Get("Cookie")})
	}))
	t.Cleanup(up.Close)
	for _, tc := range []struct {
		name     string
		upstream string
		headers  map[string]string
		secrets  []string
	}{
		{"userinfo", strings.Replace(up.URL, "http://", "http://merchant:hunter2@", 1), nil,
			[]string{"bWVyY2hhbnQ6aHVudGVyMg==", "hunter2"}}, // base64("merchant:hunter2")
		{"headers", up.URL, map[string]string{"Authorization": "Bearer tok_live_123", "X-Api-Key": "sk_live_XYZ",
			"Cookie": "session=c00k1e", "Proxy-Authorization": "Basic cHJveHk6cHc="},
			[]string{"tok_live_123", "sk_live_XYZ", "c00k1e", "cHJveHk6cHc="}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			proxy := startRecorder(t, tc.upstream, dir)
			req, err := http.NewRequest(http.MethodPost, proxy+kicc.PathFind, strings.NewReader(
				`{"mallId":"T0000001","shopTransactionId":"K1","pgCno":"`+pg+`"}`))
			require.NoError(t, err)
			req.Header.Set("Content-Type", httpio)
			for k, v := range tc.headers {
				req.Header.Set(k, v)
			}
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			got, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			assert.Contains(t, string(got), tc.secrets[0], "the caller gets the answer unchanged")
			files, err := scenarios.DirFiles(dir)
			require.NoError(t, err)
			require.Len(t, files, 1)
			data, err := os.ReadFile(files[0])
			require.NoError(t, err)
			for _, s := range tc.secrets {
				assert.NotContains(t, string(data), s)
			}
			assert.Contains(t, string(data), "REDACTED")
			_, err = scenarios.LoadPaths([]string{dir}, scenarios.Options{})
			require.NoError(t, err)
		})
	}
}

func TestRecordBoundsTheUpstreamsAnswer(t *testing.T) {
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", httpio)
		_, _ = io.WriteString(w, `{"resCd":"0000","resMsg":"`+strings.Repeat("x", 2<<20)+`"}`)
	}))
	t.Cleanup(up.Close)
	dir := t.TempDir()
	proxy := startRecorder(t, up.URL, dir)
	a := post(t, proxy, findCancel(client.NewTransactionID()))
	assert.Equal(t, http.StatusBadGateway, a.status)
	assert.Contains(t, string(a.body), "record: reading the upstream's answer: the answer is larger than 1048576 bytes")
	assert.NotContains(t, string(a.body), "request body", "it is the upstream's answer that is too large")
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Empty(t, entries)
}

func TestRecordRedactsASecretEchoedInAnotherCase(t *testing.T) {
	const auth = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", httpio)
		_, _ = io.WriteString(w, `{"resCd":"1040","resMsg":"msgAuthValue `+strings.ToUpper(auth)+` does not match"}`)
	}))
	t.Cleanup(up.Close)
	dir := t.TempDir()
	proxy := startRecorder(t, up.URL, dir)
	resp, err := http.Post(proxy+kicc.PathRevise, httpio, strings.NewReader(
		`{"mallId":"T0000001","shopTransactionId":"K1","pgCno":"`+pg+`","reviseTypeCode":"40","msgAuthValue":"`+auth+`"}`))
	require.NoError(t, err)
	resp.Body.Close()
	data, err := os.ReadFile(filepath.Join(dir, mustOne(t, dir)))
	require.NoError(t, err)
	assert.NotContains(t, strings.ToLower(string(data)), auth)
	assert.Contains(t, string(data), `resMsg: "msgAuthValue REDACTED does not match"`)
}

func TestRecordOnlyRecordsPOSTs(t *testing.T) {
	testRecordSkips(t, http.MethodGet, httpio, http.StatusMethodNotAllowed)
}

func TestRecordSkipsARequestWithAnotherContentType(t *testing.T) {
	testRecordSkips(t, http.MethodPost, "text/plain", http.StatusUnsupportedMediaType)
}

// testRecordSkips sends a find with the ids that the upstream refuses for
// its method or content type, which must not become the answer replayed
// for well-formed calls with those ids.
func testRecordSkips(t *testing.T, method, ctype string, status int) {
	up := startUpstream(t)
	dir := t.TempDir()
	proxy := startRecorder(t, up.URL, dir)
	req, err := http.NewRequest(method, proxy+kicc.PathFind, strings.NewReader(
		`{"mallId":"T0000001","shopTransactionId":"G1","pgCno":"`+pg+`"}`))
	require.NoError(t, err)
	req.Header.Set("Content-Type", ctype)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, status, resp.StatusCode, "forwarded, the upstream's answer")
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Empty(t, entries, "not recorded")
}
