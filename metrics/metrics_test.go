package metrics_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
	"unsafe"

	dto "github.com/prometheus/client_model/go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kicc-mock/kicc-mock/metrics"
)

var endpoints = []string{"find-cancel", "find-payment"}

// counts gathers family name as label values (joined by "|", in label name
// order) -> value; a histogram's value is its sample count.
func counts(t *testing.T, m *metrics.Metrics, name string) map[string]float64 {
	t.Helper()
	families, err := m.Registry().Gather()
	require.NoError(t, err)
	out := map[string]float64{}
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
		for _, s := range f.GetMetric() {
			var vals []string
			for _, l := range s.GetLabel() {
				vals = append(vals, l.GetValue())
			}
			switch f.GetType() {
			case dto.MetricType_COUNTER:
				out[strings.Join(vals, "|")] = s.GetCounter().GetValue()
			case dto.MetricType_GAUGE:
				out[strings.Join(vals, "|")] = s.GetGauge().GetValue()
			case dto.MetricType_HISTOGRAM:
				out[strings.Join(vals, "|")] = float64(s.GetHistogram().GetSampleCount())
			}
		}
	}
	return out
}

// Label names sort as endpoint, res_cd, scenario, status.
func TestRequestLabelsAreBounded(t *testing.T) {
	m := metrics.New(metrics.Options{Endpoints: endpoints, MaxScenarios: 2})
	m.Request("find-cancel", "a", "0000", 200, time.Millisecond)
	m.Request("find-cancel", "b", "0000", 200, time.Millisecond)
	m.Request("find-cancel", "c", "0000", 200, time.Millisecond) // the third name: past MaxScenarios
	m.Request("find-cancel", "a", "0000", 200, time.Millisecond) // a keeps its own
	m.Request("find-payment", "", "", 0, time.Millisecond)       // a fault: nothing answered
	m.Request("find-payment", "", "12345", 200, 0)
	m.Request("find-payment", "", "AB12", 200, 0)
	m.Request("find-payment", "", "1010", 499, 0)
	m.Request("find-payment", "", "1010", 700, 0)
	m.Request("refund", "", "", 404, 0) // not one of Options.Endpoints
	assert.Equal(t, map[string]float64{
		"find-cancel|0000|a|200":         2,
		"find-cancel|0000|b|200":         1,
		"find-cancel|0000|_other|200":    1,
		"find-payment|_none|_none|_none": 1,
		"find-payment|_other|_none|200":  2,
		"find-payment|1010|_none|499":    1,
		"find-payment|1010|_none|_other": 1,
		"_other|_none|_none|404":         1,
	}, counts(t, m, metrics.NameRequests))
	assert.Equal(t, map[string]float64{"find-cancel": 4, "find-payment": 5, "_other": 1},
		counts(t, m, metrics.NameRequestDuration))
}

// TestRequestSeriesAreCapped: past MaxSeries label sets, a new one is
// counted under its endpoint with every other label _other.
func TestRequestSeriesAreCapped(t *testing.T) {
	m := metrics.New(metrics.Options{Endpoints: endpoints, MaxSeries: 3})
	for i := range 5 {
		m.Request("find-cancel", "s", fmt.Sprintf("10%02d", i), 200, 0)
	}
	m.Request("find-cancel", "s", "1000", 200, 0) // kept: counted as itself
	assert.Equal(t, map[string]float64{
		"find-cancel|1000|s|200":           2,
		"find-cancel|1001|s|200":           1,
		"find-cancel|1002|s|200":           1,
		"find-cancel|_other|_other|_other": 2,
	}, counts(t, m, metrics.NameRequests))
}

// TestCountingAllocatesNothing: a label set seen before costs no
// allocation, whatever the strings are made of.
func TestCountingAllocatesNothing(t *testing.T) {
	m := metrics.New(metrics.Options{Endpoints: endpoints})
	scenario := strings.Repeat("x", 12) // not a constant
	resCd := string([]byte{'1', '0', '1', '0'})
	m.Request("find-cancel", scenario, resCd, 200, time.Millisecond)
	m.LintFinding("id-shape", "error")
	m.WebhookAttempt("approval", "delivered")
	allocs := testing.AllocsPerRun(1000, func() {
		m.Request("find-cancel", scenario, resCd, 200, time.Millisecond)
		m.LintFinding("id-shape", "error")
		m.WebhookAttempt("approval", "delivered")
	})
	assert.Zero(t, allocs)
}

// TestLabelValuesAreCopied: a caller's string may be a view of a buffer
// that is reused for the next request; the label it made must not change
// with it.
func TestLabelValuesAreCopied(t *testing.T) {
	m := metrics.New(metrics.Options{Endpoints: endpoints})
	buf := []byte("cancel-full")
	view := unsafe.String(&buf[0], len(buf))
	m.Request("find-cancel", view, "0000", 200, 0)
	copy(buf, "payment-app")
	m.Request("find-cancel", "cancel-full", "0000", 200, 0)
	assert.Equal(t, map[string]float64{"find-cancel|0000|cancel-full|200": 2}, counts(t, m, metrics.NameRequests))
}

func TestLintCodesStartAtZero(t *testing.T) {
	m := metrics.New(metrics.Options{LintRules: []metrics.LintRule{{Code: "id-shape", Severity: "error"}, {Code: "card-field", Severity: "warn"}}})
	m.LintFinding("id-shape", "error")
	assert.Equal(t, map[string]float64{"id-shape|error": 1, "card-field|warn": 0}, counts(t, m, metrics.NameLintFindings))
}

func TestGaugesAreReadWhenScraped(t *testing.T) {
	keys := 0
	m := metrics.New(metrics.Options{LedgerKeys: func() int { return keys }, JournalCapacity: func() int { return 7 }})
	keys = 3
	assert.Equal(t, map[string]float64{"": 3}, counts(t, m, metrics.NameLedgerKeys))
	keys = 4
	assert.Equal(t, map[string]float64{"": 4}, counts(t, m, metrics.NameLedgerKeys))
	assert.Equal(t, map[string]float64{"": 7}, counts(t, m, metrics.NameJournalCapacity))
	assert.Empty(t, counts(t, m, metrics.NameJournalEntries), "a gauge without a reader is left out")
}

func TestNilMetricsCountNothing(t *testing.T) {
	var m *metrics.Metrics
	assert.NotPanics(t, func() {
		m.Request("find-cancel", "x", "0000", 200, 0)
		m.WebhookAttempt("approval", "delivered")
		m.LintFinding("id-shape", "error")
	})
}

// TestConcurrentCountsAddUp: goroutines making the same label sets at
// once count every request once (run with -race).
func TestConcurrentCountsAddUp(t *testing.T) {
	m := metrics.New(metrics.Options{Endpoints: endpoints, MaxScenarios: 5, MaxSeries: 8})
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 100 {
				m.Request(endpoints[i%2], fmt.Sprint("s", (i+g)%10), "0000", 200, 0)
			}
		})
	}
	wg.Wait()
	total := 0.0
	got := counts(t, m, metrics.NameRequests)
	for _, v := range got {
		total += v
	}
	assert.Equal(t, 800.0, total)
	assert.LessOrEqual(t, len(got), 8+2, "the cap, and an overflow set per endpoint")
}

// BenchmarkRequest is what counting one request adds to it.
func BenchmarkRequest(b *testing.B) {
	m := metrics.New(metrics.Options{Endpoints: endpoints})
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			m.Request("find-cancel", "cancel-full", "0000", 200, time.Millisecond)
		}
	})
}
