// Package metrics is kicc-mock's Prometheus instrumentation: the requests
// the mock answered (by endpoint, scenario, resCd and HTTP status) and how
// long they took, the webhook attempts by outcome, the lint findings by
// code, and the state it holds (ledger keys, journal entries), read when
// scraped. Each server has a registry of its own, so that several servers
// in one process (tests, mocktest) count apart.
//
// Counting a request must cost the hot path no allocation: each label set
// is resolved to its child once and kept (family), so that counting is two
// map lookups and atomic adds. Label values that come from users are
// bounded (see the Label constants and Options), so that no traffic can
// make the exposition grow without end.
package metrics

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/prometheus/common/expfmt"
)

// Label values the mock puts in place of a missing or a refused one. The
// leading underscore keeps them apart from real values: scenario names start
// with a letter or a digit, resCds are digits, statuses numbers.
const (
	// LabelNone stands for no value: a request no scenario answered, an
	// answer with no resCd (a 400, a fault), a fault that sent no HTTP
	// answer at all.
	LabelNone = "_none"
	// LabelOther stands for a value past a bound: a resCd that is not four
	// digits, a scenario past MaxScenarios, a label set past MaxSeries.
	LabelOther = "_other"
)

// Bounds of the label values.
const (
	// DefaultMaxScenarios is how many scenario names get a label value of
	// their own; later ones are counted as LabelOther. Runtime scenarios
	// alone can number 1000, most of them short-lived.
	DefaultMaxScenarios = 200
	// DefaultMaxSeries caps the label sets of kicc_mock_requests_total;
	// past it, a new set is counted as {endpoint, _other, _other, _other}.
	DefaultMaxSeries = 5000
	// maxSmallSeries caps the label sets of the webhook and lint counters,
	// whose values come from the mock's code, not from users.
	maxSmallSeries = 256
)

// Metric names.
const (
	NameRequests        = "kicc_mock_requests_total"
	NameRequestDuration = "kicc_mock_request_duration_seconds"
	NameLedgerKeys      = "kicc_mock_ledger_keys"
	NameJournalEntries  = "kicc_mock_journal_entries"
	NameJournalCapacity = "kicc_mock_journal_capacity"
	NameJournalBytes    = "kicc_mock_journal_bytes"
	NameWebhookAttempts = "kicc_mock_webhook_attempts_total"
	NameLintFindings    = "kicc_mock_lint_findings_total"

	NameConnections       = "kicc_mock_connections"
	NameConnectionsMax    = "kicc_mock_connections_max"
	NameConnectionsClosed = "kicc_mock_connections_closed_total"
	NameSequencePositions = "kicc_mock_sequence_positions"
)

// DurationBuckets are the latency histogram's bounds in seconds: the mock
// answers in microseconds unless a scenario delays (up to 30 s) or hangs
// (60 s by default).
var DurationBuckets = []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60}

// Options configure a Metrics. The zero value counts, with no gauges.
type Options struct {
	// MaxScenarios bounds the scenario label (DefaultMaxScenarios when 0).
	MaxScenarios int
	// MaxSeries bounds the request counter's label sets (DefaultMaxSeries
	// when 0).
	MaxSeries int
	// Endpoints are the endpoint label values the server uses; their
	// latency children are made up front. Others are counted as
	// LabelOther.
	Endpoints []string
	// LintRules are the lint codes, with their severity; their counters
	// start at 0, so that a rate over them is defined before the first
	// finding.
	LintRules []LintRule
	// The gauges, read when scraped; nil leaves a gauge out.
	LedgerKeys      func() int
	JournalEntries  func() int
	JournalCapacity func() int
	JournalBytes    func() int
	// SequencePositions counts the positions of sequence scenarios held.
	SequencePositions func() int
	// Connections reads the connection limit (--max-conns): open, the
	// cap, and how many the cap has closed (idle ones closed to make room,
	// new ones refused). Nil when connections are not capped.
	Connections func() (open, max int, closedIdle, refused uint64)
	// Runtime adds the Go runtime's, the process's and the build's
	// collectors (go_*, process_*, go_build_info).
	Runtime bool
}

// LintRule is one lint code and its severity.
type LintRule struct{ Code, Severity string }

