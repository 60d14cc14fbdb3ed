package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kicc-mock/kicc-mock/kicc"
	"github.com/kicc-mock/kicc-mock/lint"
	"github.com/kicc-mock/kicc-mock/server"
)

// receiver is a merchant's webhook endpoint on loopback: it fails the first
// failures calls with HTTP 500, then acks.
type receiver struct {
	*httptest.Server
	mu       sync.Mutex
	got      []map[string]any
	failures int
	arrived  chan struct{}
}

func newReceiver(t *testing.T, failures int) *receiver {
	r := &receiver{failures: failures, arrived: make(chan struct{}, 100)}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		var m map[string]any
		_ = json.NewDecoder(req.Body).Decode(&m)
		r.mu.Lock()
		r.got = append(r.got, m)
		fail := len(r.got) <= r.failures
		r.mu.Unlock()
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		if fail {
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = io.WriteString(w, `{"resCd":"5001","resMsg":"처리실패"}`)
		} else {
			_, _ = io.WriteString(w, `{"resCd":"0000","resMsg":"정상"}`)
		}
		r.arrived <- struct{}{}
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) wait(t *testing.T) {
	t.Helper()
	select {
	case <-r.arrived:
	case <-time.After(5 * time.Second):
		t.Fatal("no webhook arrived")
	}
}

