package main

// Contract tests: the client in client/ against the mock, holding both to the
// KICC contract in kicc/ and fixtures/.
//
//	go test -run TestContract .                                  in-process mock
//	KICC_MOCK_URL=http://127.0.0.1:8080 go test -run TestContract .   a running mock or container
//	KICC_SANDBOX_URL=https://testpgapi.easypay.co.kr KICC_MALL_ID=T0000000 \
//	  go test -run TestContractSandbox .                         read-only checks against KICC

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kicc-mock/kicc-mock/client"
	"github.com/kicc-mock/kicc-mock/clock"
	"github.com/kicc-mock/kicc-mock/kicc"
	"github.com/kicc-mock/kicc-mock/mocktest"
	"github.com/kicc-mock/kicc-mock/server"
)

const contractMall = "T0000001"

// mockURL is the mock under test: KICC_MOCK_URL when set (a running
// instance, e.g. the container), else a fresh in-process mock.
func mockURL(t *testing.T) string {
	t.Helper()
	if u := os.Getenv("KICC_MOCK_URL"); u != "" {
		return strings.TrimRight(u, "/")
	}
	return mocktest.Start(t).URL
}

func contractClient(t *testing.T) (*client.Client, string) {
	u := mockURL(t)
	return client.New(u, contractMall), u
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

var (
	dateTimeRE = regexp.MustCompile(`^\d{14}$`)
	idRE       = regexp.MustCompile(`^\d{20}$`)
)

func TestContractFindCancellationAnswersEveryDocumentedField(t *testing.T) {
	c, _ := contractClient(t)
	req := client.FindCancellationRequest{PgCno: "25122722034810122119", CancelPgCno: "25122722044210122121"}
	st, err := c.FindCancellation(ctx(t), req)
	require.NoError(t, err)

	assert.Equal(t, kicc.ResOK, st.ResCd)
	assert.NotEmpty(t, st.ResMsg)
	assert.Len(t, st.ShopTransactionID, 32, "the client's fresh key is echoed")
	assert.Equal(t, contractMall, st.MallID)
	assert.Equal(t, req.PgCno, st.PgCno)
	assert.Equal(t, req.CancelPgCno, st.CancelPgCno)
	assert.Regexp(t, dateTimeRE, st.TransactionDate)
	_, err = st.Time()
	assert.NoError(t, err, "transactionDate is yyyyMMddHHmmss")
	assert.True(t, st.CancelStatus.Known(), "cancelStatus %q is a WeChat status", st.CancelStatus)
	require.NotNil(t, st.AmountInfo)
	assert.Contains(t, []string{kicc.CurrencyKRW, kicc.CurrencyUSD}, st.AmountInfo.Currency)
	assert.Positive(t, st.AmountInfo.TotAmount)
	assert.Empty(t, st.ResDetailMsg, "no WeChat detail on success")
}

func TestContractFindPaymentAnswersEveryDocumentedField(t *testing.T) {
	c, _ := contractClient(t)
	st, err := c.FindPayment(ctx(t), client.FindPaymentRequest{PgCno: "23110811420910846419"})
	require.NoError(t, err)

	assert.Equal(t, kicc.ResOK, st.ResCd)
	assert.NotEmpty(t, st.ResMsg)
	assert.Equal(t, contractMall, st.MallID)
	assert.Equal(t, "23110811420910846419", st.PgCno)
	assert.NotEmpty(t, st.ShopOrderNo)
	assert.LessOrEqual(t, len(st.ShopOrderNo), 40)
	assert.Regexp(t, dateTimeRE, st.ApprovalDate)
	assert.Equal(t, kicc.StatusApproved, st.StatusCd)
	require.NotNil(t, st.AmountInfo)
	assert.Positive(t, st.AmountInfo.Amount)
}

func TestContractRepeatedInquiriesAgreeOnAmounts(t *testing.T) {
	c, _ := contractClient(t)
	pay, err := c.FindPayment(ctx(t), client.FindPaymentRequest{PgCno: "24090309595910880703"})
	require.NoError(t, err)
	again, err := c.FindPayment(ctx(t), client.FindPaymentRequest{PgCno: "24090309595910880703"})
	require.NoError(t, err)
	assert.Equal(t, pay.AmountInfo.Amount, again.AmountInfo.Amount)
	assert.Equal(t, pay.ShopOrderNo, again.ShopOrderNo)

	cancel, err := c.FindCancellation(ctx(t), client.FindCancellationRequest{PgCno: "24090309595910880703", CancelPgCno: "24090910510410920373"})
	require.NoError(t, err)
	if cancel.CancelStatus == kicc.StatusCancelled {
		assert.Equal(t, pay.AmountInfo.Amount, cancel.AmountInfo.TotAmount, "a full cancel cancels the paid amount")
	}
}

// TestContractAnswersMatchFixtures sends the spec's example requests and
// compares the answers with the spec's example answers key by key: same
// fields, same JSON types, within KICC's byte lengths, dates and codes in
// KICC's formats.
func TestContractAnswersMatchFixtures(t *testing.T) {
	u := mockURL(t)
	for _, name := range []string{"find-cancel", "find-payment"} {
		t.Run(name, func(t *testing.T) {
			reqBody := readFixture(t, name+"/request.json")
			want := readFixture(t, name+"/response.json")
			strictDecode(t, name, want)

			var req map[string]any
			require.NoError(t, json.Unmarshal(reqBody, &req))
			req["shopTransactionId"] = client.NewTransactionID()
			body, _ := json.Marshal(req)
			status, ctype, got := post(t, u+kicc.PathFind, body)
			require.Equal(t, http.StatusOK, status, "%s", got)
			assert.Equal(t, "application/json; charset=utf-8", ctype)
			strictDecode(t, name, got)

			var wantMap, gotMap map[string]any
			require.NoError(t, json.Unmarshal(want, &wantMap))
			require.NoError(t, json.Unmarshal(got, &gotMap))
			assertSameShape(t, "", wantMap, gotMap)
			assert.Equal(t, req["shopTransactionId"], gotMap["shopTransactionId"])
		})
	}
}

// strictDecode decodes a find answer with the kicc types, refusing unknown
// fields, so the types cover every field of the fixture and of the mock.
func strictDecode(t *testing.T, name string, data []byte) {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var err error
	if name == "find-cancel" {
		err = dec.Decode(new(kicc.CancelStatusResponse))
	} else {
		err = dec.Decode(new(kicc.PaymentStatusResponse))
	}
	require.NoError(t, err, "%s", data)
}

func assertSameShape(t *testing.T, prefix string, want, got map[string]any) {
	t.Helper()
	for k, wv := range want {
		gv, ok := got[k]
		if !assert.True(t, ok, "answer lacks %s%s", prefix, k) {
			continue
		}
		switch wv := wv.(type) {
		case map[string]any:
			gm, ok := gv.(map[string]any)
			if assert.True(t, ok, "%s%s is an object", prefix, k) {
				assertSameShape(t, prefix+k+".", wv, gm)
			}
		case string:
			gs, ok := gv.(string)
			if !assert.True(t, ok, "%s%s is a string, got %T", prefix, k, gv) {
				continue
			}
			if rule, ok := kicc.ResponseRules[k]; ok {
				assert.LessOrEqual(t, len(gs), rule.MaxBytes, "%s%s within %d bytes", prefix, k, rule.MaxBytes)
			}
			switch k {
			case "transactionDate", "approvalDate":
				assert.Regexp(t, dateTimeRE, gs)
			case "pgCno", "cancelPgCno":
				assert.Regexp(t, idRE, gs)
			case "cancelStatus", "statusCd":
				assert.True(t, kicc.Status(gs).Known(), "%s %q", k, gs)
			case "resCd":
				assert.Len(t, gs, 4)
			}
		case float64:
			_, ok := gv.(float64)
			assert.True(t, ok, "%s%s is a JSON number, got %T", prefix, k, gv)
		}
	}
	for k := range got {
		_, ok := want[k]
		assert.True(t, ok, "answer has %s%s, which the spec's example lacks", prefix, k)
	}
}

func TestContractInvalidRequestsGetKICCErrors(t *testing.T) {
	c, _ := contractClient(t)
	_, err := c.FindPayment(ctx(t), client.FindPaymentRequest{PgCno: ""})
	var ke *client.Error
	require.ErrorAs(t, err, &ke)
	assert.Equal(t, kicc.ResMissing, ke.ResCd)
	assert.Contains(t, ke.ResMsg, "pgCno")
	assert.ErrorIs(t, err, client.ErrInvalid)

	_, err = c.FindCancellation(ctx(t), client.FindCancellationRequest{PgCno: strings.Repeat("1", 61), CancelPgCno: "25122722044210122121"})
	require.ErrorAs(t, err, &ke)
	assert.Equal(t, kicc.ResTooLong, ke.ResCd)

	_, err = c.FindPayment(ctx(t), client.FindPaymentRequest{PgCno: "2512272203481012211;"})
	require.ErrorAs(t, err, &ke)
	assert.Equal(t, kicc.ResFormat, ke.ResCd)
}

func TestContractReusedKeyIsDuplicate(t *testing.T) {
	c, _ := contractClient(t)
	key := client.NewTransactionID()
	_, err := c.FindPayment(ctx(t), client.FindPaymentRequest{PgCno: "23110811420910846419", ShopTransactionID: key})
	require.NoError(t, err)
	_, err = c.FindPayment(ctx(t), client.FindPaymentRequest{PgCno: "23110811420910846419", ShopTransactionID: key})
	assert.ErrorIs(t, err, client.ErrDuplicate)
	var ke *client.Error
	require.ErrorAs(t, err, &ke)
	assert.Equal(t, kicc.ResDuplicate, ke.ResCd)

	// The documented way out for a read-only inquiry: a fresh key.
	_, err = c.FindPayment(ctx(t), client.FindPaymentRequest{PgCno: "23110811420910846419"})
	assert.NoError(t, err)
}

// TestContractKeyExpiresAtKSTMidnight moves the mock's clock through its
// admin API, so it runs against a container as well as in-process.
func TestContractKeyExpiresAtKSTMidnight(t *testing.T) {
	c, u := contractClient(t)
	setClock := func(rfc3339 string) {
		t.Helper()
		status, _, body := do(t, http.MethodPut, u+"/__admin/clock", []byte(`{"now":"`+rfc3339+`"}`))
		require.Equal(t, http.StatusOK, status, "%s", body)
	}
	t.Cleanup(func() { do(t, http.MethodDelete, u+"/__admin/clock", nil) })

	key := client.NewTransactionID()
	find := func() error {
		_, err := c.FindPayment(ctx(t), client.FindPaymentRequest{PgCno: "23110811420910846419", ShopTransactionID: key})
		return err
	}
	setClock("2026-11-25T23:59:59+09:00")
	require.NoError(t, find(), "first use at 23:59:59 KST")
	setClock("2026-11-25T23:59:59.5+09:00")
	assert.ErrorIs(t, find(), client.ErrDuplicate, "reuse at 23:59:59.5 KST")
	setClock("2026-11-26T00:00:00+09:00")
	assert.NoError(t, find(), "reuse after midnight KST is a new day")
	assert.ErrorIs(t, find(), client.ErrDuplicate, "and is recorded for the new day")
}

func TestContractHTTPErrorsAreJSON(t *testing.T) {
	u := mockURL(t)
	cases := []struct {
		name   string
		method string
		path   string
		ctype  string
		body   string
		status int
	}{
		{"malformed JSON", http.MethodPost, kicc.PathFind, "application/json", `{"mallId":`, 400},
		{"empty body", http.MethodPost, kicc.PathFind, "application/json", ``, 400},
		{"JSON array", http.MethodPost, kicc.PathFind, "application/json", `[]`, 400},
		{"form content type", http.MethodPost, kicc.PathFind, "application/x-www-form-urlencoded", `a=b`, 415},
		{"wrong method", http.MethodGet, kicc.PathFind, "", ``, 405},
		{"unknown path", http.MethodPost, "/api/trades/wechatpay/nope", "application/json", `{}`, 404},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequest(tc.method, u+tc.path, strings.NewReader(tc.body))
			require.NoError(t, err)
			if tc.ctype != "" {
				req.Header.Set("Content-Type", tc.ctype)
			}
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			defer resp.Body.Close()
			data, _ := io.ReadAll(resp.Body)
			assert.Equal(t, tc.status, resp.StatusCode, "%s", data)
			assert.Equal(t, "application/json; charset=utf-8", resp.Header.Get("Content-Type"))
			var body struct {
				Status  int    `json:"status"`
				Message string `json:"message"`
				ResCd   string `json:"resCd"`
			}
			require.NoError(t, json.Unmarshal(data, &body), "%s", data)
			assert.Equal(t, tc.status, body.Status)
			assert.NotEmpty(t, body.Message)
			assert.Empty(t, body.ResCd, "KICC sends resCd only with HTTP 200")
		})
	}
}

