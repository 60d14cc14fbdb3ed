package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kicc-mock/kicc-mock/kicc"
	"github.com/kicc-mock/kicc-mock/lint"
	"github.com/kicc-mock/kicc-mock/server"
)

type lintSummary struct {
	Mode  string
	Codes []struct {
		Code  string
		Count int
		Last  struct{ Field, Message string }
	}
}

func (m *mock) lintSummary() lintSummary {
	m.t.Helper()
	code, b := m.admin(http.MethodGet, "/__admin/lint")
	require.Equal(m.t, http.StatusOK, code)
	var s lintSummary
	require.NoError(m.t, json.Unmarshal(b, &s))
	return s
}

// TestLintFindingsReachEveryChannel: a finding is in the answer's header,
// the journal entry and the summary; by default the answer is as usual.
func TestLintFindingsReachEveryChannel(t *testing.T) {
	m := newMock(t, server.Config{})
	r := m.find(context.Background(), m.paymentReq("1"), "")
	require.Equal(t, http.StatusOK, r.status)
	assert.Equal(t, "0000", r.json(t)["resCd"], "warn mode answers as usual")
	assert.Equal(t, "error:id-shape:pgCno", r.header.Get(server.LintHeader))

	_, b := m.admin(http.MethodGet, "/__admin/requests?limit=1")
	var listed struct {
		Requests []struct{ Lint []lint.Finding }
	}
	require.NoError(t, json.Unmarshal(b, &listed))
	require.Len(t, listed.Requests, 1)
	require.Len(t, listed.Requests[0].Lint, 1)
	assert.Equal(t, lint.IDShape, listed.Requests[0].Lint[0].Code)
	assert.Contains(t, listed.Requests[0].Lint[0].Message, `pgCno "1" is not shaped like a KICC id`)

	m.find(context.Background(), m.paymentReq("2"), "")
	s := m.lintSummary()
	assert.Equal(t, "warn", s.Mode)
	require.Len(t, s.Codes, 1)
	assert.Equal(t, lint.IDShape, s.Codes[0].Code)
	assert.Equal(t, 2, s.Codes[0].Count)
	assert.Contains(t, s.Codes[0].Last.Message, `"2"`)

	code, _ := m.admin(http.MethodPost, "/__admin/reset")
	require.Equal(t, http.StatusOK, code)
	assert.Empty(t, m.lintSummary().Codes, "reset forgets the summary")

	clean := m.find(context.Background(), m.paymentReq("25112512000010000001"), "")
	assert.Empty(t, clean.header.Get(server.LintHeader), "a well-formed request has no findings")
}

func TestLintOffReportsNothing(t *testing.T) {
	m := newMock(t, server.Config{Lint: lint.Off})
	r := m.find(context.Background(), m.paymentReq("1"), "")
	assert.Empty(t, r.header.Get(server.LintHeader))
	assert.Equal(t, "off", m.lintSummary().Mode)
	assert.Empty(t, m.lintSummary().Codes)
}

// TestLintOfTheSandboxsIds: with transactions held, an id the mock never
// issued, and a swapped pair, are found; strict mode refuses both with
// 1020 and leaves the key unused.
func TestLintOfTheSandboxsIds(t *testing.T) {
	for _, strict := range []bool{false, true} {
		cfg := sandboxConfig()
		if strict {
			cfg.Lint = lint.Strict
		}
		m := newMock(t, cfg)
		pg := m.create("http://127.0.0.1:1/n", "ORD-L", 1000)["pgCno"].(string)
		code, _ := m.admin(http.MethodPost, "/__admin/transactions/"+pg+"/pay")
		require.Equal(t, http.StatusOK, code)
		cancel := m.revise(pg, "", kicc.ReviseFull, 0)["cancelPgCno"].(string)

		never := m.paymentReq("25112512000099999999")
		r := m.find(context.Background(), never, "")
		assert.Equal(t, "error:unknown-id:pgCno", r.header.Get(server.LintHeader))
		swapped := m.cancelReq(pg)
		swapped["pgCno"] = cancel
		s := m.find(context.Background(), swapped, "")
		assert.Equal(t, "error:cancel-id-as-pgcno:pgCno, error:cancel-id-as-pgcno:cancelPgCno", s.header.Get(server.LintHeader))
		if !strict {
			assert.Equal(t, "0000", r.json(t)["resCd"], "warn mode: the realistic default answer, flagged")
			assert.Equal(t, "0000", s.json(t)["resCd"])
			continue
		}
		assert.Equal(t, "1020", r.json(t)["resCd"])
		assert.Equal(t, "거래 정보 없음 (pgCno)", r.json(t)["resMsg"])
		assert.Equal(t, "1020", s.json(t)["resCd"])
		never["pgCno"] = pg
		assert.Equal(t, "0000", m.find(context.Background(), never, "").json(t)["resCd"], "the refused request did not use its key")
	}
}

