package server_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kicc-mock/kicc-mock/kicc"
	"github.com/kicc-mock/kicc-mock/lint"
	"github.com/kicc-mock/kicc-mock/server"
)

// scrape GETs /metrics (with token, when not "") and parses the answer with
// Prometheus' own text parser.
func (m *mock) scrape(t *testing.T, token string) map[string]*dto.MetricFamily {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, m.http.URL+"/metrics", nil)
	require.NoError(t, err)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := m.client.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode, "%s", body)
	assert.Equal(t, expfmt.TextVersion, mediaParam(t, resp.Header.Get("Content-Type"), "version"))
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(strings.NewReader(string(body)))
	require.NoError(t, err, "%s", body)
	return families
}

func mediaParam(t *testing.T, contentType, name string) string {
	t.Helper()
	for _, p := range strings.Split(contentType, ";") {
		if k, v, ok := strings.Cut(strings.TrimSpace(p), "="); ok && k == name {
			return v
		}
	}
	t.Errorf("Content-Type %q has no %s", contentType, name)
	return ""
}

// sample is the value of the one metric of family name whose labels are
// exactly labels (name, value pairs); the test fails when there is none.
func sample(t *testing.T, families map[string]*dto.MetricFamily, name string, labels ...string) float64 {
	t.Helper()
	f := families[name]
	require.NotNil(t, f, "no metric %s", name)
	for _, m := range f.GetMetric() {
		if !sameLabels(m.GetLabel(), labels) {
			continue
		}
		switch f.GetType() {
		case dto.MetricType_COUNTER:
			return m.GetCounter().GetValue()
		case dto.MetricType_GAUGE:
			return m.GetGauge().GetValue()
		case dto.MetricType_HISTOGRAM:
			return float64(m.GetHistogram().GetSampleCount())
		}
		t.Fatalf("%s has type %s", name, f.GetType())
	}
	var have []string
	for _, m := range f.GetMetric() {
		have = append(have, m.String())
	}
	t.Fatalf("no %s%v among\n%s", name, labels, strings.Join(have, "\n"))
	return 0
}

func sameLabels(got []*dto.LabelPair, want []string) bool {
	if len(got)*2 != len(want) {
		return false
	}
	for _, l := range got {
		found := false
		for i := 0; i+1 < len(want); i += 2 {
			found = found || want[i] == l.GetName() && want[i+1] == l.GetValue()
		}
		if !found {
			return false
		}
	}
	return true
}

// raw sends a request as given and returns its status, or 0 when the
// connection gave no HTTP answer.
func (m *mock) raw(method, path, contentType, body string) int {
	m.t.Helper()
	req, err := http.NewRequest(method, m.http.URL+path, strings.NewReader(body))
	require.NoError(m.t, err)
	req.Header.Set("Content-Type", contentType)
	resp, err := m.client.Do(req)
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode
}

// TestMetricsCountKnownTraffic sends known traffic (default answers, a
// scenario by magic id, a duplicate key, a 415, a fault with no answer, an
// unknown path, a lint finding, a webhook retried then delivered) and reads
// it back from /metrics as Prometheus parses it.
func TestMetricsCountKnownTraffic(t *testing.T) {
	cfg := sandboxConfig()
	cfg.JournalSize = 100
	cfg.WebhookRetryIntervals = []time.Duration{time.Second}
	m := newMock(t, cfg)
	ctx := context.Background()
	const payment = "25112512000010000001" // a well-shaped id: no lint finding

	const defaults = 3
	for range defaults {
		r := m.find(ctx, m.cancelReq("25112512300010000002"), "")
		require.Equal(t, "0000", r.json(t)["resCd"])
	}
	require.Equal(t, "TS06", m.find(ctx, m.cancelReq("mock-cancel-partial-1"), "").json(t)["cancelStatus"])
	dup := m.paymentReq(payment)
	require.Equal(t, "0000", m.find(ctx, dup, "").json(t)["resCd"])
	require.Equal(t, kicc.ResDuplicate, m.find(ctx, dup, "").json(t)["resCd"])
	require.Equal(t, http.StatusUnsupportedMediaType, m.raw(http.MethodPost, kicc.PathFind, "text/plain", `{}`))
	body, _ := json.Marshal(m.cancelReq("mock-conn-reset"))
	require.Zero(t, m.raw(http.MethodPost, kicc.PathFind, server.ContentTypeJSON, string(body)), "a reset sends no answer")
	require.Equal(t, http.StatusNotFound, m.raw(http.MethodPost, "/nowhere", server.ContentTypeJSON, `{}`))
	r := m.find(ctx, m.paymentReq("1"), "")
	require.Equal(t, "error:"+lint.IDShape+":pgCno", r.header.Get(server.LintHeader))

	// The receiver fails the first send; the resend a second later is acked.
	rcv := newReceiver(t, 1)
	pg := m.create(rcv.URL, "ORD-M", 1000)["pgCno"].(string)
	code, _ := m.admin(http.MethodPost, "/__admin/transactions/"+pg+"/pay")
	require.Equal(t, http.StatusOK, code)
	rcv.wait(t)
	m.clock.BlockUntil(1)
	m.clock.Advance(time.Second)
	rcv.wait(t)
	require.Eventually(t, func() bool { return len(m.webhooks()) == 2 }, 5*time.Second, time.Millisecond)

	f := m.scrape(t, "")
	requests := func(endpoint, scenario, resCd, status string) float64 {
		t.Helper()
		return sample(t, f, "kicc_mock_requests_total", "endpoint", endpoint, "scenario", scenario, "res_cd", resCd, "status", status)
	}
	assert.Equal(t, float64(defaults), requests("find-cancel", "_none", "0000", "200"), "default answers name no scenario")
	assert.Equal(t, 1.0, requests("find-cancel", "cancel-partial", "0000", "200"))
	assert.Equal(t, 2.0, requests("find-payment", "_none", "0000", "200"), "the first of the duplicate pair, and the lint finding's")
	assert.Equal(t, 1.0, requests("find-payment", "_none", kicc.ResDuplicate, "200"))
	assert.Equal(t, 1.0, requests("find", "_none", "_none", "415"), "refused before decoding: the inquiry is not known")
	assert.Equal(t, 1.0, requests("find-cancel", "conn-reset", "_none", "_none"), "a reset: no HTTP answer, no resCd")
	assert.Equal(t, 1.0, requests("_other", "_none", "_none", "404"))
	assert.Equal(t, 1.0, requests("create", "_none", "0000", "200"))

	finds := float64(defaults + 1 + 1) // find-cancel: the defaults, cancel-partial, conn-reset
	assert.Equal(t, finds, sample(t, f, "kicc_mock_request_duration_seconds", "endpoint", "find-cancel"))

	assert.Equal(t, 1.0, sample(t, f, "kicc_mock_lint_findings_total", "code", lint.IDShape, "severity", "error"))
	assert.Zero(t, sample(t, f, "kicc_mock_lint_findings_total", "code", lint.CardField, "severity", "warn"),
		"every code is there from the start")

	assert.Equal(t, 1.0, sample(t, f, "kicc_mock_webhook_attempts_total", "kind", server.WebhookApproval, "outcome", "retrying"))
	assert.Equal(t, 1.0, sample(t, f, "kicc_mock_webhook_attempts_total", "kind", server.WebhookApproval, "outcome", "delivered"))

	// Keys: the defaults, cancel-partial, the first of the duplicate pair,
	// the lint finding's, the create. The reset released its key: KICC
	// never saw the request.
	assert.Equal(t, float64(defaults+1+1+1+1), sample(t, f, "kicc_mock_ledger_keys"))
	// Journaled: every request above but the admin calls.
	assert.Equal(t, float64(defaults+1+2+1+1+1+1+1), sample(t, f, "kicc_mock_journal_entries"))
	assert.Equal(t, 100.0, sample(t, f, "kicc_mock_journal_capacity"))
	assert.Contains(t, f, "go_goroutines", "the Go runtime's collector")

	// A scrape is neither counted nor journaled.
	again := m.scrape(t, "")
	assert.Equal(t, sample(t, f, "kicc_mock_journal_entries"), sample(t, again, "kicc_mock_journal_entries"))
}

