package server_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kicc-mock/kicc-mock/fault"
	"github.com/kicc-mock/kicc-mock/scenarios"
	"github.com/kicc-mock/kicc-mock/server"
)

// expect is what a built-in's name promises.
type expect struct {
	field, status string // cancelStatus/statusCd and its value
	resCd         string
	http          int
	delay         time.Duration // on the fake clock
	fault         string
}

var builtinExpect = map[string]expect{
	"cancel-approved":          {field: "cancelStatus", status: "TS01"},
	"cancel-full":              {field: "cancelStatus", status: "TS02"},
	"cancel-partial":           {field: "cancelStatus", status: "TS06"},
	"cancel-void":              {field: "cancelStatus", status: "TS12"},
	"cancel-pending-then-full": {field: "cancelStatus", status: "TS01"},
	"payment-approved":         {field: "statusCd", status: "TS01"},
	"payment-full":             {field: "statusCd", status: "TS02"},
	"payment-partial":          {field: "statusCd", status: "TS06"},
	"payment-void":             {field: "statusCd", status: "TS12"},
	"error-missing":            {resCd: "1001"},
	"error-too-long":           {resCd: "1002"},
	"error-invalid":            {resCd: "1003"},
	"error-duplicate":          {resCd: "1010"},
	"error-not-found":          {resCd: "1020"},
	"error-mall":               {resCd: "1030"},
	"error-auth":               {resCd: "1040"},
	"error-wechat":             {resCd: "2001"},
	"error-system":             {resCd: "9999"},
	"http-500":                 {http: 500},
	"http-503":                 {http: 503},
	"slow":                     {field: "cancelStatus", status: "TS02", delay: 25 * time.Second},
	"timeout":                  {fault: "hang"},
	"conn-reset":               {fault: "reset"},
	"empty-response":           {fault: "empty"},
	"malformed-json":           {fault: "malformed"},
}

// requestFor builds a request the scenario answers: a cancel inquiry when it
// answers those, else a payment inquiry; with a magic id when asked.
func (m *mock) requestFor(sc *scenarios.Scenario, magic bool) map[string]any {
	id := "25112512300010000002"
	if magic {
		id = "mock-" + sc.Name + "-1"
	}
	if sc.AppliesTo(scenarios.FindCancel) {
		return m.cancelReq(id)
	}
	return m.paymentReq(id)
}

func TestEveryBuiltinIsReachableByHeaderAndByMagicIDAndDoesWhatItsNameSays(t *testing.T) {
	set := newMock(t, server.Config{}).srv.Scenarios()
	require.Len(t, builtinExpect, set.Len(), "every built-in has an expectation")
	for _, name := range set.Names() {
		want, ok := builtinExpect[name]
		require.True(t, ok, name)
		for _, magic := range []bool{false, true} {
			via := "header"
			if magic {
				via = "magic id"
			}
			t.Run(name+" by "+via, func(t *testing.T) {
				m := newMock(t, server.Config{})
				header := name
				if magic {
					header = ""
				}
				ch := m.findAsync(context.Background(), m.requestFor(set.Lookup(name), magic), header)
				switch {
				case want.delay > 0:
					m.clock.BlockUntil(1)
					m.clock.Advance(want.delay - time.Millisecond)
					select {
					case <-ch:
						t.Fatal("answered before its delay")
					default:
					}
					m.clock.Advance(time.Millisecond)
				case want.fault == "hang":
					m.clock.BlockUntil(1)
					m.clock.Advance(server.DefaultHangDuration)
				}
				r := <-ch
				checkOutcome(t, want, r)
				m.healthy(t)
			})
		}
	}
}

