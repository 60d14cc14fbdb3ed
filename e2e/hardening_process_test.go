package e2e

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Process tests of hardening: graceful shutdown with a delay in flight, and
// state that survives kill -9. They run the real binary (TestMain's
// re-exec) and take a few seconds of real time each.

// findOnce posts a find request and returns the HTTP status and parsed body.
func findOnce(client *http.Client, url, body, scenario string) (int, map[string]any, error) {
	req, err := http.NewRequest(http.MethodPost, url+"/api/trades/wechatpay/find", strings.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	if scenario != "" {
		req.Header.Set("X-KICC-Mock-Scenario", scenario)
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp.StatusCode, nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		return resp.StatusCode, nil, fmt.Errorf("not JSON: %q", data)
	}
	return resp.StatusCode, m, nil
}

func paymentBody(key string) string {
	return `{"mallId":"T0000001","shopTransactionId":"` + key + `","pgCno":"25010112000010123456"}`
}

func cancelBody(key, cancelPgCno string) string {
	return `{"mallId":"T0000001","shopTransactionId":"` + key + `","pgCno":"25010112000010123456","cancelPgCno":"` + cancelPgCno + `"}`
}

// delayDir writes a scenario answering after delay.
func delayDir(t *testing.T, delay string) string {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "slow.yaml"), []byte(`version: 1
scenarios:
  - name: process-slow
    endpoint: find-payment
    responses:
      - delay: `+delay+`
        body: {statusCd: TS02}
`), 0o644))
	return dir
}

// refused waits until a new connection to url's host is refused. A dial
// that the closing listener had queued can end in a reset or a timeout
// instead; those are retried, not counted as refusals or as failures.
func refused(url string, within time.Duration) bool {
	addr := strings.TrimPrefix(url, "http://")
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if errors.Is(err, syscall.ECONNREFUSED) {
			return true
		}
		if err == nil {
			c.Close()
		}
		time.Sleep(20 * time.Millisecond)
	}
	return false
}

func TestProcessSIGTERMLetsADelayedRequestFinish(t *testing.T) {
	cmd, url, log := startProcess(t, "--scenarios", delayDir(t, "2s"), "--shutdown-timeout", "10s")
	type result struct {
		status int
		body   map[string]any
		err    error
	}
	done := make(chan result, 1)
	sent := time.Now()
	go func() {
		st, m, err := findOnce(&http.Client{}, url, paymentBody("graceful-1"), "process-slow")
		done <- result{st, m, err}
	}()
	time.Sleep(300 * time.Millisecond) // let the request reach its delay
	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))

	assert.True(t, refused(url, time.Second), "new connections are refused while the delayed request is in flight")
	select {
	case r := <-done:
		t.Fatalf("the delayed request ended before its delay: %+v", r)
	default:
	}
	r := <-done
	require.NoError(t, r.err)
	assert.Equal(t, http.StatusOK, r.status)
	assert.Equal(t, "TS02", r.body["statusCd"])
	assert.GreaterOrEqual(t, time.Since(sent), 2*time.Second)
	assert.NoError(t, cmd.Wait(), "exit 0 after the request finished:\n%s", log)
	t.Logf("delayed request: HTTP %d statusCd %v after %v; process exited 0", r.status, r.body["statusCd"], time.Since(sent).Round(10*time.Millisecond))
}

func TestProcessShutdownTimeoutCutsADelayAndStillExitsZero(t *testing.T) {
	cmd, url, log := startProcess(t, "--scenarios", delayDir(t, "5s"), "--shutdown-timeout", "500ms")
	done := make(chan error, 1)
	go func() {
		_, _, err := findOnce(&http.Client{}, url, paymentBody("cut-1"), "process-slow")
		done <- err
	}()
	time.Sleep(300 * time.Millisecond)
	signalled := time.Now()
	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	err := <-done
	assert.Error(t, err, "the request is cut at --shutdown-timeout")
	assert.NoError(t, cmd.Wait(), "exit 0 even when requests were cut:\n%s", log)
	took := time.Since(signalled)
	assert.Less(t, took, 3*time.Second, "cut at the timeout, not at the end of the 5 s delay")
	t.Logf("request cut with %v; exit 0 %v after SIGTERM", err, took.Round(10*time.Millisecond))
}

const survivorYAML = `version: 1
scenarios:
  - name: survivor
    endpoint: find-cancel
    responses: [{body: {cancelStatus: TS06}}]
`

