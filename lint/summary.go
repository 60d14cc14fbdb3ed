package lint

import (
	"sync"
	"time"
)

// Summary counts findings per code and keeps the last example of each, for
// GET /__admin/lint. Its zero value is empty and ready.
type Summary struct {
	mu     sync.Mutex
	byCode map[string]*CodeSummary
}

// CodeSummary is one code's line of the summary.
type CodeSummary struct {
	Code     string   `json:"code"`
	Severity Severity `json:"severity"`
	Count    int64    `json:"count"`
	Last     Example  `json:"last"`
}

// Example is one finding with where it came from.
type Example struct {
	Time      time.Time `json:"time"`
	RequestID string    `json:"requestId,omitempty"`
	Path      string    `json:"path"`
	Field     string    `json:"field,omitempty"`
	Message   string    `json:"message"`
}

// Add counts fs, found on a request to path at now.
func (s *Summary) Add(fs []Finding, now time.Time, path, requestID string) {
	if len(fs) == 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.byCode == nil {
		s.byCode = map[string]*CodeSummary{}
	}
	for _, f := range fs {
		c := s.byCode[f.Code]
		if c == nil {
			c = &CodeSummary{Code: f.Code, Severity: f.Severity}
			s.byCode[f.Code] = c
		}
		c.Count++
		c.Last = Example{Time: now, RequestID: requestID, Path: path, Field: f.Field, Message: f.Message}
	}
}

// Codes returns the summary, in the order of Rules.
func (s *Summary) Codes() []CodeSummary {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []CodeSummary{}
	for _, r := range Rules {
		if c := s.byCode[r.Code]; c != nil {
			out = append(out, *c)
		}
	}
	return out
}

// Reset forgets the summary and the key history.
func (l *Linter) Reset() {
	l.Summary.mu.Lock()
	l.Summary.byCode = nil
	l.Summary.mu.Unlock()
	h := &l.keys
	h.mu.Lock()
	clear(h.byKey)
	h.order, h.next = h.order[:0], 0
	h.mu.Unlock()
}