func checkOutcome(t *testing.T, want expect, r reply) {
	t.Helper()
	switch want.fault {
	case "reset":
		require.Error(t, r.err)
		assert.True(t, errors.Is(r.err, syscall.ECONNRESET), "want ECONNRESET, got %v", r.err)
		return
	case "empty", "hang":
		require.Error(t, r.err)
		assert.True(t, errors.Is(r.err, io.EOF) || errors.Is(r.err, io.ErrUnexpectedEOF), "want EOF, got %v", r.err)
		return
	case "malformed":
		require.NoError(t, r.err)
		assert.Equal(t, http.StatusOK, r.status)
		assert.Equal(t, server.ContentTypeJSON, r.header.Get("Content-Type"))
		var v any
		assert.Error(t, jsonUnmarshal(r.body, &v), "body %q must not parse", r.body)
		return
	}
	require.NoError(t, r.err)
	if want.http != 0 {
		assert.Equal(t, want.http, r.status)
		body := r.json(t)
		assert.NotContains(t, body, "resCd", "KICC sends resCd only with HTTP 200")
		return
	}
	assert.Equal(t, http.StatusOK, r.status)
	body := r.json(t)
	if want.resCd != "" {
		assert.Equal(t, want.resCd, body["resCd"])
		assert.NotEmpty(t, body["resMsg"])
		assert.NotContains(t, body, "cancelStatus")
		assert.NotContains(t, body, "statusCd")
		assert.NotContains(t, body, "amountInfo")
		assert.NotEmpty(t, body["shopTransactionId"], "ids are echoed")
		return
	}
	assert.Equal(t, "0000", body["resCd"])
	assert.Equal(t, want.status, body[want.field])
	assert.NotEmpty(t, body["amountInfo"])
}

func TestUnknownScenarioHeaderIs400ListingTheKnownNames(t *testing.T) {
	m := newMock(t, server.Config{})
	r := m.find(context.Background(), m.cancelReq("25112512300010000002"), "cancel-ful")
	require.NoError(t, r.err)
	assert.Equal(t, http.StatusBadRequest, r.status)
	body := r.json(t)
	assert.Contains(t, body["message"], `unknown scenario "cancel-ful"`)
	assert.Contains(t, body["scenarios"], "cancel-full")
	assert.Contains(t, body["scenarios"], "conn-reset")
}

func TestAHeaderScenarioOfTheOtherInquiryIs400AndKeepsTheKey(t *testing.T) {
	m := newMock(t, server.Config{})
	req := m.paymentReq("25112512000010000001")
	r := m.find(context.Background(), req, "cancel-partial")
	assert.Equal(t, http.StatusBadRequest, r.status)
	r = m.find(context.Background(), req, "")
	assert.Equal(t, "0000", r.json(t)["resCd"], "the rejected request did not use up its key")
}

func TestValidationStillComesFirst(t *testing.T) {
	m := newMock(t, server.Config{})
	req := m.cancelReq("mock-cancel-partial")
	delete(req, "mallId")
	r := m.find(context.Background(), req, "http-500")
	assert.Equal(t, http.StatusOK, r.status)
	assert.Equal(t, "1001", r.json(t)["resCd"])
}

func TestCancelPendingThenFullAdvancesPerCancelPgCno(t *testing.T) {
	m := newMock(t, server.Config{})
	got := func(id string) any {
		return m.find(context.Background(), m.cancelReq(id), "").json(t)["cancelStatus"]
	}
	a, b := "mock-cancel-pending-then-full-a", "mock-cancel-pending-then-full-b"
	assert.Equal(t, "TS01", got(a))
	assert.Equal(t, "TS01", got(a))
	assert.Equal(t, "TS01", got(b), "another cancelPgCno has its own sequence")
	assert.Equal(t, "TS02", got(a))
	assert.Equal(t, "TS02", got(a), "the last response repeats")
	m.srv.ResetScenarios()
	assert.Equal(t, "TS01", got(a), "reset restarts sequences")
}

