package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kicc-mock/kicc-mock/client"
	"github.com/kicc-mock/kicc-mock/mocktest"
)

// driftUpstream answers the payment inquiry with a resCd of its own and the
// cancel inquiry with a date in another format: what drift must name.
const driftUpstream = `version: 1
scenarios:
  - name: drifted-payment
    endpoint: find-payment
    match: {pgCno: "23110811420910846419"}
    responses:
      - body: {resCd: "1020"}
  - name: drifted-cancel
    endpoint: find-cancel
    match: {cancelPgCno: "25122722044210122121"}
    responses:
      - body: {transactionDate: "2026-11-25 12:00:00"}
`

func TestDriftNamesTheDifferencesAndExitsOne(t *testing.T) {
	up := mocktest.Start(t)
	require.NoError(t, up.Admin.AddScenarios(context.Background(), []byte(driftUpstream)))
	var stdout, stderr bytes.Buffer
	code := run([]string{"drift", "--upstream", up.URL}, &stdout, &stderr)
	assert.Equal(t, 1, code, "%s%s", stdout.String(), stderr.String())
	out := stdout.String()
	t.Log("\n" + out)
	assert.Regexp(t, `find-payment +resCd +"1020" +"0000"`, out)
	assert.Regexp(t, `find-payment +statusCd +\(absent\) +"TS01"`, out, "a business error has no status")
	assert.Regexp(t, `find-cancel +transactionDate +string +string yyyyMMddHHmmss`, out)
	assert.Contains(t, out, "in 2 of 6 calls", "find-payment and find-cancel; the reused key is 1010 on both")
}

func TestDriftExitsZeroWhenTheAnswersAgree(t *testing.T) {
	up, mock := mocktest.Start(t), mocktest.Start(t)
	var stdout, stderr bytes.Buffer
	code := run([]string{"drift", "--upstream", up.URL, "--mock", mock.URL}, &stdout, &stderr)
	assert.Equal(t, 0, code, "%s%s", stdout.String(), stderr.String())
	assert.Equal(t, "no differences in 6 calls\n", stdout.String())

	code = run([]string{"drift"}, &stdout, &stderr)
	assert.Equal(t, 2, code, "--upstream is required")
}

func TestTriggerResendsUntilAcked(t *testing.T) {
	var calls atomic.Int32
	var got []byte
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		got, _ = io.ReadAll(r.Body)
		_, _ = io.WriteString(w, `{"resCd":"0000","resMsg":"정상"}`)
	}))
	t.Cleanup(rcv.Close)
	var stdout, stderr bytes.Buffer
	code := run([]string{"trigger", "cancel", "--to", rcv.URL, "--pgCno", "25122722034810122119",
		"--cancelPgCno", "25122722044210122121", "--amount", "300", "--intervals", "1ms"}, &stdout, &stderr)
	require.Equal(t, 0, code, "%s%s", stdout.String(), stderr.String())
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	t.Log("\n" + stdout.String())
	require.Len(t, lines, 4, "the body, two attempts, the outcome")
	assert.Regexp(t, `attempt 1  HTTP 503  retrying in 1ms: receiver answered HTTP 503$`, lines[1])
	assert.Regexp(t, `attempt 2  HTTP 200  delivered$`, lines[2])
	assert.Equal(t, "delivered on attempt 2", lines[3])
	n, err := client.ParseNotification(got)
	require.NoError(t, err)
	require.NotNil(t, n.Cancel)
	assert.Equal(t, "25122722044210122121", n.Cancel.CancelPgCno)
	assert.Equal(t, int64(300), n.Cancel.AmountInfo.Amount)
}

func TestTriggerGivesUpAndExitsOne(t *testing.T) {
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, `{"resCd":"5001","resMsg":"처리실패"}`)
	}))
	t.Cleanup(rcv.Close)
	var stdout, stderr bytes.Buffer
	code := run([]string{"trigger", "approval", "--to", rcv.URL, "--max-resends", "0"}, &stdout, &stderr)
	assert.Equal(t, 1, code)
	assert.Contains(t, stdout.String(), "attempt 1  HTTP 200  gave-up: receiver's ack has resCd \"5001\"")
	assert.Contains(t, stdout.String(), "not delivered after 1 attempts")
	assert.Equal(t, 2, run([]string{"trigger", "refund", "--to", rcv.URL}, &stdout, &stderr))
	assert.Equal(t, 2, run([]string{"trigger", "approval"}, &stdout, &stderr))
}