// TestContractSandbox runs read-only checks against a real KICC sandbox. It
// needs credentials, so it is skipped unless KICC_SANDBOX_URL and
// KICC_MALL_ID are set. An unknown pgCno must get a KICC-shaped answer: HTTP
// 200, a 4-character resCd other than 0000, a resMsg, the key echoed.
func TestContractSandbox(t *testing.T) {
	u, mall := os.Getenv("KICC_SANDBOX_URL"), os.Getenv("KICC_MALL_ID")
	if u == "" || mall == "" {
		t.Skip("set KICC_SANDBOX_URL and KICC_MALL_ID to check against a real KICC sandbox")
	}
	c := client.New(u, mall)
	_, err := c.FindPayment(ctx(t), client.FindPaymentRequest{PgCno: "00000000000000000000"})
	var ke *client.Error
	if errors.As(err, &ke) {
		assert.Len(t, ke.ResCd, 4)
		assert.NotEmpty(t, ke.ResMsg)
		t.Logf("sandbox answered resCd %s resMsg %q for an unknown pgCno", ke.ResCd, ke.ResMsg)
		return
	}
	require.NoError(t, err, "the sandbox should answer a KICC envelope")
	t.Log("sandbox answered 0000 for an all-zero pgCno")
}

func readFixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("fixtures/" + name)
	require.NoError(t, err)
	return b
}

