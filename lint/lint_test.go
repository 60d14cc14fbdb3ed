package lint_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kicc-mock/kicc-mock/kicc"
	"github.com/kicc-mock/kicc-mock/lint"
)

// sandbox is a lint.State of one paid payment and its cancel, and one
// unpaid payment.
type sandbox struct{ empty bool }

const (
	paidPg   = "26120110000010000001"
	unpaidPg = "26120110000010000002"
	cancelPg = "26120111000010000003"
	otherPg  = "26120112000010000009" // never issued
)

var created = time.Date(2026, 12, 1, 10, 0, 0, 0, kicc.KST)

func (s sandbox) Holds() bool { return !s.empty }
func (s sandbox) Payment(pg string) (string, time.Time, bool, bool) {
	switch {
	case s.empty:
	case pg == paidPg:
		return "T0000001", created, true, true
	case pg == unpaidPg:
		return "T0000001", created, false, true
	}
	return "", time.Time{}, false, false
}
func (s sandbox) Cancel(id string) (string, bool) {
	if !s.empty && id == cancelPg {
		return paidPg, true
	}
	return "", false
}

var now = time.Date(2026, 12, 3, 12, 0, 0, 0, kicc.KST)

// check decodes body for path and lints it.
func check(t *testing.T, l *lint.Linter, path, ctype, body string, at time.Time) []lint.Finding {
	t.Helper()
	var req kicc.Request
	switch path {
	case kicc.PathFind:
		req = new(kicc.FindRequest)
	case kicc.PathCreate:
		req = new(kicc.CreateRequest)
	default:
		req = new(kicc.ReviseRequest)
	}
	err := kicc.Decode([]byte(body), req)
	fe, _ := err.(*kicc.FieldError)
	if _, ok := err.(*kicc.BodyError); ok {
		req = nil
	}
	ep := "revise"
	switch path {
	case kicc.PathFind:
		ep = "find-payment"
		if f, ok := req.(*kicc.FindRequest); ok && f.IsCancel() {
			ep = "find-cancel"
		}
	case kicc.PathCreate:
		ep = "create"
	}
	return l.Check(&lint.Request{Path: path, Endpoint: ep, ContentType: ctype, Body: []byte(body), Req: req, DecodeErr: fe, Now: at}, nil)
}

func codes(fs []lint.Finding) []string {
	out := []string{}
	for _, f := range fs {
		out = append(out, f.Code+":"+f.Field)
	}
	return out
}

const ct = "application/json; charset=utf-8"

func find(pg, cancel string) string {
	b, _ := json.Marshal(map[string]string{"mallId": "T0000001", "shopTransactionId": "k-" + pg + cancel, "pgCno": pg, "cancelPgCno": cancel})
	return string(b)
}

func revise(pg, date string, extra string) string {
	return `{"mallId":"T0000001","shopTransactionId":"r-` + pg + date + `","pgCno":"` + pg + `","reviseTypeCode":"40","cancelReqDate":"` + date + `","msgAuthValue":"x"` + extra + `}`
}

func TestEveryLintCode(t *testing.T) {
	tests := []struct {
		name  string
		empty bool
		path  string
		ctype string
		body  string
		at    time.Time
		want  []string
	}{
		{"a well-formed inquiry about an issued id", false, kicc.PathFind, ct, find(paidPg, cancelPg), now, []string{}},
		{"unknown-id: a payment never issued", false, kicc.PathFind, ct, find(otherPg, ""), now, []string{"unknown-id:pgCno"}},
		{"unknown-id: a cancel never issued", false, kicc.PathFind, ct, find(paidPg, otherPg), now, []string{"unknown-id:cancelPgCno"}},
		{"no unknown-id without transactions", true, kicc.PathFind, ct, find(otherPg, ""), now, []string{}},
		{"id-shape: pgCno 1", true, kicc.PathFind, ct, find("1", ""), now, []string{"id-shape:pgCno"}},
		{"magic ids are the tester's", false, kicc.PathFind, ct, find("mock-cancel-partial", "mock-cancel-partial-2"), now, []string{}},
		{"cancel-id-as-pgcno: the pair swapped", false, kicc.PathFind, ct, find(cancelPg, paidPg), now,
			[]string{"cancel-id-as-pgcno:pgCno", "cancel-id-as-pgcno:cancelPgCno"}},
		{"cancel-id-as-pgcno on revise", false, kicc.PathRevise, ct, revise(cancelPg, "20261203", ""), now, []string{"cancel-id-as-pgcno:pgCno"}},
		{"date-not-kst: the host's UTC date before 09:00 KST", false, kicc.PathRevise, ct, revise(paidPg, "20261202", ""),
			time.Date(2026, 12, 3, 8, 30, 0, 0, kicc.KST), []string{"date-not-kst:cancelReqDate"}},
		{"cancel-date-window: before the payment's day", false, kicc.PathRevise, ct, revise(paidPg, "20261130", ""), now, []string{"cancel-date-window:cancelReqDate"}},
		{"cancel-date-window: after today", false, kicc.PathRevise, ct, revise(paidPg, "20261204", ""), now, []string{"cancel-date-window:cancelReqDate"}},
		{"the first attempt's date is fine", false, kicc.PathRevise, ct, revise(paidPg, "20261201", ""), now, []string{}},
		{"unknown-field, nested too", false, kicc.PathFind, ct,
			`{"mallId":"T0000001","shopTransactionId":"u","pgCno":"` + paidPg + `","cancelPgcno":"x","extra":{"a":1}}`, now,
			[]string{"unknown-field:cancelPgcno", "unknown-field:extra", "id-shape:cancelPgCno"}},
		{"card-field on revise", false, kicc.PathRevise, ct, revise(paidPg, "20261203", `,"reviseAmount":100,"clientIp":"1.2.3.4","amountInfo":{"currency":"KRW","totAmount":100,"vat":0}`), now,
			[]string{"card-field:reviseAmount", "card-field:clientIp", "unknown-field:amountInfo.vat"}},
		{"a field that differs in case only", true, kicc.PathFind, ct, `{"mallId":"T0000001","shopTransactionId":"u","PGCNO":"` + paidPg + `"}`, now,
			[]string{"unknown-field:PGCNO"}},
		{"card-field on create", false, kicc.PathCreate, ct, `{"mallId":"T0000001","shopTransactionId":"c","amount":1000}`, now, []string{"card-field:amount"}},
		{"amount-as-string", false, kicc.PathCreate, ct, `{"mallId":"T0000001","shopTransactionId":"c","amountInfo":{"currency":"KRW","totalAmount":"1000"}}`, now,
			[]string{"amount-as-string:amountInfo.totalAmount"}},
		{"charset-missing", false, kicc.PathFind, "application/json", find(paidPg, ""), now, []string{"charset-missing:"}},
		{"unpaid-payment", false, kicc.PathFind, ct, find(unpaidPg, ""), now, []string{"unpaid-payment:pgCno"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := lint.NewLinter(lint.On, sandbox{empty: tt.empty}, 0)
			got := check(t, l, tt.path, tt.ctype, tt.body, tt.at)
			assert.Equal(t, tt.want, codes(got), "%+v", got)
			for _, f := range got {
				r, ok := lint.RuleOf(f.Code)
				require.True(t, ok)
				assert.Equal(t, r.Severity, f.Severity)
				assert.NotEmpty(t, f.Message)
			}
		})
	}
}

