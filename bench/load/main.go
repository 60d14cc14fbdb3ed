// Command load is the harness's load generator: it drives a kicc-mock (or the
// baseline) on loopback and prints what it measured as one JSON line. Every
// loop is bounded in requests and in time.
//
//	load find    -url U -c 64 -d 10s        closed-loop find requests, unique keys
//	load delays  -url U -n 10000 -delay 5s  N concurrent requests answered after a scripted delay
//	load startup -- CMD ARGS...             time from exec to the first 200 on -url
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/http/httptrace"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: load find|delays|startup [flags]")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "find":
		err = find(os.Args[2:])
	case "delays":
		err = delays(os.Args[2:])
	case "startup":
		err = startup(os.Args[2:])
	default:
		err = fmt.Errorf("unknown mode %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(1)
	}
}

// result is what every mode prints.
type result struct {
	Mode     string  `json:"mode"`
	Requests int64   `json:"requests"`
	Errors   int64   `json:"errors"`
	RPS      float64 `json:"rps,omitempty"`
	P50ms    float64 `json:"p50_ms"`
	P99ms    float64 `json:"p99_ms"`
	MaxMs    float64 `json:"max_ms"`
	FirstErr string  `json:"first_error,omitempty"`
	// RampCPUPct is the load generator's own CPU use, in % of one core,
	// while it opened the delay test's connections.
	RampCPUPct float64 `json:"load_ramp_cpu_pct,omitempty"`
}

// cpuTime is the CPU time this process has used, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func transport(conns int) *http.Transport {
	return &http.Transport{
		MaxIdleConns:        conns,
		MaxIdleConnsPerHost: conns,
		MaxConnsPerHost:     conns,
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
	}
}

const bodyFmt = `{"mallId":"T0000001","shopTransactionId":"%s","pgCno":"25122722034810122119","cancelPgCno":"25122722044210122121"}`

// keyPrefix makes keys unique across runs against one long-lived server.
var keyPrefix = strconv.FormatInt(time.Now().UnixNano(), 36) + "-"

func newRequest(ctx context.Context, url string, n uint64, scenario string) *http.Request {
	body := fmt.Sprintf(bodyFmt, keyPrefix+strconv.FormatUint(n, 36))
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, url+"/api/trades/wechatpay/find", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	if scenario != "" {
		req.Header.Set("X-KICC-Mock-Scenario", scenario)
	}
	return req
}

// call sends one request and checks it is a KICC success.
func call(c *http.Client, req *http.Request) error {
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK || !bytes.Contains(data, []byte(`"resCd":"0000"`)) {
		return fmt.Errorf("HTTP %d: %.120s", resp.StatusCode, data)
	}
	return nil
}

type recorder struct {
	mu       sync.Mutex
	lat      []time.Duration
	errors   atomic.Int64
	firstErr atomic.Value
}

func (r *recorder) add(d time.Duration, err error) {
	if err != nil {
		if r.errors.Add(1) == 1 {
			r.firstErr.Store(err.Error())
		}
		return
	}
	r.mu.Lock()
	r.lat = append(r.lat, d)
	r.mu.Unlock()
}

func (r *recorder) result(mode string, elapsed time.Duration, offset time.Duration) result {
	slices.Sort(r.lat)
	pct := func(p float64) float64 {
		if len(r.lat) == 0 {
			return 0
		}
		i := int(p * float64(len(r.lat)-1))
		return float64(r.lat[i]-offset) / float64(time.Millisecond)
	}
	res := result{Mode: mode, Requests: int64(len(r.lat)) + r.errors.Load(), Errors: r.errors.Load(),
		P50ms: pct(0.50), P99ms: pct(0.99), MaxMs: pct(1)}
	if elapsed > 0 {
		res.RPS = float64(len(r.lat)) / elapsed.Seconds()
	}
	if s, ok := r.firstErr.Load().(string); ok {
		res.FirstErr = s
	}
	return res
}