func post(t *testing.T, url string, body []byte) (int, string, []byte) {
	t.Helper()
	resp, err := http.Post(url, "application/json; charset=utf-8", bytes.NewReader(body))
	require.NoError(t, err)
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, resp.Header.Get("Content-Type"), data
}

func do(t *testing.T, method, url string, body []byte) (int, string, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, resp.Header.Get("Content-Type"), data
}

// inProcessOnly skips tests that configure the mock, which a running
// instance named by KICC_MOCK_URL cannot be.
func inProcessOnly(t *testing.T) {
	if os.Getenv("KICC_MOCK_URL") != "" {
		t.Skip("configures an in-process mock; KICC_MOCK_URL names a running one")
	}
}

// TestContractMidnightWithFakeClock: the same rule as above, with the clock
// fully stopped, for the 23:59:59 -> 23:59:59.5 -> 00:00:00 sequence.
func TestContractMidnightWithFakeClock(t *testing.T) {
	inProcessOnly(t)
	fake := clock.NewFake(time.Date(2026, 11, 25, 23, 59, 59, 0, kicc.KST))
	m := mocktest.Start(t, mocktest.WithClock(fake))
	key := client.NewTransactionID()
	find := func() (*kicc.PaymentStatusResponse, error) {
		return m.Client.FindPayment(ctx(t), client.FindPaymentRequest{PgCno: "23110811420910846419", ShopTransactionID: key})
	}
	st, err := find()
	require.NoError(t, err)
	assert.Equal(t, "20261125235959", st.ApprovalDate)
	fake.Advance(500 * time.Millisecond)
	_, err = find()
	assert.ErrorIs(t, err, client.ErrDuplicate)
	fake.Advance(500 * time.Millisecond)
	st, err = find()
	require.NoError(t, err, "00:00:00 KST is a new day")
	assert.Equal(t, "20261126000000", st.ApprovalDate)
}