func TestRecordUsage(t *testing.T) {
	var stdout, stderr bytes.Buffer
	assert.Equal(t, 2, run([]string{"record", "--upstream", "http://127.0.0.1:1"}, &stdout, &stderr))
	assert.Contains(t, stderr.String(), "--upstream and --out are required")
	assert.Equal(t, 2, run([]string{"record", "--upstream", "ftp://x", "--out", t.TempDir()}, &stdout, &stderr))
	for _, u := range []string{"ftp://merchant:hunter2@x", "http://merchant:hunter2@x%zz"} {
		stderr.Reset()
		assert.Equal(t, 2, run([]string{"record", "--upstream", u, "--out", t.TempDir()}, &stdout, &stderr))
		assert.NotContains(t, stderr.String(), "hunter2", "the password of a refused upstream")
	}
}

func TestDriftExitsThreeWhenAServerDoesNotAnswer(t *testing.T) {
	dead := httptest.NewServer(http.NotFoundHandler())
	dead.Close()
	mock := mocktest.Start(t)
	var stdout, stderr bytes.Buffer
	code := run([]string{"drift", "--upstream", dead.URL, "--mock", mock.URL}, &stdout, &stderr)
	assert.Equal(t, 3, code, "a dead upstream is not a drift\n%s%s", stdout.String(), stderr.String())
	assert.Contains(t, stderr.String(), "no answer to 6 of 6 calls")
	assert.Contains(t, stdout.String(), "connection refused", "the table says why")

	stdout.Reset()
	code = run([]string{"drift", "--upstream", dead.URL, "--mock", dead.URL}, &stdout, &stderr)
	assert.Equal(t, 3, code, "two servers equally dead have no differences, and were not compared\n%s", stdout.String())
	assert.Equal(t, "no answer to 6 of 6 calls: not compared\n", stdout.String())

	stderr.Reset()
	assert.Equal(t, 2, run([]string{"drift", "--upstream", "testpgapi.easypay.co.kr", "--mock", mock.URL}, &stdout, &stderr))
	assert.Contains(t, stderr.String(), "--upstream is not an http(s) URL")
	assert.Equal(t, 2, run([]string{"drift", "--upstream", mock.URL, "--mock", "127.0.0.1:8080"}, &stdout, &stderr))
}

func TestTriggerRefusesAWaitThatIsNotPositive(t *testing.T) {
	for _, iv := range []string{"0", "1ms,0s", "-1s"} {
		var stdout, stderr bytes.Buffer
		code := run([]string{"trigger", "approval", "--to", "http://127.0.0.1:9/notify", "--intervals", iv, "--max-resends", "1"}, &stdout, &stderr)
		assert.Equal(t, 2, code, "--intervals %s: the sandbox refuses a wait that is not positive\n%s%s", iv, stdout.String(), stderr.String())
	}
}

func TestTriggerRefusesAURLNoRequestCanGoTo(t *testing.T) {
	for _, to := range []string{"127.0.0.1:3000/kicc/notify", "ftp://127.0.0.1/notify", "http://", "http://%zz"} {
		var stdout, stderr bytes.Buffer
		// Without the check each would be sent, fail and be resent.
		code := run([]string{"trigger", "approval", "--to", to, "--intervals", "1ms", "--max-resends", "1"}, &stdout, &stderr)
		assert.Equal(t, 2, code, "%s: %s%s", to, stdout.String(), stderr.String())
		assert.NotContains(t, stdout.String(), "attempt", to)
	}
}

func TestTriggerPrintsTheURLWithoutItsPassword(t *testing.T) {
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, `{"resCd":"0000","resMsg":"정상"}`)
	}))
	t.Cleanup(rcv.Close)
	var stdout, stderr bytes.Buffer
	to := strings.Replace(rcv.URL, "http://", "http://shop:hunter2@", 1)
	require.Equal(t, 0, run([]string{"trigger", "approval", "--to", to}, &stdout, &stderr), "%s%s", stdout.String(), stderr.String())
	assert.NotContains(t, stdout.String()+stderr.String(), "hunter2")
	assert.Contains(t, stdout.String(), "http://shop:xxxxx@")
}

func TestRecordServerHasServesTimeouts(t *testing.T) {
	// A caller that sends its headers and stops mid-body held the proxy's
	// connection and handler for ever (observed: still open after 20 s).
	hs := recordServer(http.NotFoundHandler(), slog.New(slog.DiscardHandler))
	assert.Equal(t, 15*time.Second, hs.ReadTimeout, "a stalled body is cut as serve cuts it")
	assert.Equal(t, 120*time.Second, hs.IdleTimeout)
	assert.Greater(t, hs.WriteTimeout, 30*time.Second, "room for the upstream's 30 s")
}