// TestMetricsBoundTheirLabels: a resCd a scenario makes up is _other, and
// the counters keep counting across an admin reset (Prometheus takes a
// counter that goes down for a restart).
func TestMetricsBoundTheirLabels(t *testing.T) {
	m := newMock(t, server.Config{})
	_, err := m.srv.AddScenarios("t.yaml", []byte("version: 1\nscenarios:\n  - name: made-up-code\n    endpoint: find-cancel\n    responses:\n      - body: {resCd: E-01}\n"))
	require.NoError(t, err)
	assert.Equal(t, "E-01", m.find(context.Background(), m.cancelReq("mock-made-up-code"), "").json(t)["resCd"])
	code, _ := m.admin(http.MethodPost, "/__admin/reset")
	require.Equal(t, http.StatusOK, code)
	f := m.scrape(t, "")
	assert.Equal(t, 1.0, sample(t, f, "kicc_mock_requests_total",
		"endpoint", "find-cancel", "scenario", "made-up-code", "res_cd", "_other", "status", "200"))
}

// TestMetricsReadTheResCdOfEveryAnswer: answers that are not rendered
// from a scenario carry their resCd too: a replayed answer, the sandbox's
// answer from its state, its refusal of an id it never issued.
func TestMetricsReadTheResCdOfEveryAnswer(t *testing.T) {
	cfg := sandboxConfig()
	cfg.Idempotency = server.IdempotencyReplay
	cfg.StrictTransactions = true
	m := newMock(t, cfg)
	ctx := context.Background()
	pg := m.create("http://127.0.0.1:1/unused", "ORD-S", 1000)["pgCno"].(string)
	req := m.paymentReq(pg)
	for range 2 { // the second is the first's answer, replayed
		require.Equal(t, "0000", m.find(ctx, req, "").json(t)["resCd"])
	}
	require.Equal(t, kicc.ResNotFound, m.find(ctx, m.paymentReq("25112512000010000009"), "").json(t)["resCd"])
	f := m.scrape(t, "")
	assert.Equal(t, 2.0, sample(t, f, "kicc_mock_requests_total",
		"endpoint", "find-payment", "scenario", "_none", "res_cd", "0000", "status", "200"))
	assert.Equal(t, 1.0, sample(t, f, "kicc_mock_requests_total",
		"endpoint", "find-payment", "scenario", "_none", "res_cd", kicc.ResNotFound, "status", "200"))
}

// TestMetricsNeedTheAdminToken: with --admin-token, /metrics is guarded like
// the admin API, and a scraper sends the token as a bearer token.
func TestMetricsNeedTheAdminToken(t *testing.T) {
	m := newMock(t, server.Config{AdminToken: "scrape-me"})
	req, err := http.NewRequest(http.MethodGet, m.http.URL+"/metrics", nil)
	require.NoError(t, err)
	resp, err := m.client.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	assert.Contains(t, m.scrape(t, "scrape-me"), "kicc_mock_ledger_keys")
}
