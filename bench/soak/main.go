// Command soak drives a running kicc-mock at a steady rate with a mix of
// requests for a bounded time, samples its RSS (/proc/PID/status) and
// goroutines (GET /__admin/stats) every -every, and prints a summary with a
// verdict: "no growth" when the last samples are within tolerance of the
// first sample after warm-up. scripts/soak builds and starts the mock and
// runs it; loopback only.
//
//	soak -url http://127.0.0.1:18580 -pid 1234 -d 10m -rate 200
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// kind is one sort of request in the mix, with its share and what a correct
// answer looks like.
type kind struct {
	name   string
	weight int
	send   func(ctx context.Context, c *http.Client, n uint64) (ok bool, err string)
}

var (
	url      = flag.String("url", "http://127.0.0.1:18580", "base URL of the mock (loopback)")
	pid      = flag.Int("pid", 0, "process id of the mock, for RSS")
	duration = flag.Duration("d", 10*time.Minute, "how long to run")
	rate     = flag.Int("rate", 200, "requests per second")
	every    = flag.Duration("every", 10*time.Second, "sampling period")
	warmup   = flag.Duration("warmup", 0, "warm-up before the baseline sample (default: two -day-every, when the ledger holds its steady two days of keys; at most half of -d)")
	inflight = flag.Int("max-inflight", 512, "most requests in flight; ticks past it are counted as skipped")
	dayEvery = flag.Duration("day-every", time.Minute, "advance the mock's clock by 24h this often, so idempotency keys expire as at KST midnight (0: never)")
)

var prefix = strconv.FormatInt(time.Now().UnixNano(), 36)

const ct = "application/json; charset=utf-8"

func findReq(ctx context.Context, body, scenario string) *http.Request {
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, *url+"/api/trades/wechatpay/find", strings.NewReader(body))
	req.Header.Set("Content-Type", ct)
	if scenario != "" {
		req.Header.Set("X-KICC-Mock-Scenario", scenario)
	}
	return req
}

func payment(key, pgCno string) string {
	return `{"mallId":"T0000001","shopTransactionId":"` + key + `","pgCno":"` + pgCno + `"}`
}

func cancel(key, cancelPgCno string) string {
	return `{"mallId":"T0000001","shopTransactionId":"` + key + `","pgCno":"25010112000010123456","cancelPgCno":"` + cancelPgCno + `"}`
}

func key(n uint64) string { return prefix + "-" + strconv.FormatUint(n, 36) }

// expect sends req and checks the status and, when want is set, that the
// body contains it.
func expect(c *http.Client, req *http.Request, status int, want string) (bool, string) {
	resp, err := c.Do(req)
	if err != nil {
		return false, "transport: " + trim(err.Error())
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return false, "reading body: " + trim(err.Error())
	}
	if resp.StatusCode != status {
		return false, fmt.Sprintf("HTTP %d (want %d)", resp.StatusCode, status)
	}
	if want != "" && !strings.Contains(string(b), want) {
		return false, "body lacks " + want
	}
	return true, ""
}