// Metrics is one server's instrumentation. A nil *Metrics counts nothing,
// so that a part built without one (a test's sandbox) needs no checks.
type Metrics struct {
	reg       *prometheus.Registry
	handler   http.Handler
	scenarios *family[string, string]
	requests  *family[requestKey, prometheus.Counter]
	latency   map[string]prometheus.Observer // read-only after New
	webhooks  *family[[2]string, prometheus.Counter]
	lint      *family[[2]string, prometheus.Counter]
}

// requestKey is a request counter's label set, bounded already.
type requestKey struct {
	endpoint, scenario, resCd string
	status                    int // 0: LabelNone, -1: LabelOther
}

// New builds a Metrics with a registry of its own.
func New(o Options) *Metrics {
	if o.MaxScenarios <= 0 {
		o.MaxScenarios = DefaultMaxScenarios
	}
	if o.MaxSeries <= 0 {
		o.MaxSeries = DefaultMaxSeries
	}
	reg := prometheus.NewRegistry()
	requests := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: NameRequests,
		Help: "Requests answered, but the admin API's and /metrics': endpoint (find-cancel, find-payment, create, revise; find, create, revise when refused before decoding; pay-page; _other), scenario (_none: none named), res_cd (the answer's resCd; _none: none), status (HTTP; 499: the client left; _none: no HTTP answer).",
	}, []string{"endpoint", "scenario", "res_cd", "status"})
	latency := prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    NameRequestDuration,
		Help:    "Time from a request's arrival to its answer (or the end of its fault), in seconds of real time, delays included.",
		Buckets: DurationBuckets,
	}, []string{"endpoint"})
	webhooks := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: NameWebhookAttempts,
		Help: "Webhook attempts by kind (approval, cancel) and outcome (delivered, retrying, gave-up, dropped, queue-full, refused).",
	}, []string{"kind", "outcome"})
	lint := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: NameLintFindings,
		Help: "Lint findings on KICC requests by code and severity.",
	}, []string{"code", "severity"})
	reg.MustRegister(requests, latency, webhooks, lint)
	gauge(reg, NameLedgerKeys, "Idempotency keys the ledger holds (today's and yesterday's).", o.LedgerKeys)
	gauge(reg, NameJournalEntries, "Requests the journal holds.", o.JournalEntries)
	gauge(reg, NameJournalCapacity, "Requests the journal can hold (--journal-size).", o.JournalCapacity)
	gauge(reg, NameJournalBytes, "Bytes the journal's entries hold (bounded by --journal-max-bytes).", o.JournalBytes)
	gauge(reg, NameSequencePositions, "Positions of sequence scenarios held (today's, at most --max-sequences).", o.SequencePositions)
	if read := o.Connections; read != nil {
		gauge(reg, NameConnections, "Connections open.", func() int { open, _, _, _ := read(); return open })
		gauge(reg, NameConnectionsMax, "Connections the mock holds open at most (--max-conns).", func() int { _, max, _, _ := read(); return max })
		closed := func(reason string, count func() uint64) {
			reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{
				Name:        NameConnectionsClosed,
				Help:        "Connections closed by the --max-conns cap: reason idle (the idlest closed to make room for a new one) or refused (a new one, none being idle).",
				ConstLabels: prometheus.Labels{"reason": reason},
			}, func() float64 { return float64(count()) }))
		}
		closed("idle", func() uint64 { _, _, idle, _ := read(); return idle })
		closed("refused", func() uint64 { _, _, _, refused := read(); return refused })
	}
	if o.Runtime {
		reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
			collectors.NewBuildInfoCollector())
	}

	m := &Metrics{
		reg: reg,
		handler: promhttp.InstrumentMetricHandler(reg, promhttp.HandlerFor(reg, promhttp.HandlerOpts{
			Registry: reg, ErrorHandling: promhttp.ContinueOnError, MaxRequestsInFlight: 4,
			// The text format (0.0.4) whatever the Accept header: every
			// Prometheus reads it, and it is the one answer to document.
			AcceptedFormats: []expfmt.Format{expfmt.FmtText},
		})),
		latency: map[string]prometheus.Observer{LabelOther: latency.WithLabelValues(LabelOther)},
	}
	for _, ep := range o.Endpoints {
		m.latency[ep] = latency.WithLabelValues(ep)
	}
	m.scenarios = newFamily(o.MaxScenarios, func(name string) (string, string) {
		name = strings.Clone(name)
		return name, name
	}, func(string) string { return LabelOther })
	m.requests = newFamily(o.MaxSeries, func(k requestKey) (requestKey, prometheus.Counter) {
		k.endpoint, k.scenario, k.resCd = strings.Clone(k.endpoint), strings.Clone(k.scenario), strings.Clone(k.resCd)
		return k, requests.WithLabelValues(k.endpoint, k.scenario, k.resCd, statusText(k.status))
	}, func(k requestKey) requestKey {
		return requestKey{endpoint: k.endpoint, scenario: LabelOther, resCd: LabelOther, status: -1}
	})
	m.webhooks = newPairFamily(webhooks)
	m.lint = newPairFamily(lint)
	for _, r := range o.LintRules {
		m.lint.get([2]string{r.Code, r.Severity})
	}
	return m
}