// TestProcessKill9KeepsKeysSequencesAndScenarios: load with unique keys
// against a process with --data-dir, kill -9 in the middle, restart on the
// same directory: every key answered 0000 before the kill is a duplicate
// (1010) after it; a sequence continues where it was; a runtime scenario is
// still there.
func TestProcessKill9KeepsKeysSequencesAndScenarios(t *testing.T) {
	dir := t.TempDir()
	cmd, url, _ := startProcess(t, "--data-dir", dir)
	client := &http.Client{Timeout: 5 * time.Second}

	resp, err := client.Post(url+"/__admin/scenarios", "application/yaml", strings.NewReader(survivorYAML))
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	for i, want := range []string{"TS01", "TS01"} {
		_, m, err := findOnce(client, url, cancelBody(fmt.Sprintf("seq-%d", i), "25010112300010000099"), "cancel-pending-then-full")
		require.NoError(t, err)
		require.Equal(t, want, m["cancelStatus"])
	}

	// Load: 8 workers with unique keys until the kill; at most 4,000 each.
	const workers, killAfter = 8, 400
	var (
		mu     sync.Mutex
		ok     []string
		failed atomic.Int64
		nOK    atomic.Int64
		wg     sync.WaitGroup
	)
	killNow := make(chan struct{})
	var once sync.Once
	for w := range workers {
		wg.Go(func() {
			c := &http.Client{Timeout: 5 * time.Second}
			for i := range 4000 {
				key := fmt.Sprintf("k9-%d-%d", w, i)
				st, m, err := findOnce(c, url, paymentBody(key), "")
				if err != nil {
					failed.Add(1)
					return // the process is gone
				}
				if st == http.StatusOK && m["resCd"] == "0000" {
					mu.Lock()
					ok = append(ok, key)
					mu.Unlock()
					if nOK.Add(1) >= killAfter {
						once.Do(func() { close(killNow) })
					}
				}
			}
		})
	}
	<-killNow
	require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
	wg.Wait()
	_ = cmd.Wait()
	t.Logf("before kill -9: %d keys answered 0000; %d workers saw the connection fail", len(ok), failed.Load())

	_, url, _ = startProcess(t, "--data-dir", dir)
	dups := 0
	for _, key := range ok {
		_, m, err := findOnce(client, url, paymentBody(key), "")
		require.NoError(t, err)
		if assert.Equal(t, "1010", m["resCd"], "key %s answered 0000 before the kill", key) {
			dups++
		}
	}
	t.Logf("after restart: %d of %d keys refused as duplicates (1010)", dups, len(ok))

	_, m, err := findOnce(client, url, cancelBody("seq-2", "25010112300010000099"), "cancel-pending-then-full")
	require.NoError(t, err)
	assert.Equal(t, "TS02", m["cancelStatus"], "the sequence continues at its third answer")
	_, m, err = findOnce(client, url, cancelBody("surv-1", "25010112300010000100"), "survivor")
	require.NoError(t, err)
	assert.Equal(t, "TS06", m["cancelStatus"], "the runtime scenario survived")
	t.Logf("after restart: sequence answered %v (3rd answer), runtime scenario 'survivor' answered %v", "TS02", m["cancelStatus"])
}

func TestProcessOversizedHeaderGets431(t *testing.T) {
	_, url, _ := startProcess(t, "--max-header-bytes", "4096")
	req, err := http.NewRequest(http.MethodGet, url+"/__admin/health", nil)
	require.NoError(t, err)
	req.Header.Set("X-Big", strings.Repeat("a", 16<<10))
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, http.StatusRequestHeaderFieldsTooLarge, resp.StatusCode)
	// net/http answers before the handler runs: a text body, not JSON (a
	// documented limitation).
	t.Logf("431 body (from net/http): %q, Content-Type %q", body, resp.Header.Get("Content-Type"))
	assert.False(t, bytes.HasPrefix(body, []byte("{")))
}

func TestProcessSIGTERMEndsAHungConnectionAtOnce(t *testing.T) {
	cmd, url, log := startProcess(t) // --shutdown-timeout 10s, hang 60 s
	done := make(chan error, 1)
	go func() {
		_, _, err := findOnce(&http.Client{}, url, paymentBody("hang-1"), "timeout")
		done <- err
	}()
	time.Sleep(300 * time.Millisecond) // let the request reach its hang
	signalled := time.Now()
	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	assert.Error(t, <-done, "the held connection is closed without an answer")
	assert.NoError(t, cmd.Wait(), "exit 0:\n%s", log)
	took := time.Since(signalled)
	assert.Less(t, took, 5*time.Second, "a hang does not hold the shutdown to its timeout")
	t.Logf("hung request ended and process exited 0 %v after SIGTERM", took.Round(10*time.Millisecond))
}