func TestContractReplayMode(t *testing.T) {
	inProcessOnly(t)
	m := mocktest.Start(t, mocktest.WithConfig(func(c *server.Config) { c.Idempotency = server.IdempotencyReplay }))
	key := client.NewTransactionID()
	req := client.FindCancellationRequest{PgCno: "25122722034810122119", CancelPgCno: "25122722044210122121", ShopTransactionID: key}
	first, err := m.Client.FindCancellation(ctx(t), req)
	require.NoError(t, err)
	again, err := m.Client.FindCancellation(ctx(t), req)
	require.NoError(t, err, "the same request replays")
	assert.Equal(t, first, again)
	req.CancelPgCno = "25122722044210122122"
	_, err = m.Client.FindCancellation(ctx(t), req)
	assert.ErrorIs(t, err, client.ErrDuplicate, "a different request with the key")
}

func TestContractIdempotencyOff(t *testing.T) {
	inProcessOnly(t)
	m := mocktest.Start(t, mocktest.WithConfig(func(c *server.Config) { c.Idempotency = server.IdempotencyOff }))
	req := client.FindPaymentRequest{PgCno: "23110811420910846419", ShopTransactionID: "same"}
	for i := 0; i < 3; i++ {
		_, err := m.Client.FindPayment(ctx(t), req)
		require.NoError(t, err)
	}
}