// expectFailure is for faults: the request must fail at the transport (or,
// for malformed-json, answer JSON that does not parse).
func expectFailure(c *http.Client, req *http.Request) (bool, string) {
	resp, err := c.Do(req)
	if err != nil {
		return true, ""
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || !json.Valid(b) {
		return true, ""
	}
	return false, fmt.Sprintf("fault answered HTTP %d with valid JSON", resp.StatusCode)
}

func trim(s string) string {
	// Keep error kinds few: drop addresses and ports.
	if i := strings.LastIndex(s, ": "); i >= 0 {
		return s[i+2:]
	}
	return s
}

var kinds = []kind{
	{"find-payment default", 30, func(ctx context.Context, c *http.Client, n uint64) (bool, string) {
		return expect(c, findReq(ctx, payment(key(n), "25010112000010123456"), ""), 200, `"resCd":"0000"`)
	}},
	{"find-cancel default", 20, func(ctx context.Context, c *http.Client, n uint64) (bool, string) {
		return expect(c, findReq(ctx, cancel(key(n), "25010112300010123470"), ""), 200, `"cancelStatus":"TS02"`)
	}},
	{"duplicate key", 5, func(ctx context.Context, c *http.Client, n uint64) (bool, string) {
		k := key(n) + "-dup"
		if ok, e := expect(c, findReq(ctx, payment(k, "25010112000010123456"), ""), 200, `"0000"`); !ok {
			return ok, e
		}
		return expect(c, findReq(ctx, payment(k, "25010112000010123456"), ""), 200, `"1010"`)
	}},
	{"header cancel-partial", 5, func(ctx context.Context, c *http.Client, n uint64) (bool, string) {
		return expect(c, findReq(ctx, cancel(key(n), "25010112300010123470"), "cancel-partial"), 200, `"TS06"`)
	}},
	{"header error-wechat", 4, func(ctx context.Context, c *http.Client, n uint64) (bool, string) {
		return expect(c, findReq(ctx, payment(key(n), "25010112000010123456"), "error-wechat"), 200, `"2001"`)
	}},
	{"header http-503", 3, func(ctx context.Context, c *http.Client, n uint64) (bool, string) {
		return expect(c, findReq(ctx, payment(key(n), "25010112000010123456"), "http-503"), 503, "")
	}},
	{"header soak-delay (200-800ms)", 6, func(ctx context.Context, c *http.Client, n uint64) (bool, string) {
		return expect(c, findReq(ctx, payment(key(n), "25010112000010123456"), "soak-delay"), 200, `"TS02"`)
	}},
	{"sequence soak-seq", 4, func(ctx context.Context, c *http.Client, n uint64) (bool, string) {
		// 64 cancelPgCnos walk the sequence over and over.
		id := fmt.Sprintf("250101123000%08d", n%64)
		return expect(c, findReq(ctx, cancel(key(n), id), "soak-seq"), 200, `"cancelStatus":"TS`)
	}},
	{"magic id mock-cancel-void", 4, func(ctx context.Context, c *http.Client, n uint64) (bool, string) {
		return expect(c, findReq(ctx, cancel(key(n), "mock-cancel-void-"+strconv.FormatUint(n, 10)), ""), 200, `"TS12"`)
	}},
	{"magic id mock-error-system", 3, func(ctx context.Context, c *http.Client, n uint64) (bool, string) {
		return expect(c, findReq(ctx, payment(key(n), "mock-error-system"), ""), 200, `"9999"`)
	}},
	{"fault conn-reset", 2, func(ctx context.Context, c *http.Client, n uint64) (bool, string) {
		return expectFailure(c, findReq(ctx, payment(key(n), "25010112000010123456"), "conn-reset"))
	}},
	{"fault empty-response", 2, func(ctx context.Context, c *http.Client, n uint64) (bool, string) {
		return expectFailure(c, findReq(ctx, payment(key(n), "25010112000010123456"), "empty-response"))
	}},
	{"fault malformed-json", 2, func(ctx context.Context, c *http.Client, n uint64) (bool, string) {
		return expectFailure(c, findReq(ctx, payment(key(n), "25010112000010123456"), "malformed-json"))
	}},
	{"fault timeout (client gives up at 1s)", 1, func(ctx context.Context, c *http.Client, n uint64) (bool, string) {
		ctx, cancelFn := context.WithTimeout(ctx, time.Second)
		defer cancelFn()
		return expectFailure(c, findReq(ctx, payment(key(n), "25010112000010123456"), "timeout"))
	}},
	{"bad body (400)", 3, func(ctx context.Context, c *http.Client, n uint64) (bool, string) {
		return expect(c, findReq(ctx, `{"mallId":`, ""), 400, "")
	}},
	{"missing field (1001)", 2, func(ctx context.Context, c *http.Client, n uint64) (bool, string) {
		return expect(c, findReq(ctx, `{"mallId":"T0000001","pgCno":"1"}`, ""), 200, `"1001"`)
	}},
	{"admin journal read", 3, func(ctx context.Context, c *http.Client, n uint64) (bool, string) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, *url+"/__admin/requests?limit=20", nil)
		return expect(c, req, 200, `"requests"`)
	}},
	{"admin stats", 1, func(ctx context.Context, c *http.Client, n uint64) (bool, string) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, *url+"/__admin/stats", nil)
		return expect(c, req, 200, `"goroutines"`)
	}},
}

