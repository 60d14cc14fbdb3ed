package e2e

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestLoadTenThousandDelays is the benchmark: 10,000 concurrent
// requests, each delayed 5 s by a scenario, from this one load process to a
// kicc-mock process of its own on loopback (two processes, so each stays
// under its file-descriptor limit). All must be answered, and the p99 of
// (latency - 5 s) must stay under 100 ms. It reports the server's peak RSS.
//
// It runs only when asked: KICC_MOCK_LOAD=1 go test -run TestLoadTenThousandDelays -v ./e2e/
// (without -race: the numbers in BENCHMARKS.md are of a plain build).
func TestLoadTenThousandDelays(t *testing.T) {
	if testing.Short() || os.Getenv("KICC_MOCK_LOAD") == "" {
		t.Skip("set KICC_MOCK_LOAD=1 to run the 10,000-request load test")
	}
	const (
		n     = 10_000
		delay = 5 * time.Second
	)
	dir := t.TempDir()
	bin := binary(t)
	scen := filepath.Join(dir, "scenarios")
	os.Mkdir(scen, 0o755)
	os.WriteFile(filepath.Join(scen, "five.yaml"), []byte("version: 1\nscenarios:\n  - name: five-seconds\n    responses: [{delay: 5s}]\n"), 0o644)

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	srv := exec.CommandContext(ctx, bin, "--addr", addr, "--scenarios", scen, "--idempotency", "off", "--log-level", "error")
	srv.Stderr = os.Stderr
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { srv.Process.Kill(); srv.Wait() }()
	url := "http://" + addr + "/api/trades/wechatpay/find"
	waitUp(t, "http://"+addr+"/__admin/health")

	tr := &http.Transport{DisableKeepAlives: true, MaxConnsPerHost: 0,
		DialContext: (&net.Dialer{Timeout: 30 * time.Second}).DialContext}
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	late := make([]time.Duration, n)
	full := make([]time.Duration, n) // including opening the connection
	var failed, inFlight, peak atomic.Int64
	var wg sync.WaitGroup
	begin := time.Now()
	for i := range n {
		if i%250 == 249 { // open connections at 5,000/s: the listen backlog is finite
			time.Sleep(50 * time.Millisecond)
		}
		wg.Go(func() {
			body := fmt.Sprintf(`{"mallId":"T0000001","shopTransactionId":"load-%d","pgCno":"25112512000010000001","cancelPgCno":"25112512300010000002"}`, i)
			req, _ := http.NewRequestWithContext(ctx, http.MethodPost, url, strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json; charset=utf-8")
			req.Header.Set("X-KICC-Mock-Scenario", "five-seconds")
			// Lateness is measured from the request written to the first
			// byte of the answer: the delay's own accuracy, without the
			// time to open a connection under load.
			var wrote, first time.Time
			req = req.WithContext(httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
				WroteRequest:         func(httptrace.WroteRequestInfo) { wrote = time.Now() },
				GotFirstResponseByte: func() { first = time.Now() },
			}))
			t0 := time.Now()
			cur := inFlight.Add(1)
			for p := peak.Load(); cur > p && !peak.CompareAndSwap(p, cur); p = peak.Load() {
			}
			resp, err := client.Do(req)
			if err == nil {
				_, err = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if err == nil && resp.StatusCode != http.StatusOK {
					err = fmt.Errorf("status %d", resp.StatusCode)
				}
			}
			inFlight.Add(-1)
			late[i] = first.Sub(wrote) - delay
			full[i] = time.Since(t0) - delay
			if err != nil {
				if failed.Add(1) <= 5 {
					t.Logf("request %d: %v", i, err)
				}
			}
		})
	}
	wg.Wait()
	total := time.Since(begin)
	rss := vmHWM(t, srv.Process.Pid)
	sort.Slice(late, func(i, j int) bool { return late[i] < late[j] })
	sort.Slice(full, func(i, j int) bool { return full[i] < full[j] })
	p := func(q float64) time.Duration { return late[int(q*float64(n-1))] }
	pf := func(q float64) time.Duration { return full[int(q*float64(n-1))] }
	t.Logf("%d requests, %d failed, peak in flight %d, wall %v", n, failed.Load(), peak.Load(), total.Round(time.Millisecond))
	t.Logf("lateness (latency - 5s): min %v p50 %v p99 %v max %v", p(0), p(0.5), p(0.99), p(1))
	t.Logf("with connection setup: p50 %v p99 %v max %v", pf(0.5), pf(0.99), pf(1))
	t.Logf("server peak RSS (VmHWM): %s; load process VmHWM: %s", rss, vmHWM(t, os.Getpid()))
	if failed.Load() > 0 {
		t.Errorf("%d requests failed", failed.Load())
	}
	if peak.Load() < n {
		t.Errorf("only %d requests were in flight at once", peak.Load())
	}
	if p(0) < 0 {
		t.Errorf("a request was answered before its delay: %v", p(0))
	}
	if p(0.99) >= 100*time.Millisecond {
		t.Errorf("p99 lateness %v, want < 100ms", p(0.99))
	}
}

func waitUp(t *testing.T, url string) {
	for range 100 {
		if resp, err := http.Get(url); err == nil {
			resp.Body.Close()
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("kicc-mock did not come up")
}

func vmHWM(t *testing.T, pid int) string {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return "unknown (" + err.Error() + ")"
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}
