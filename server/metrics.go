package server

import (
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/kicc-mock/kicc-mock/journal"
	"github.com/kicc-mock/kicc-mock/kicc"
	"github.com/kicc-mock/kicc-mock/lint"
	"github.com/kicc-mock/kicc-mock/metrics"
	"github.com/kicc-mock/kicc-mock/sandbox"
	"github.com/kicc-mock/kicc-mock/scenarios"
)

// pathMetrics is where Prometheus scrapes, its default metrics_path. It
// is guarded by the admin token like the admin API (the exposition names
// scenarios and shows the traffic), and, like it, neither journaled nor
// counted: a scraper every 15 s would crowd the journal out.
const pathMetrics = "/metrics"

// The endpoint label of a request refused before its body was decoded
// (400, 413, 415), when which inquiry a find is is not known, and of the
// payment pages.
const (
	endpointFind    = "find"
	endpointPayPage = "pay-page"
)

// metricsEndpoints are the endpoint label values: the scenario endpoints,
// and what endpointOf names by path.
var metricsEndpoints = []string{
	string(scenarios.FindCancel), string(scenarios.FindPayment), string(scenarios.Create), string(scenarios.Revise),
	endpointFind, endpointPayPage,
}

// newMetrics is the server's instrumentation, its gauges reading the
// ledger and the journal when scraped.
func (s *Server) newMetrics() *metrics.Metrics {
	rules := make([]metrics.LintRule, len(lint.Rules))
	for i, r := range lint.Rules {
		rules[i] = metrics.LintRule{Code: r.Code, Severity: string(r.Severity)}
	}
	var conns func() (int, int, uint64, uint64)
	if s.conns != nil {
		conns = func() (int, int, uint64, uint64) {
			st := s.conns.Stats()
			return st.Open, st.Max, st.ClosedIdle, st.Refused
		}
	}
	return metrics.New(metrics.Options{
		Endpoints:         metricsEndpoints,
		LintRules:         rules,
		LedgerKeys:        s.ledger.Len,
		JournalEntries:    s.journal.Len,
		JournalCapacity:   s.journal.Size,
		JournalBytes:      s.journal.Bytes,
		SequencePositions: s.sequences.Len,
		Connections:       conns,
		Runtime:           true,
	})
}

// handleMetrics serves GET /metrics, the Prometheus exposition.
func (s *Server) handleMetrics(c echo.Context) error {
	s.metrics.Handler().ServeHTTP(c.Response(), c.Request())
	return nil
}

// countRequest counts a request that was answered: what the pipeline noted
// (endpoint, resCd), the scenario and the status the journal has (0 when a
// fault sent no HTTP answer, 499 when the client left first).
func (s *Server) countRequest(r *http.Request, rec *journal.Recorder, took time.Duration) {
	endpoint, resCd := rec.Answer()
	if endpoint == "" {
		endpoint = endpointOf(r.URL.Path)
	}
	s.metrics.Request(endpoint, rec.Scenario(), resCd, rec.Status(), took)
}

// endpointOf names the endpoint of a request the pipeline did not decode,
// by its path; "" (counted as metrics.LabelOther) for any other path.
func endpointOf(path string) string {
	switch path {
	case kicc.PathFind:
		return endpointFind
	case kicc.PathCreate:
		return string(scenarios.Create)
	case kicc.PathRevise:
		return string(scenarios.Revise)
	}
	if strings.HasPrefix(path, sandbox.PathPayPage) {
		return endpointPayPage
	}
	return ""
}