// sandboxSecret is the secret key of the sandbox contract tests. A running
// mock (KICC_MOCK_URL) started without --secret-key accepts any
// msgAuthValue, so the same tests pass against it.
const sandboxSecret = "MOCK_SECRET_KEY_1234"

// sandbox is the mock under test with a client that can cancel and its
// admin API. In process, cancels complete only when the test says so.
func sandbox(t *testing.T, opts ...mocktest.Option) (*client.Client, *mocktest.Admin) {
	t.Helper()
	if u := os.Getenv("KICC_MOCK_URL"); u != "" {
		u = strings.TrimRight(u, "/")
		return client.New(u, contractMall, client.WithSecretKey(sandboxSecret)), mocktest.NewAdmin(u)
	}
	opts = append([]mocktest.Option{mocktest.WithConfig(func(c *server.Config) {
		c.SecretKey = sandboxSecret
		c.CancelCompleteAfter = -1
	})}, opts...)
	m := mocktest.Start(t, opts...)
	return m.Client, m.Admin
}

// completeCancel completes a pending cancel; a running mock may have
// completed it by itself already (--cancel-complete-after), which is fine.
func completeCancel(t *testing.T, admin *mocktest.Admin, cancelPgCno string) {
	t.Helper()
	err := admin.CompleteCancel(ctx(t), cancelPgCno)
	var ae *mocktest.AdminError
	if errors.As(err, &ae) && ae.Status == http.StatusConflict {
		return
	}
	require.NoError(t, err)
}

// webhookSink is a merchant's notifyUrl on loopback, built with the client's
// WebhookHandler.
type webhookSink struct {
	url string
	ch  chan client.Notification
}

func newWebhookSink(t *testing.T) *webhookSink {
	s := &webhookSink{ch: make(chan client.Notification, 32)}
	hs := httptest.NewServer(client.WebhookHandler(func(_ context.Context, n client.Notification) error {
		s.ch <- n
		return nil
	}))
	t.Cleanup(hs.Close)
	s.url = hs.URL + "/kicc/notify"
	return s
}

func (s *webhookSink) next(t *testing.T) client.Notification {
	t.Helper()
	select {
	case n := <-s.ch:
		return n
	case <-time.After(10 * time.Second):
		t.Fatal("no webhook within 10 s")
	}
	return client.Notification{}
}

func orderNo() string { return "ORD-" + client.NewTransactionID()[:12] }