func find(args []string) error {
	fs := flag.NewFlagSet("find", flag.ExitOnError)
	url := fs.String("url", "http://127.0.0.1:8080", "base URL")
	conns := fs.Int("c", 64, "concurrent connections")
	dur := fs.Duration("d", 10*time.Second, "duration")
	max := fs.Int64("n", 5_000_000, "at most this many requests")
	warm := fs.Duration("warmup", time.Second, "unmeasured warm-up")
	_ = fs.Parse(args)

	client := &http.Client{Transport: transport(*conns), Timeout: 30 * time.Second}
	var seq atomic.Uint64
	run := func(d time.Duration, rec *recorder) time.Duration {
		ctx, cancel := context.WithTimeout(context.Background(), d)
		defer cancel()
		var sent atomic.Int64
		var wg sync.WaitGroup
		start := time.Now()
		for i := 0; i < *conns; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for ctx.Err() == nil && sent.Add(1) <= *max {
					req := newRequest(context.Background(), *url, seq.Add(1), "")
					t := time.Now()
					err := call(client, req)
					if rec != nil && ctx.Err() == nil {
						rec.add(time.Since(t), err)
					}
				}
			}()
		}
		wg.Wait()
		return time.Since(start)
	}
	run(*warm, nil)
	rec := &recorder{}
	elapsed := run(*dur, rec)
	return emit(rec.result("find", elapsed, 0))
}

func delays(args []string) error {
	fs := flag.NewFlagSet("delays", flag.ExitOnError)
	url := fs.String("url", "http://127.0.0.1:8080", "base URL")
	n := fs.Int("n", 10_000, "concurrent requests")
	delay := fs.Duration("delay", 5*time.Second, "the delay the scenario scripts")
	scenario := fs.String("scenario", "bench-delay-5s", "scenario name sent in X-KICC-Mock-Scenario")
	rate := fs.Int("open-rate", 2500, "new connections per second while ramping up (0 = all at once)")
	_ = fs.Parse(args)

	client := &http.Client{Transport: transport(*n), Timeout: *delay + 30*time.Second}
	// Lateness is measured from the moment the request is written to its
	// first answer byte: the mock's delay accuracy. Connection setup is the
	// kernel's accept queue, reported separately as end-to-end.
	late, total := &recorder{}, &recorder{}
	var wg sync.WaitGroup
	start := time.Now()
	cpu0 := cpuTime()
	for i := 0; i < *n; i++ {
		if *rate > 0 && i > 0 && i%(*rate/100+1) == 0 {
			time.Sleep(10 * time.Millisecond)
		}
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			var wrote, first time.Time
			trace := &httptrace.ClientTrace{
				WroteRequest:         func(httptrace.WroteRequestInfo) { wrote = time.Now() },
				GotFirstResponseByte: func() { first = time.Now() },
			}
			ctx := httptrace.WithClientTrace(context.Background(), trace)
			req := newRequest(ctx, *url, uint64(i), *scenario)
			t := time.Now()
			err := call(client, req)
			total.add(time.Since(t), err)
			if err == nil {
				late.add(first.Sub(wrote), nil)
			} else {
				late.add(0, err)
			}
		}(i)
	}
	// The ramp is when this process works hardest (dialling and writing
	// while earlier answers are not due yet); a load generator near 100 %
	// of its core there times its own scheduling, not the mock's delays.
	rampCPU := 100 * (cpuTime() - cpu0).Seconds() / time.Since(start).Seconds()
	wg.Wait()
	res := late.result("delays", time.Since(start), *delay)
	res.RampCPUPct = math.Round(rampCPU)
	e2e := total.result("delays-end-to-end", 0, *delay)
	fmt.Fprintf(os.Stderr, "end to end (connect included): p50 %.1f ms, p99 %.1f ms, max %.1f ms late\n", e2e.P50ms, e2e.P99ms, e2e.MaxMs)
	return emit(res)
}

func startup(args []string) error {
	fs := flag.NewFlagSet("startup", flag.ExitOnError)
	url := fs.String("url", "http://127.0.0.1:8080", "base URL")
	runs := fs.Int("runs", 5, "how many starts to measure")
	_ = fs.Parse(args)
	if fs.NArg() == 0 {
		return fmt.Errorf("startup needs a command after --")
	}
	client := &http.Client{Timeout: 100 * time.Millisecond}
	rec := &recorder{}
	for r := 0; r < *runs; r++ {
		cmd := exec.Command(fs.Arg(0), fs.Args()[1:]...)
		t := time.Now()
		if err := cmd.Start(); err != nil {
			return err
		}
		var err error = fmt.Errorf("no 200 within 10 s")
		for time.Since(t) < 10*time.Second {
			resp, e := client.Get(*url + "/__admin/health")
			if e == nil {
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					err = nil
					break
				}
			}
			time.Sleep(200 * time.Microsecond)
		}
		rec.add(time.Since(t), err)
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	}
	return emit(rec.result("startup", 0, 0))
}

func emit(r result) error {
	return json.NewEncoder(os.Stdout).Encode(r)
}