func TestScenarioBodiesAreLaidOverTheDefaultAnswerInKICCOrder(t *testing.T) {
	m := newMock(t, server.Config{})
	_, err := m.srv.AddScenarios("rt.yaml", []byte(`
version: 1
scenarios:
  - name: custom
    endpoint: find-cancel
    responses:
      - body:
          extra: "{{request.mallId}}"
          amountInfo: {totAmount: "{{fake \"number:700,700\"}}"}
          cancelStatus: TS06
          resDetailMsg: detail
          transactionDate: null
`))
	require.NoError(t, err)
	r := m.find(context.Background(), m.cancelReq("25112512300010000002"), "custom")
	require.NoError(t, r.err)
	assert.Regexp(t, `^\{"resCd":"0000","resMsg":"정상처리","shopTransactionId":"key-\d+","mallId":"T0000001",`+
		`"pgCno":"25112512000010000001","cancelPgCno":"25112512300010000002","cancelStatus":"TS06",`+
		`"resDetailMsg":"detail","amountInfo":\{"currency":"KRW","totAmount":700\},"extra":"T0000001"\}$`, string(r.body))
	assert.Equal(t, "custom", r.header.Get("X-KICC-Mock-Scenario"))
}

func TestMatchRulesSelectWithoutHeaders(t *testing.T) {
	m := newMock(t, server.Config{})
	_, err := m.srv.AddScenarios("rt.yaml", []byte(`
version: 1
scenarios:
  - name: merchant-2-down
    match: {mallId: T0000002}
    responses: [{status: 503}]
`))
	require.NoError(t, err)
	req := m.cancelReq("25112512300010000002")
	assert.Equal(t, http.StatusOK, m.find(context.Background(), req, "").status)
	req = m.cancelReq("25112512300010000002")
	req["mallId"] = "T0000002"
	assert.Equal(t, http.StatusServiceUnavailable, m.find(context.Background(), req, "").status)
	require.NoError(t, m.srv.RemoveScenario("merchant-2-down"))
	req["shopTransactionId"] = m.key()
	assert.Equal(t, http.StatusOK, m.find(context.Background(), req, "").status)
	assert.ErrorIs(t, m.srv.RemoveScenario("slow"), server.ErrNotRuntime)
	assert.ErrorIs(t, m.srv.RemoveScenario("nope"), server.ErrUnknownScenario)
}

func TestTheDefaultScenarioIsSettablePerEndpoint(t *testing.T) {
	m := newMock(t, server.Config{})
	require.NoError(t, m.srv.SetDefaultScenario(scenarios.FindCancel, "cancel-partial"))
	assert.Equal(t, "cancel-partial", m.srv.DefaultScenario(scenarios.FindCancel))
	assert.Equal(t, "TS06", m.find(context.Background(), m.cancelReq("25112512300010000002"), "").json(t)["cancelStatus"])
	assert.Equal(t, "TS01", m.find(context.Background(), m.paymentReq("25112512000010000001"), "").json(t)["statusCd"])
	assert.Error(t, m.srv.SetDefaultScenario(scenarios.FindPayment, "cancel-partial"))
	assert.ErrorIs(t, m.srv.SetDefaultScenario(scenarios.FindPayment, "nope"), server.ErrUnknownScenario)
	assert.ErrorIs(t, m.srv.SetDefaultScenario("find-all", "slow"), server.ErrUnknownEndpoint)
	m.srv.ResetScenarios()
	assert.Equal(t, "TS02", m.find(context.Background(), m.cancelReq("25112512300010000002"), "").json(t)["cancelStatus"])
}

func TestADelayEndsWhenTheClientLeavesAndBlocksNoOne(t *testing.T) {
	m := newMock(t, server.Config{})
	ctx, cancel := context.WithCancel(context.Background())
	slow := m.findAsync(ctx, m.cancelReq("25112512300010000002"), "slow")
	m.clock.BlockUntil(1)
	m.healthy(t) // answered while the slow request waits
	cancel()
	r := <-slow
	assert.ErrorIs(t, r.err, context.Canceled)
	m.healthy(t)
}

func TestTheHangFaultHoldsPastTheClientTimeoutAndEndsWhenTheClientLeaves(t *testing.T) {
	m := newMock(t, server.Config{})
	ctx, cancel := context.WithCancel(context.Background())
	ch := m.findAsync(ctx, m.cancelReq("25112512300010000002"), "timeout")
	m.clock.BlockUntil(1)
	m.clock.Advance(30 * time.Second)
	select {
	case r := <-ch:
		t.Fatalf("answered at 30 s: %+v", r)
	default:
	}
	cancel() // the client's 30 s timeout
	assert.ErrorIs(t, (<-ch).err, context.Canceled)
	m.healthy(t)
}