func (m *mock) post(path string, body any, header ...string) map[string]any {
	m.t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(http.MethodPost, m.http.URL+path, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := m.client.Do(req)
	require.NoError(m.t, err)
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	require.Equal(m.t, http.StatusOK, resp.StatusCode, "%s", data)
	var out map[string]any
	require.NoError(m.t, json.Unmarshal(data, &out), "%s", data)
	return out
}

func (m *mock) create(notify, order string, amount int64) map[string]any {
	return m.post(kicc.PathCreate, map[string]any{
		"mallId": "T0000001", "shopTransactionId": m.key(), "shopOrderNo": order, "goodsName": "Sample Product",
		"returnUrl": "http://127.0.0.1/return", "tradeType": "mweb", "notifyUrl": notify,
		"amountInfo": map[string]any{"currency": "KRW", "totalAmount": amount},
	})
}

func (m *mock) revise(pgCno, notify, typ string, amount int64, header ...string) map[string]any {
	key := m.key()
	body := map[string]any{"mallId": "T0000001", "shopTransactionId": key, "pgCno": pgCno, "reviseTypeCode": typ,
		"cancelReqDate": kicc.FormatDate(m.clock.Now()), "msgAuthValue": kicc.MsgAuthValue("secret", pgCno, key), "notifyUrl": notify}
	if amount > 0 {
		body["amountInfo"] = map[string]any{"currency": "KRW", "totAmount": amount}
	}
	return m.post(kicc.PathRevise, body, header...)
}

func (m *mock) admin(method, path string) (int, []byte) {
	req, _ := http.NewRequest(method, m.http.URL+path, nil)
	resp, err := m.client.Do(req)
	require.NoError(m.t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func (m *mock) webhooks() []server.WebhookAttempt {
	_, b := m.admin(http.MethodGet, "/__admin/webhooks")
	var v struct{ Webhooks []server.WebhookAttempt }
	require.NoError(m.t, json.Unmarshal(b, &v))
	return v.Webhooks
}

func sandboxConfig() server.Config {
	return server.Config{SandboxConfig: server.SandboxConfig{SecretKey: "secret", CancelCompleteAfter: -1}}
}

func TestSandboxFullFlow(t *testing.T) {
	m := newMock(t, sandboxConfig())
	rcv := newReceiver(t, 0)
	created := m.create(rcv.URL, "ORD-1", 1000)
	require.Equal(t, "0000", created["resCd"], created)
	pg := created["pgCno"].(string)
	assert.Regexp(t, `^\d{20}$`, pg)
	assert.Equal(t, m.http.URL+"/pay/"+pg, created["paymentPageUrl"])

	st := m.find(context.Background(), m.paymentReq(pg), "").json(t)
	assert.Equal(t, "0000", st["resCd"])
	assert.NotContains(t, st, "statusCd", "an unpaid payment has no status yet")

	code, _ := m.admin(http.MethodPost, "/__admin/transactions/"+pg+"/pay")
	require.Equal(t, http.StatusOK, code)
	rcv.wait(t)
	assert.Equal(t, pg, rcv.got[0]["pgCno"])
	assert.EqualValues(t, 1000, rcv.got[0]["amountInfo"].(map[string]any)["amount"])
	st = m.find(context.Background(), m.paymentReq(pg), "").json(t)
	assert.Equal(t, "TS01", st["statusCd"])
	assert.Equal(t, "ORD-1", st["shopOrderNo"])

	rev := m.revise(pg, rcv.URL, "32", 300)
	require.Equal(t, "0000", rev["resCd"], rev)
	c1 := rev["cancelPgCno"].(string)
	cs := m.find(context.Background(), map[string]any{"mallId": "T0000001", "shopTransactionId": m.key(), "pgCno": pg, "cancelPgCno": c1}, "").json(t)
	assert.Equal(t, "TS01", cs["cancelStatus"], "pending")

	assert.Equal(t, "1051", m.revise(pg, rcv.URL, "32", 701)["resCd"], "over-cancel counts the pending cancel")
	code, _ = m.admin(http.MethodPost, "/__admin/transactions/"+c1+"/complete")
	require.Equal(t, http.StatusOK, code)
	rcv.wait(t)
	assert.Equal(t, c1, rcv.got[1]["cancelPgCno"])
	cs = m.find(context.Background(), map[string]any{"mallId": "T0000001", "shopTransactionId": m.key(), "pgCno": pg, "cancelPgCno": c1}, "").json(t)
	assert.Equal(t, "TS06", cs["cancelStatus"])
	assert.EqualValues(t, 300, cs["amountInfo"].(map[string]any)["totAmount"])
	assert.Equal(t, "TS06", m.find(context.Background(), m.paymentReq(pg), "").json(t)["statusCd"])

	c2 := m.revise(pg, rcv.URL, "32", 700)["cancelPgCno"].(string)
	code, _ = m.admin(http.MethodPost, "/__admin/transactions/"+c2+"/complete")
	require.Equal(t, http.StatusOK, code)
	rcv.wait(t)
	assert.Equal(t, "TS02", m.find(context.Background(), m.paymentReq(pg), "").json(t)["statusCd"], "partial cancels summing to the total")
	assert.Equal(t, "1052", m.revise(pg, rcv.URL, "40", 0)["resCd"])
}

func TestSandboxReviseErrors(t *testing.T) {
	m := newMock(t, sandboxConfig())
	pg := m.create("http://127.0.0.1:1/n", "ORD-E", 1000)["pgCno"].(string)
	assert.Equal(t, "1050", m.revise(pg, "", "40", 0)["resCd"], "unpaid")
	assert.Equal(t, "1020", m.revise("25112512000099999999", "", "40", 0)["resCd"])
	assert.Equal(t, "1011", m.create("http://127.0.0.1:1/n", "ORD-E", 1000)["resCd"], "shopOrderNo is unique per mall")

	bad := map[string]any{"mallId": "T0000001", "shopTransactionId": m.key(), "pgCno": pg, "reviseTypeCode": "40",
		"cancelReqDate": kicc.FormatDate(m.clock.Now()), "msgAuthValue": strings.Repeat("0", 64)}
	assert.Equal(t, "1040", m.post(kicc.PathRevise, bad)["resCd"])
	bad["shopTransactionId"] = m.key()
	bad["msgAuthValue"] = strings.ToUpper(kicc.MsgAuthValue("secret", pg, bad["shopTransactionId"].(string)))
	bad["cancelReqDate"] = kicc.FormatDate(m.clock.Now().AddDate(0, 0, 1))
	assert.Equal(t, "1050", m.post(kicc.PathRevise, bad)["resCd"],
		"upper-case hex is accepted; a cancelReqDate after today is a lint warning (KICC does not document the window), not a 1003")
}

// TestCancelReqDateWindow: outside the days from the payment's to today
// (KST), a cancelReqDate is a lint warning by default and a 1003 naming the
// range with --lint=strict. The key of a refused request is not used.
func TestCancelReqDateWindow(t *testing.T) {
	for _, strict := range []bool{false, true} {
		cfg := sandboxConfig()
		if strict {
			cfg.Lint = lint.Strict
		}
		m := newMock(t, cfg)
		pg := m.create("http://127.0.0.1:1/n", "ORD-W", 1000)["pgCno"].(string)
		code, _ := m.admin(http.MethodPost, "/__admin/transactions/"+pg+"/pay")
		require.Equal(t, http.StatusOK, code)
		key := m.key()
		body := map[string]any{"mallId": "T0000001", "shopTransactionId": key, "pgCno": pg, "reviseTypeCode": "32",
			"cancelReqDate": kicc.FormatDate(m.clock.Now().AddDate(0, 0, 1)), "msgAuthValue": kicc.MsgAuthValue("secret", pg, key),
			"amountInfo": map[string]any{"currency": "KRW", "totAmount": 100}}
		b, _ := json.Marshal(body)
		req, _ := http.NewRequest(http.MethodPost, m.http.URL+kicc.PathRevise, bytes.NewReader(b))
		req.Header.Set("Content-Type", server.ContentTypeJSON)
		resp, err := m.client.Do(req)
		require.NoError(t, err)
		var got map[string]any
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&got))
		resp.Body.Close()
		assert.Contains(t, resp.Header.Get(server.LintHeader), "warn:cancel-date-window:cancelReqDate")
		if !strict {
			assert.Equal(t, "0000", got["resCd"], "accepted, with a warning")
			continue
		}
		assert.Equal(t, "1003", got["resCd"])
		today := kicc.FormatDate(m.clock.Now())
		assert.Equal(t, "항목 형식 오류 (cancelReqDate: the days from "+today+" (the payment's) to "+today+" (today, KST))", got["resMsg"])
		body["cancelReqDate"] = today
		assert.Equal(t, "0000", m.post(kicc.PathRevise, body)["resCd"], "the refused request did not use its key")
	}
}

func TestSandboxPaymentPageVoids(t *testing.T) {
	m := newMock(t, sandboxConfig())
	pg := m.create("http://127.0.0.1:1/n", "ORD-V", 1000)["pgCno"].(string)
	code, page := m.admin(http.MethodGet, "/pay/"+pg)
	require.Equal(t, http.StatusOK, code)
	assert.Contains(t, string(page), `id="pay"`)
	code, page = m.admin(http.MethodPost, "/pay/"+pg+"/cancel")
	require.Equal(t, http.StatusOK, code)
	assert.Contains(t, string(page), `data-result="voided"`)
	assert.Equal(t, "TS12", m.find(context.Background(), m.paymentReq(pg), "").json(t)["statusCd"])
	code, _ = m.admin(http.MethodPost, "/pay/"+pg+"/pay")
	assert.Equal(t, http.StatusConflict, code)
}

func TestUnknownIDsKeepDefaultAnswersUnlessStrict(t *testing.T) {
	m := newMock(t, sandboxConfig())
	m.create("http://127.0.0.1:1/n", "ORD-U", 1000)
	assert.Equal(t, "TS01", m.find(context.Background(), m.paymentReq("23110811420910846419"), "").json(t)["statusCd"])

	cfg := sandboxConfig()
	cfg.StrictTransactions = true
	strict := newMock(t, cfg)
	assert.Equal(t, "1020", strict.find(context.Background(), strict.paymentReq("23110811420910846419"), "").json(t)["resCd"])
}

// TestWebhookRetriesUntilAcked: a receiver failing 3 times gets the
// notification 4 times, the resends waiting the configured intervals on
// the (fake) clock.
func TestWebhookRetriesUntilAcked(t *testing.T) {
	cfg := sandboxConfig()
	cfg.WebhookRetryIntervals = []time.Duration{time.Second, 2 * time.Second, 5 * time.Second}
	m := newMock(t, cfg)
	rcv := newReceiver(t, 3)
	pg := m.create(rcv.URL, "ORD-R", 1000)["pgCno"].(string)
	code, _ := m.admin(http.MethodPost, "/__admin/transactions/"+pg+"/pay")
	require.Equal(t, http.StatusOK, code)
	for _, wait := range cfg.WebhookRetryIntervals {
		rcv.wait(t)
		m.clock.BlockUntil(1)
		m.clock.Advance(wait)
	}
	rcv.wait(t)
	require.Eventually(t, func() bool { return len(m.webhooks()) == 4 }, 5*time.Second, time.Millisecond)
	log := m.webhooks()
	for i, a := range log {
		t.Logf("attempt %d at %s: status %d resCd %q outcome %s %s %s", a.Attempt, a.Time, a.Status, a.ResCd, a.Outcome, a.NextAttempt, a.Error)
		assert.Equal(t, 4-i, a.Attempt)
	}
	assert.Equal(t, "delivered", log[0].Outcome)
	assert.Equal(t, "retrying", log[1].Outcome)
	assert.Equal(t, "5s", log[1].NextAttempt)
	assert.Equal(t, "1s", log[3].NextAttempt)
}

func TestWebhookGivesUpAfter15Resends(t *testing.T) {
	cfg := sandboxConfig()
	cfg.WebhookRetryIntervals = []time.Duration{time.Second}
	m := newMock(t, cfg)
	rcv := newReceiver(t, 1000)
	pg := m.create(rcv.URL, "ORD-G", 1000)["pgCno"].(string)
	m.admin(http.MethodPost, "/__admin/transactions/"+pg+"/pay")
	for range 15 {
		rcv.wait(t)
		m.clock.BlockUntil(1)
		m.clock.Advance(time.Second)
	}
	rcv.wait(t)
	require.Eventually(t, func() bool { return len(m.webhooks()) == 16 }, 5*time.Second, time.Millisecond)
	assert.Equal(t, "gave-up", m.webhooks()[0].Outcome)
	assert.Equal(t, 16, m.webhooks()[0].Attempt)
}

func TestScenarioDropsTheCancelWebhookAndFindStillKnows(t *testing.T) {
	m := newMock(t, sandboxConfig())
	_, err := m.srv.AddScenarios("t.yaml", []byte(`version: 1
scenarios:
  - name: cancel-webhook-lost
    endpoint: revise
    responses:
      - webhook: {drop: true}
`))
	require.NoError(t, err)
	rcv := newReceiver(t, 0)
	pg := m.create(rcv.URL, "ORD-L", 1000)["pgCno"].(string)
	m.admin(http.MethodPost, "/__admin/transactions/"+pg+"/pay")
	rcv.wait(t)
	// The receiver answers before the dispatcher logs the attempt; wait for
	// the log so the approval's entry cannot land after the drop.
	require.Eventually(t, func() bool { return len(m.webhooks()) == 1 }, 5*time.Second, time.Millisecond)
	c := m.revise(pg, rcv.URL, "40", 0, "X-KICC-Mock-Scenario", "cancel-webhook-lost")["cancelPgCno"].(string)
	code, _ := m.admin(http.MethodPost, "/__admin/transactions/"+c+"/complete")
	require.Equal(t, http.StatusOK, code)
	require.Eventually(t, func() bool { return len(m.webhooks()) == 2 }, 5*time.Second, time.Millisecond)
	assert.Equal(t, "dropped", m.webhooks()[0].Outcome)
	cs := m.find(context.Background(), map[string]any{"mallId": "T0000001", "shopTransactionId": m.key(), "pgCno": pg, "cancelPgCno": c}, "").json(t)
	assert.Equal(t, "TS02", cs["cancelStatus"])
	assert.Len(t, rcv.got, 1, "only the approval webhook arrived")
}

func TestCancelCompletesOnTheClockAndResetForgets(t *testing.T) {
	cfg := sandboxConfig()
	cfg.CancelCompleteAfter = 2 * time.Second
	cfg.AutoPayAfter = time.Second
	m := newMock(t, cfg)
	rcv := newReceiver(t, 0)
	pg := m.create(rcv.URL, "ORD-A", 1000)["pgCno"].(string)
	m.clock.BlockUntil(1)
	m.clock.Advance(time.Second)
	rcv.wait(t)
	c := m.revise(pg, rcv.URL, "40", 0)["cancelPgCno"].(string)
	m.clock.BlockUntil(1)
	m.clock.Advance(2 * time.Second)
	rcv.wait(t)
	cs := m.find(context.Background(), map[string]any{"mallId": "T0000001", "shopTransactionId": m.key(), "pgCno": pg, "cancelPgCno": c}, "").json(t)
	assert.Equal(t, "TS02", cs["cancelStatus"])

	code, _ := m.admin(http.MethodPost, "/__admin/reset")
	require.Equal(t, http.StatusOK, code)
	_, b := m.admin(http.MethodGet, "/__admin/transactions")
	assert.JSONEq(t, `{"transactions":[]}`, string(b))
	assert.Empty(t, m.webhooks())
}

// TestScenarioFailsTheCancelWebhook: WeChat refuses the refund. The
// cancellation webhook reports the failure, find says the cancel did nothing
// (TS01, no amount), and the whole amount can still be cancelled.
func TestScenarioFailsTheCancelWebhook(t *testing.T) {
	m := newMock(t, sandboxConfig())
	_, err := m.srv.AddScenarios("t.yaml", []byte(`version: 1
scenarios:
  - name: refund-refused
    endpoint: revise
    responses:
      - webhook: {fail: true, resCd: "2001"}
`))
	require.NoError(t, err)
	rcv := newReceiver(t, 0)
	pg := m.create(rcv.URL, "ORD-F", 1000)["pgCno"].(string)
	m.admin(http.MethodPost, "/__admin/transactions/"+pg+"/pay")
	rcv.wait(t)
	c := m.revise(pg, rcv.URL, "40", 0, "X-KICC-Mock-Scenario", "refund-refused")["cancelPgCno"].(string)
	code, _ := m.admin(http.MethodPost, "/__admin/transactions/"+c+"/complete")
	require.Equal(t, http.StatusOK, code)
	rcv.wait(t)
	rcv.mu.Lock()
	note := rcv.got[len(rcv.got)-1]
	rcv.mu.Unlock()
	assert.Equal(t, "2001", note["resCd"])
	assert.Equal(t, "위챗페이 오류", note["resMsg"])
	assert.Equal(t, c, note["cancelPgCno"])

	cs := m.find(context.Background(), map[string]any{"mallId": "T0000001", "shopTransactionId": m.key(), "pgCno": pg, "cancelPgCno": c}, "").json(t)
	assert.Equal(t, "TS01", cs["cancelStatus"], "nothing was cancelled")
	assert.EqualValues(t, 0, cs["amountInfo"].(map[string]any)["totAmount"])
	ps := m.find(context.Background(), map[string]any{"mallId": "T0000001", "shopTransactionId": m.key(), "pgCno": pg}, "").json(t)
	assert.Equal(t, "TS01", ps["statusCd"], "the payment is as before")

	again := m.revise(pg, rcv.URL, "40", 0)
	assert.Equal(t, "0000", again["resCd"], "the full amount can still be cancelled")
}

// TestReviseAnswersCarryTheCardFamilysFields: clients written against KICC's
// card revise read oriPgCno, cancelAmount, remainAmount, statusCode and
// transactionDate; the WeChat Pay answer carries them beside its own.
func TestReviseAnswersCarryTheCardFamilysFields(t *testing.T) {
	m := newMock(t, sandboxConfig())
	pg := m.create("http://127.0.0.1:1/notify", "ORD-CARD", 1000)["pgCno"].(string)
	code, _ := m.admin(http.MethodPost, "/__admin/transactions/"+pg+"/pay")
	require.Equal(t, http.StatusOK, code)

	part := m.revise(pg, "", kicc.RevisePartial, 300)
	require.Equal(t, "0000", part["resCd"], part)
	assert.Equal(t, pg, part["pgCno"])
	assert.Equal(t, pg, part["oriPgCno"])
	assert.EqualValues(t, 300, part["cancelAmount"])
	assert.EqualValues(t, 700, part["remainAmount"])
	assert.Equal(t, "TS06", part["statusCode"])
	assert.Equal(t, kicc.FormatDateTime(m.clock.Now()), part["transactionDate"])
	assert.Regexp(t, `^\d{20}$`, part["cancelPgCno"])

	full := m.revise(pg, "", kicc.ReviseFull, 0)
	require.Equal(t, "0000", full["resCd"], full)
	assert.EqualValues(t, 700, full["cancelAmount"], "a full cancel takes what remains")
	assert.EqualValues(t, 0, full["remainAmount"])
	assert.Equal(t, "TS02", full["statusCode"])

	refused := m.revise(pg, "", kicc.ReviseFull, 0)
	assert.NotEqual(t, "0000", refused["resCd"])
	assert.NotContains(t, refused, "cancelAmount", "an error answer has no amounts")
}

func TestUnpaidStatusIsConfigurable(t *testing.T) {
	cfg := sandboxConfig()
	cfg.UnpaidStatus = "TS00"
	m := newMock(t, cfg)
	pg := m.create("http://127.0.0.1:1/n", "ORD-U", 1000)["pgCno"].(string)
	st := m.find(context.Background(), m.paymentReq(pg), "").json(t)
	assert.Equal(t, "TS00", st["statusCd"])
}

// TestAdminResendsAndDropsWebhooks: POST /__admin/webhooks/{id}/drop gives
// up a notification between its resends, /resend sends it again as a new
// one; unknown ids are 404s and what does not apply is a 409.
func TestAdminResendsAndDropsWebhooks(t *testing.T) {
	cfg := sandboxConfig()
	cfg.WebhookRetryIntervals = []time.Duration{time.Minute}
	m := newMock(t, cfg)
	rcv := newReceiver(t, 1)
	pg := m.create(rcv.URL, "ORD-D", 1000)["pgCno"].(string)
	code, _ := m.admin(http.MethodPost, "/__admin/transactions/"+pg+"/pay")
	require.Equal(t, http.StatusOK, code)
	rcv.wait(t)
	require.Eventually(t, func() bool { return len(m.webhooks()) == 1 }, 5*time.Second, time.Millisecond)
	first := m.webhooks()[0]
	require.Equal(t, "retrying", first.Outcome)

	code, body := m.admin(http.MethodPost, fmt.Sprintf("/__admin/webhooks/%d/drop", first.ID))
	require.Equal(t, http.StatusOK, code, "%s", body)
	var dropped server.WebhookAttempt
	require.NoError(t, json.Unmarshal(body, &dropped))
	assert.Equal(t, "dropped", dropped.Outcome)
	assert.Equal(t, first.Notification, dropped.Notification)
	code, body = m.admin(http.MethodPost, fmt.Sprintf("/__admin/webhooks/%d/drop", first.ID))
	assert.Equal(t, http.StatusConflict, code, "%s", body)
	assert.Contains(t, string(body), "not waiting for a send")

	code, body = m.admin(http.MethodPost, fmt.Sprintf("/__admin/webhooks/%d/resend", first.ID))
	require.Equal(t, http.StatusOK, code, "%s", body)
	rcv.wait(t) // the receiver acks from its second request on
	require.Eventually(t, func() bool { return len(m.webhooks()) == 3 }, 5*time.Second, time.Millisecond)
	again := m.webhooks()[0]
	assert.Equal(t, "delivered", again.Outcome)
	assert.Equal(t, pg, again.PgCno)
	assert.JSONEq(t, fmt.Sprintf(`{"notification":%d}`, again.Notification), string(body))

	for _, path := range []string{"/__admin/webhooks/999/resend", "/__admin/webhooks/0/drop", "/__admin/webhooks/x/resend"} {
		code, body := m.admin(http.MethodPost, path)
		assert.Equal(t, http.StatusNotFound, code, path)
		assert.Contains(t, string(body), "no webhook attempt", path)
	}
}