func gauge(reg *prometheus.Registry, name, help string, read func() int) {
	if read == nil {
		return
	}
	reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help},
		func() float64 { return float64(read()) }))
}

// newPairFamily keeps the children of a two-label counter whose values
// come from the mock's code.
func newPairFamily(vec *prometheus.CounterVec) *family[[2]string, prometheus.Counter] {
	return newFamily(maxSmallSeries, func(k [2]string) ([2]string, prometheus.Counter) {
		k = [2]string{strings.Clone(k[0]), strings.Clone(k[1])}
		return k, vec.WithLabelValues(k[0], k[1])
	}, func([2]string) [2]string { return [2]string{LabelOther, LabelOther} })
}

// Handler serves the exposition in Prometheus' text format, and counts its
// own scrapes (promhttp_metric_handler_*).
func (m *Metrics) Handler() http.Handler { return m.handler }

// Registry is the registry the metrics are in, for a program that adds
// its own.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Request counts one answered request and observes how long it took.
// endpoint should be one of Options.Endpoints; scenario is the answering
// scenario's name ("" for none), resCd the answer's ("" for none), status
// the HTTP status sent (0 for none).
func (m *Metrics) Request(endpoint, scenario, resCd string, status int, took time.Duration) {
	if m == nil {
		return
	}
	obs, ok := m.latency[endpoint]
	if !ok {
		endpoint, obs = LabelOther, m.latency[LabelOther]
	}
	sc := LabelNone
	if scenario != "" {
		sc = m.scenarios.get(scenario)
	}
	m.requests.get(requestKey{endpoint: endpoint, scenario: sc, resCd: resCdLabel(resCd), status: statusKey(status)}).Inc()
	obs.Observe(took.Seconds())
}

// WebhookAttempt counts one webhook attempt, or a decision not to send one.
func (m *Metrics) WebhookAttempt(kind, outcome string) {
	if m == nil {
		return
	}
	m.webhooks.get([2]string{kind, outcome}).Inc()
}

// LintFinding counts one lint finding.
func (m *Metrics) LintFinding(code, severity string) {
	if m == nil {
		return
	}
	m.lint.get([2]string{code, severity}).Inc()
}

// resCdLabel bounds a resCd: four ASCII digits are themselves (KICC's codes,
// and the mock's, are), nothing is LabelNone, anything else a scenario may
// send is LabelOther.
func resCdLabel(resCd string) string {
	if resCd == "" {
		return LabelNone
	}
	if len(resCd) != 4 {
		return LabelOther
	}
	for i := range 4 {
		if resCd[i] < '0' || resCd[i] > '9' {
			return LabelOther
		}
	}
	return resCd
}

// statusKey bounds an HTTP status for requestKey: 100 to 599 are
// themselves (scenarios script any of them), 0 is none, others other.
func statusKey(status int) int {
	switch {
	case status == 0:
		return 0
	case status < 100 || status > 599:
		return -1
	}
	return status
}

func statusText(key int) string {
	switch key {
	case 0:
		return LabelNone
	case -1:
		return LabelOther
	}
	return strconv.Itoa(key)
}