func TestKeyFindings(t *testing.T) {
	l := lint.NewLinter(lint.On, sandbox{}, 0)
	body := find(paidPg, "")
	assert.Equal(t, []string{}, codes(check(t, l, kicc.PathFind, ct, body, now)))
	l.Claimed(now, "T0000001", "k-"+paidPg, "create")
	assert.Equal(t, []string{"key-across-endpoints:shopTransactionId"}, codes(check(t, l, kicc.PathFind, ct, body, now)),
		"the key was used on create first")
	assert.Equal(t, []string{}, codes(check(t, l, kicc.PathFind, ct, body, now.AddDate(0, 0, 1))), "a new KST day frees it")

	l.Released(now, "T0000001", "k-"+paidPg, "find-payment", "a reset connection")
	got := check(t, l, kicc.PathFind, ct, body, now)
	assert.Equal(t, []string{"retry-after-transport-error:shopTransactionId"}, codes(got))
	assert.Contains(t, got[0].Message, "a reset connection")
}

func TestKeyHistoryIsBounded(t *testing.T) {
	l := lint.NewLinter(lint.On, sandbox{}, 2)
	for _, k := range []string{"a", "b", "c"} {
		l.Claimed(now, "T0000001", k, "create")
	}
	seen := func(key string) bool {
		f := l.Check(&lint.Request{Path: kicc.PathFind, Endpoint: "find-payment", ContentType: ct, Now: now,
			Body: []byte(`{}`), Req: &kicc.FindRequest{MallID: "T0000001", ShopTransactionID: key, PgCno: paidPg}}, nil)
		return len(f) > 0
	}
	assert.False(t, seen("a"), "the oldest key is forgotten")
	assert.True(t, seen("b"))
	assert.True(t, seen("c"))
}

func TestOffChecksNothing(t *testing.T) {
	l := lint.NewLinter(lint.Off, sandbox{}, 0)
	assert.Empty(t, check(t, l, kicc.PathFind, "application/json", find("1", ""), now))
	var nilLinter *lint.Linter
	assert.False(t, nilLinter.Enabled())
}

func TestStrictRefusals(t *testing.T) {
	l := lint.NewLinter(lint.Strict, sandbox{}, 0)
	fs := check(t, l, kicc.PathRevise, ct, revise(paidPg, "20261130", ""), now)
	require.Len(t, fs, 1)
	req := &kicc.ReviseRequest{PgCno: paidPg}
	code, field := lint.Refusal(fs[0], now, sandbox{}, req)
	assert.Equal(t, kicc.ResFormat, code)
	assert.Equal(t, "cancelReqDate: the days from 20261201 (the payment's) to 20261203 (today, KST)", field)
	code, _ = lint.Refusal(lint.Finding{Code: lint.CharsetMissing}, now, nil, nil)
	assert.Empty(t, code, "an info finding is never refused")
}

func TestHeaderAndSummary(t *testing.T) {
	fs := []lint.Finding{{Code: "unknown-id", Severity: lint.Error, Field: "pgCno"}, {Code: "charset-missing", Severity: lint.Info}}
	assert.Equal(t, "error:unknown-id:pgCno, info:charset-missing", lint.Header(fs))
	var s lint.Summary
	s.Add(fs, now, kicc.PathFind, "km-1")
	s.Add(fs[:1], now, kicc.PathFind, "km-2")
	got := s.Codes()
	require.Len(t, got, 2)
	assert.Equal(t, "unknown-id", got[0].Code)
	assert.EqualValues(t, 2, got[0].Count)
	assert.Equal(t, "km-2", got[0].Last.RequestID)
}

func TestParseMode(t *testing.T) {
	for in, want := range map[string]lint.Mode{"": lint.On, "warn": lint.On, "off": lint.Off, "strict": lint.Strict} {
		m, err := lint.ParseMode(in)
		require.NoError(t, err)
		assert.Equal(t, want, m)
	}
	_, err := lint.ParseMode("loud")
	assert.ErrorContains(t, err, "want off, warn or strict")
}