type sample struct {
	at         time.Duration
	rssKiB     int64
	goroutines int
	heapBytes  uint64
	ledgerKeys int
	sent       int64
}

type stats struct {
	Goroutines int    `json:"goroutines"`
	HeapBytes  uint64 `json:"heapBytes"`
	LedgerKeys int    `json:"ledgerKeys"`
}

func rss(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			v, _ := strconv.ParseInt(f[1], 10, 64)
			return v
		}
	}
	return -1
}

func main() {
	flag.Parse()
	if !strings.HasPrefix(*url, "http://127.0.0.1:") && !strings.HasPrefix(*url, "http://localhost:") {
		fmt.Fprintln(os.Stderr, "soak: loopback URLs only")
		os.Exit(2)
	}
	if *warmup == 0 {
		// The ledger holds today's and yesterday's keys: it is full-grown
		// after the clock has moved two days.
		*warmup = *duration / 5
		if *dayEvery > 0 {
			*warmup = 2**dayEvery + *every
		}
		*warmup = min(*warmup, *duration/2)
	}
	tr := &http.Transport{MaxIdleConnsPerHost: 256, MaxConnsPerHost: *inflight}
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	admin := &http.Client{Timeout: 5 * time.Second}

	total := 0
	for _, k := range kinds {
		total += k.weight
	}
	pick := func() int {
		r := rand.IntN(total)
		for i, k := range kinds {
			if r < k.weight {
				return i
			}
			r -= k.weight
		}
		return 0
	}

	var (
		mu       sync.Mutex
		sent     = make([]int64, len(kinds))
		failed   = make([]int64, len(kinds))
		errKinds = map[string]int64{}
		skipped  atomic.Int64
		seq      atomic.Uint64
		nSent    atomic.Int64
		wg       sync.WaitGroup
	)
	sem := make(chan struct{}, *inflight)
	ctx, cancelAll := context.WithTimeout(context.Background(), *duration)
	defer cancelAll()
	begin := time.Now()

	takeSample := func() sample {
		s := sample{at: time.Since(begin).Round(time.Second), rssKiB: rss(*pid), sent: nSent.Load()}
		if resp, err := admin.Get(*url + "/__admin/stats"); err == nil {
			var st stats
			_ = json.NewDecoder(resp.Body).Decode(&st)
			resp.Body.Close()
			s.goroutines, s.heapBytes, s.ledgerKeys = st.Goroutines, st.HeapBytes, st.LedgerKeys
		}
		return s
	}
	var samples []sample
	printSample := func(s sample) {
		fmt.Printf("soak: t=%-5s sent=%-7d rss=%6.1f MiB goroutines=%-4d heap=%6.1f MiB ledgerKeys=%d\n",
			s.at, s.sent, float64(s.rssKiB)/1024, s.goroutines, float64(s.heapBytes)/(1<<20), s.ledgerKeys)
	}
	s0 := takeSample()
	samples = append(samples, s0)
	printSample(s0)

	go func() { // sampler and day advancer
		tick := time.NewTicker(*every)
		defer tick.Stop()
		var day <-chan time.Time
		if *dayEvery > 0 {
			t := time.NewTicker(*dayEvery)
			defer t.Stop()
			day = t.C
		}
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
				s := takeSample()
				mu.Lock()
				samples = append(samples, s)
				mu.Unlock()
				printSample(s)
			case <-day:
				req, _ := http.NewRequest(http.MethodPut, *url+"/__admin/clock", strings.NewReader(`{"advance":"24h"}`))
				req.Header.Set("Content-Type", "application/json")
				if resp, err := admin.Do(req); err == nil {
					resp.Body.Close()
				}
			}
		}
	}()

	interval := time.Second / time.Duration(*rate)
	tick := time.NewTicker(interval)
	defer tick.Stop()