func TestLintOfTheCardAPIsFields(t *testing.T) {
	m := newMock(t, sandboxConfig())
	body := map[string]any{
		"mallId": "T0000001", "shopTransactionId": m.key(), "shopOrderNo": "ORD-C", "goodsName": "Sample Product",
		"returnUrl": "http://127.0.0.1/return", "tradeType": "mweb", "notifyUrl": "http://127.0.0.1:1/n",
		"amountInfo": map[string]any{"currency": "KRW", "totalAmount": 1000}, "amount": 1000, "clientIp": "10.0.0.1",
	}
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(http.MethodPost, m.http.URL+kicc.PathCreate, strings.NewReader(string(b)))
	req.Header.Set("Content-Type", "application/json")
	resp, err := m.client.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, "warn:card-field:amount, warn:card-field:clientIp, info:charset-missing", sortFindings(resp.Header.Get(server.LintHeader)))
}

// sortFindings orders the header's findings (JSON keys come in no fixed
// order of their own in the test's marshalled body).
func sortFindings(h string) string {
	parts := strings.Split(h, ", ")
	var warn, info []string
	for _, p := range parts {
		if strings.HasPrefix(p, "info:") {
			info = append(info, p)
		} else {
			warn = append(warn, p)
		}
	}
	return strings.Join(append(warn, info...), ", ")
}

// TestGatewayAnswersLeaveTheKeyFree: a scripted 503 or a reset never
// reached KICC, so the key is not used: a retry with it is answered, and
// lint notes the retry. A response that says reachedKicc: true uses it.
func TestGatewayAnswersLeaveTheKeyFree(t *testing.T) {
	m := newMock(t, server.Config{})
	_, err := m.srv.AddScenarios("t.yaml", []byte(`version: 1
scenarios:
  - name: kicc-timeout-503
    responses: [{status: 503, reachedKicc: true}]
`))
	require.NoError(t, err)
	for _, tt := range []struct {
		scenario, retry string
	}{
		{"http-503", "0000"},
		{"conn-reset", "0000"},
		{"empty-response", "0000"},
		{"http-500", "1010"},
		{"malformed-json", "1010"},
		{"kicc-timeout-503", "1010"},
	} {
		t.Run(tt.scenario, func(t *testing.T) {
			req := m.cancelReq("25112512300010000002")
			m.find(context.Background(), req, tt.scenario)
			r := m.find(context.Background(), req, "")
			require.NoError(t, r.err)
			assert.Equal(t, tt.retry, r.json(t)["resCd"])
			if tt.retry == "0000" {
				assert.Contains(t, r.header.Get(server.LintHeader), "info:retry-after-transport-error:shopTransactionId")
			}
		})
	}
}

// TestStrictLintLetsAHeaderScenarioAnswer: a scenario named in the header is
// the tester's choice; strict lint does not refuse its request.
func TestStrictLintLetsAHeaderScenarioAnswer(t *testing.T) {
	m := newMock(t, server.Config{Lint: lint.Strict})
	r := m.find(context.Background(), m.paymentReq("1"), "http-503")
	assert.Equal(t, http.StatusServiceUnavailable, r.status)
	assert.Equal(t, "1020", m.find(context.Background(), m.paymentReq("1"), "").json(t)["resCd"])
}