// TestContractSandboxPaymentAndPartialCancels: create, pay, two partial
// cancels that sum to the payment, and find agreeing at every step. The
// webhooks are checked in process only: a mock in a container cannot reach
// a receiver on the test's loopback.
func TestContractSandboxPaymentAndPartialCancels(t *testing.T) {
	inProc := os.Getenv("KICC_MOCK_URL") == ""
	c, admin := sandbox(t)
	sink := &webhookSink{url: "http://127.0.0.1:9/unreachable"}
	if inProc {
		sink = newWebhookSink(t)
	}
	created, err := c.CreatePayment(ctx(t), client.CreatePaymentRequest{
		ShopOrderNo: orderNo(), GoodsName: "Sample Product", ReturnURL: "http://127.0.0.1/return",
		TradeType: kicc.TradeTypeNative, NotifyURL: sink.url, Amount: 1000,
	})
	require.NoError(t, err)
	assert.Regexp(t, idRE, created.PgCno)
	assert.Equal(t, "weixin://wxpay/bizpayurl?pr="+created.PgCno, created.PaymentPageURL)
	pg := created.PgCno

	st, err := c.FindPayment(ctx(t), client.FindPaymentRequest{PgCno: pg})
	require.NoError(t, err)
	assert.Empty(t, st.StatusCd, "created, not paid: no status yet")

	require.NoError(t, admin.Pay(ctx(t), pg))
	if inProc {
		n := sink.next(t)
		require.NotNil(t, n.Approval)
		assert.Equal(t, pg, n.Approval.PgCno)
		assert.Equal(t, int64(1000), n.Approval.AmountInfo.Amount)
	}
	st, err = c.FindPayment(ctx(t), client.FindPaymentRequest{PgCno: pg})
	require.NoError(t, err)
	assert.Equal(t, kicc.StatusApproved, st.StatusCd)
	assert.Regexp(t, dateTimeRE, st.ApprovalDate)

	_, err = c.CancelPayment(ctx(t), client.CancelPaymentRequest{PgCno: pg, Amount: 1001, NotifyURL: sink.url})
	var kerr *client.Error
	require.ErrorAs(t, err, &kerr)
	assert.Equal(t, kicc.ResOverCancel, kerr.ResCd)

	var cancels []string
	for _, amount := range []int64{300, 700} {
		rev, err := c.CancelPayment(ctx(t), client.CancelPaymentRequest{PgCno: pg, Amount: amount, NotifyURL: sink.url})
		require.NoError(t, err)
		assert.Regexp(t, idRE, rev.CancelPgCno)
		cancels = append(cancels, rev.CancelPgCno)
		completeCancel(t, admin, rev.CancelPgCno)
		if inProc {
			n := sink.next(t)
			require.NotNil(t, n.Cancel)
			assert.Equal(t, rev.CancelPgCno, n.Cancel.CancelPgCno)
			assert.Equal(t, amount, n.Cancel.AmountInfo.Amount)
		}
		cs, err := c.FindCancellation(ctx(t), client.FindCancellationRequest{PgCno: pg, CancelPgCno: rev.CancelPgCno})
		require.NoError(t, err)
		assert.Equal(t, kicc.StatusPartCancelled, cs.CancelStatus)
		assert.Equal(t, amount, cs.AmountInfo.TotAmount)
	}
	assert.NotEqual(t, cancels[0], cancels[1], "each partial cancel has a cancelPgCno of its own")
	st, err = c.FindPayment(ctx(t), client.FindPaymentRequest{PgCno: pg})
	require.NoError(t, err)
	assert.Equal(t, kicc.StatusCancelled, st.StatusCd, "partial cancels summing to the payment cancel it fully")

	_, err = c.CancelPayment(ctx(t), client.CancelPaymentRequest{PgCno: pg})
	require.ErrorAs(t, err, &kerr)
	assert.Equal(t, kicc.ResAllCancelled, kerr.ResCd)
}

// TestContractCancelWebhookLostFallsBackToFind: the cancellation webhook
// never arrives (a magic id in memo selects a scenario that drops it); the
// app, having waited in vain, asks find and sees TS02.
func TestContractCancelWebhookLostFallsBackToFind(t *testing.T) {
	inProcessOnly(t) // the webhook receiver must be reachable from the mock
	fake := clock.NewFake(time.Date(2026, 11, 25, 12, 0, 0, 0, kicc.KST))
	c, admin := sandbox(t, mocktest.WithClock(fake), mocktest.WithConfig(func(cfg *server.Config) {
		cfg.CancelCompleteAfter = 2 * time.Second
	}))
	require.NoError(t, admin.AddScenarios(ctx(t), []byte(`version: 1
scenarios:
  - name: cancel-webhook-lost
    description: the cancellation webhook never arrives
    endpoint: revise
    responses:
      - webhook: {drop: true}
`)))
	sink := newWebhookSink(t)
	created, err := c.CreatePayment(ctx(t), client.CreatePaymentRequest{
		ShopOrderNo: orderNo(), GoodsName: "Sample Product", ReturnURL: "http://127.0.0.1/return",
		TradeType: kicc.TradeTypeMweb, NotifyURL: sink.url, Amount: 5000,
	})
	require.NoError(t, err)
	require.NoError(t, admin.Pay(ctx(t), created.PgCno))
	require.NotNil(t, sink.next(t).Approval)

	rev, err := c.CancelPayment(ctx(t), client.CancelPaymentRequest{PgCno: created.PgCno, NotifyURL: sink.url,
		Memo: "mock-cancel-webhook-lost", CancelReqDate: fake.Now()})
	require.NoError(t, err)
	cs, err := c.FindCancellation(ctx(t), client.FindCancellationRequest{PgCno: created.PgCno, CancelPgCno: rev.CancelPgCno})
	require.NoError(t, err)
	assert.Equal(t, kicc.StatusApproved, cs.CancelStatus, "TS01 while the cancel is pending")

	fake.BlockUntil(1)
	fake.Advance(2 * time.Second) // the cancel completes; its webhook is dropped
	// The cancel's entry is looked for in the whole journal: under load the
	// approval's delivery may be journaled after it.
	var cancelAttempt *server.WebhookAttempt
	require.Eventually(t, func() bool {
		w, err := admin.Webhooks(ctx(t))
		for i := range w {
			if err == nil && w[i].Kind == server.WebhookCancel {
				cancelAttempt = &w[i]
				return true
			}
		}
		return false
	}, 5*time.Second, time.Millisecond)
	assert.Equal(t, "dropped", cancelAttempt.Outcome)
	select {
	case n := <-sink.ch:
		t.Fatalf("a webhook arrived: %+v", n)
	default:
	}

	cs, err = c.FindCancellation(ctx(t), client.FindCancellationRequest{PgCno: created.PgCno, CancelPgCno: rev.CancelPgCno})
	require.NoError(t, err)
	assert.Equal(t, kicc.StatusCancelled, cs.CancelStatus, "find knows what the webhook would have said")
	assert.Equal(t, int64(5000), cs.AmountInfo.TotAmount)
}