func TestTheHangFaultEndsWhenTheServerCloses(t *testing.T) {
	m := newMock(t, server.Config{})
	ch := m.findAsync(context.Background(), m.cancelReq("25112512300010000002"), "timeout")
	m.clock.BlockUntil(1)
	m.srv.Close()
	assert.Error(t, (<-ch).err)
}

func TestMaxDelayCutsBuiltinDelays(t *testing.T) {
	m := newMock(t, server.Config{MaxDelay: 5 * time.Second})
	ch := m.findAsync(context.Background(), m.cancelReq("25112512300010000002"), "slow")
	m.clock.BlockUntil(1)
	m.clock.Advance(5 * time.Second)
	assert.Equal(t, http.StatusOK, (<-ch).status)
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	require.NoError(t, os.WriteFile(path, []byte(content), 0o644))
}

func TestScenarioFilesLoadAtStartAndABadOneFailsFast(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "a.yaml"), "version: 1\nscenarios:\n  - name: mine\n    responses: [{status: 502}]\n")
	m := newMock(t, server.Config{ScenarioDir: dir})
	assert.Equal(t, scenarios.SourceFile, m.srv.Scenarios().Lookup("mine").Source)
	assert.Equal(t, http.StatusBadGateway, m.find(context.Background(), m.cancelReq("mock-mine"), "").status)

	writeFile(t, filepath.Join(dir, "b.yaml"), "version: 1\nscenarios:\n  - name: bad\n    responses: [{delay: 40s}]\n")
	_, err := server.New(server.Config{ScenarioDir: dir})
	assert.ErrorContains(t, err, filepath.Join(dir, "b.yaml")+":4: delay 40s is over the maximum of 30s")
}

func TestWatchReloadsChangedFilesAndKeepsTheLastGoodSet(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "a.yaml")
	writeFile(t, file, "version: 1\nscenarios:\n  - name: one\n    responses: [{status: 502}]\n")
	m := newMock(t, server.Config{ScenarioDir: dir, Watch: true})
	tick := func() {
		m.clock.BlockUntil(1) // the watcher waits for its next look
		m.clock.Advance(server.DefaultWatchInterval)
		m.clock.BlockUntil(1) // and has looked
	}
	writeFile(t, file, "version: 1\nscenarios:\n  - name: two\n    responses: [{status: 502}]\n")
	tick()
	assert.NotNil(t, m.srv.Scenarios().Lookup("two"))
	assert.Nil(t, m.srv.Scenarios().Lookup("one"))

	writeFile(t, file, "version: 1\nscenarios:\n  - name: three\n    respones: []\n")
	tick()
	assert.NotNil(t, m.srv.Scenarios().Lookup("two"), "a bad file keeps the last good set")
	assert.Nil(t, m.srv.Scenarios().Lookup("three"))
}

func TestEveryFaultNameHasAnImplementation(t *testing.T) {
	for _, f := range scenarios.Faults {
		_, ok := fault.Lookup(f)
		assert.True(t, ok, f)
	}
}

// TestFaultsLeaveAKeepAliveClientUsable sends every fault through one
// ordinary pooled client, as an application would, with a normal request
// between each: the fault reaches the client as an error and the next
// request is served.
func TestFaultsLeaveAKeepAliveClientUsable(t *testing.T) {
	m := newMock(t, server.Config{})
	m.client = &http.Client{Transport: &http.Transport{}}
	for _, tc := range []struct{ scenario, fault string }{
		{"conn-reset", "reset"}, {"empty-response", "empty"}, {"malformed-json", "malformed"}, {"timeout", "hang"},
	} {
		m.healthy(t)
		ch := m.findAsync(context.Background(), m.cancelReq("25112512300010000002"), tc.scenario)
		if tc.fault == "hang" {
			m.clock.BlockUntil(1)
			m.clock.Advance(server.DefaultHangDuration)
		}
		checkOutcome(t, expect{fault: tc.fault}, <-ch)
		m.healthy(t)
	}
}