loop:
	for {
		select {
		case <-ctx.Done():
			break loop
		case <-tick.C:
		}
		select {
		case sem <- struct{}{}:
		default:
			skipped.Add(1)
			continue
		}
		i := pick()
		n := seq.Add(1)
		nSent.Add(1)
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			rctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			ok, e := kinds[i].send(rctx, client, n)
			mu.Lock()
			sent[i]++
			if !ok {
				failed[i]++
				errKinds[kinds[i].name+": "+e]++
			}
			mu.Unlock()
		}()
	}
	loadTime := time.Since(begin)
	wg.Wait()
	tr.CloseIdleConnections()
	time.Sleep(2 * time.Second) // let the server end connections closed by the client
	final := takeSample()
	mu.Lock()
	samples = append(samples, final)
	mu.Unlock()
	printSample(final)

	// Summary.
	var reqs, errs int64
	fmt.Println("\nsoak: requests by kind (sent / unexpected answers)")
	for i, k := range kinds {
		reqs += sent[i]
		errs += failed[i]
		fmt.Printf("  %-40s %7d / %d\n", k.name, sent[i], failed[i])
	}
	fmt.Printf("soak: %d requests in %s (%.0f/s), %d unexpected, %d ticks skipped (client saturated)\n",
		reqs, loadTime.Round(time.Second), float64(reqs)/loadTime.Seconds(), errs, skipped.Load())
	if len(errKinds) > 0 {
		fmt.Println("soak: unexpected answers by kind")
		keys := make([]string, 0, len(errKinds))
		for k := range errKinds {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Printf("  %6d  %s\n", errKinds[k], k)
		}
	}

	// Growth: the first sample at or after warm-up against the mean of the
	// last three (the final one taken after the load stopped is left out for
	// goroutines: in-flight requests are gone by then).
	var base *sample
	for i := range samples {
		if samples[i].at >= *warmup {
			base = &samples[i]
			break
		}
	}
	tail := samples[max(0, len(samples)-4) : len(samples)-1]
	if base == nil || len(tail) == 0 || base.at >= tail[0].at {
		fmt.Println("soak: verdict: too short to judge growth (need samples after warm-up)")
		os.Exit(boolExit(errs == 0))
	}
	var rssEnd, gEnd float64
	for _, s := range tail {
		rssEnd += float64(s.rssKiB)
		gEnd += float64(s.goroutines)
	}
	rssEnd /= float64(len(tail))
	gEnd /= float64(len(tail))
	rssTol := max(0.25*float64(base.rssKiB), 8*1024)
	gTol := max(0.5*float64(base.goroutines), 50)
	fmt.Printf("soak: after warm-up (t=%s): rss %.1f MiB, goroutines %d; end (mean of last %d under load): rss %.1f MiB, goroutines %.0f; after load: goroutines %d\n",
		base.at, float64(base.rssKiB)/1024, base.goroutines, len(tail), rssEnd/1024, gEnd, final.goroutines)
	growth := rssEnd-float64(base.rssKiB) > rssTol || gEnd-float64(base.goroutines) > gTol
	if growth {
		fmt.Printf("soak: verdict: GROWTH (tolerance rss +%.1f MiB, goroutines +%.0f)\n", rssTol/1024, gTol)
	} else {
		fmt.Printf("soak: verdict: no growth (tolerance rss +%.1f MiB, goroutines +%.0f)\n", rssTol/1024, gTol)
	}
	os.Exit(boolExit(errs == 0 && !growth))
}

func boolExit(ok bool) int {
	if ok {
		return 0
	}
	return 1
}