// TestContractEveryStatus asks for every WeChat status through magic ids,
// which need no headers or admin calls, so it runs against a container too.
func TestContractEveryStatus(t *testing.T) {
	c, _ := contractClient(t)
	const pg = "25122722034810122119"
	pay, err := c.FindPayment(ctx(t), client.FindPaymentRequest{PgCno: pg})
	require.NoError(t, err)
	paid := pay.AmountInfo.Amount

	for _, tc := range []struct {
		scenario string
		status   kicc.Status
	}{
		{"cancel-approved", kicc.StatusApproved},
		{"cancel-full", kicc.StatusCancelled},
		{"cancel-partial", kicc.StatusPartCancelled},
		{"cancel-void", kicc.StatusVoided},
	} {
		t.Run(tc.scenario, func(t *testing.T) {
			st, err := c.FindCancellation(ctx(t), client.FindCancellationRequest{PgCno: pg, CancelPgCno: "mock-" + tc.scenario + "-1"})
			require.NoError(t, err)
			assert.Equal(t, tc.status, st.CancelStatus)
			require.NotNil(t, st.AmountInfo)
			switch tc.status {
			case kicc.StatusApproved:
				assert.Zero(t, st.AmountInfo.TotAmount, "nothing cancelled yet")
			case kicc.StatusPartCancelled:
				assert.Positive(t, st.AmountInfo.TotAmount)
				assert.Less(t, st.AmountInfo.TotAmount, paid, "part of the payment")
			default:
				assert.Equal(t, paid, st.AmountInfo.TotAmount, "the whole payment")
			}
		})
	}
	for _, tc := range []struct {
		scenario string
		status   kicc.Status
	}{
		{"payment-approved", kicc.StatusApproved},
		{"payment-full", kicc.StatusCancelled},
		{"payment-partial", kicc.StatusPartCancelled},
		{"payment-void", kicc.StatusVoided},
	} {
		t.Run(tc.scenario, func(t *testing.T) {
			st, err := c.FindPayment(ctx(t), client.FindPaymentRequest{PgCno: "mock-" + tc.scenario + "-1"})
			require.NoError(t, err)
			assert.Equal(t, tc.status, st.StatusCd)
			assert.Regexp(t, dateTimeRE, st.ApprovalDate)
		})
	}
	t.Run("pending then full", func(t *testing.T) {
		id := "mock-cancel-pending-then-full-" + client.NewTransactionID()[:12] // within 60 bytes
		var got []kicc.Status
		for i := 0; i < 4; i++ {
			st, err := c.FindCancellation(ctx(t), client.FindCancellationRequest{PgCno: pg, CancelPgCno: id})
			require.NoError(t, err)
			got = append(got, st.CancelStatus)
		}
		assert.Equal(t, []kicc.Status{"TS01", "TS01", "TS02", "TS02"}, got)
	})
	t.Run("WeChat error detail is URL-decoded", func(t *testing.T) {
		_, err := c.FindCancellation(ctx(t), client.FindCancellationRequest{PgCno: pg, CancelPgCno: "mock-error-wechat-1"})
		var ke *client.Error
		require.ErrorAs(t, err, &ke)
		assert.Equal(t, kicc.ResWeChat, ke.ResCd)
		assert.NotEmpty(t, ke.ResDetailMsg)
		assert.NotContains(t, ke.ResDetailMsg, "%", "decoded")
	})
}
