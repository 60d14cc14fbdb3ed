// Package drift compares two KICC servers' answers, typically the real
// sandbox's and kicc-mock's: it makes the contract suite's calls through
// the client package to both and reports where the answers differ in
// shape — HTTP status, content type, the fields present, their JSON types,
// resCd and status codes, and the formats of strings (yyyyMMddHHmmss dates,
// id lengths) — never in values that differ naturally (keys, amounts,
// messages, the time).
package drift

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"mime"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/kicc-mock/kicc-mock/client"
	"github.com/kicc-mock/kicc-mock/kicc"
)

// Call is one check: it makes one or more client calls, and the answer to
// the last one is compared.
type Call struct {
	Name string
	Do   func(ctx context.Context, c *client.Client) error
}

// The ids the contract tests ask about.
const (
	contractPgCno       = "25122722034810122119"
	contractCancelPgCno = "25122722044210122121"
	contractPaidPgCno   = "23110811420910846419"
)

// Calls are the read-only calls of contract_test.go, in its order: the two
// inquiries, the three field-rule refusals and the reused key. Create and
// revise change the upstream's state, so they are not made.
func Calls() []Call {
	return []Call{
		{"find-cancel", func(ctx context.Context, c *client.Client) error {
			_, err := c.FindCancellation(ctx, client.FindCancellationRequest{PgCno: contractPgCno, CancelPgCno: contractCancelPgCno})
			return err
		}},
		{"find-payment", func(ctx context.Context, c *client.Client) error {
			_, err := c.FindPayment(ctx, client.FindPaymentRequest{PgCno: contractPaidPgCno})
			return err
		}},
		{"find-payment without pgCno", func(ctx context.Context, c *client.Client) error {
			_, err := c.FindPayment(ctx, client.FindPaymentRequest{})
			return err
		}},
		{"find-cancel with a 61-byte pgCno", func(ctx context.Context, c *client.Client) error {
			_, err := c.FindCancellation(ctx, client.FindCancellationRequest{PgCno: strings.Repeat("1", 61), CancelPgCno: contractCancelPgCno})
			return err
		}},
		{"find-payment with a forbidden ;", func(ctx context.Context, c *client.Client) error {
			_, err := c.FindPayment(ctx, client.FindPaymentRequest{PgCno: "2512272203481012211;"})
			return err
		}},
		{"find-payment with a reused key", func(ctx context.Context, c *client.Client) error {
			// Whatever the first answer, the second is the one about the key.
			key := client.NewTransactionID()
			_, _ = c.FindPayment(ctx, client.FindPaymentRequest{PgCno: contractPaidPgCno, ShopTransactionID: key})
			_, err := c.FindPayment(ctx, client.FindPaymentRequest{PgCno: contractPaidPgCno, ShopTransactionID: key})
			return err
		}},
	}
}

// Config tunes Run.
type Config struct {
	// MallID is the merchant the calls are made for (T0000001 when empty).
	MallID string
	// Timeout bounds each call (client.DefaultTimeout when 0).
	Timeout time.Duration
	// Calls are the checks (Calls() when nil).
	Calls []Call
}

// Answer is what a server sent to a call's last request, or why nothing
// came.
type Answer struct {
	Status      int
	ContentType string
	Body        []byte
	Err         string // a transport failure: nothing was answered
}

// Difference is one field (or the status, or the content type) where the
// two answers to a call differ, each side described as a shape.
type Difference struct {
	Call, Field, Upstream, Mock string
}

// Report is the outcome of Run.
type Report struct {
	Calls       int
	Differences []Difference
	// Unanswered names the calls one side did not answer at all (refused
	// connection, timeout, DNS): their comparison says nothing about
	// drift, so the command does not report them as one.
	Unanswered []string
}

// Run makes every call to upstream and to mock and compares the answers.
func Run(ctx context.Context, upstream, mock string, cfg Config) Report {
	if cfg.MallID == "" {
		cfg.MallID = "T0000001"
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = client.DefaultTimeout
	}
	if cfg.Calls == nil {
		cfg.Calls = Calls()
	}
	rep := Report{Calls: len(cfg.Calls)}
	for _, call := range cfg.Calls {
		up := capture(ctx, upstream, cfg, call)
		mk := capture(ctx, mock, cfg, call)
		if up.Err != "" || mk.Err != "" {
			rep.Unanswered = append(rep.Unanswered, call.Name)
		}
		rep.Differences = append(rep.Differences, Compare(call.Name, up, mk)...)
	}
	return rep
}

// capture makes call against base and keeps the raw answer of its last
// request: the client decodes into typed structs, which hide missing
// fields and wrong types.
func capture(ctx context.Context, base string, cfg Config, call Call) Answer {
	rec := &recorder{base: http.DefaultTransport}
	c := client.New(base, cfg.MallID, client.WithHTTPClient(&http.Client{Transport: rec, Timeout: cfg.Timeout}))
	err := call.Do(ctx, c)
	if rec.last == nil {
		msg := "no answer"
		if err != nil {
			msg = err.Error()
		}
		return Answer{Err: msg}
	}
	return *rec.last
}

// recorder is a RoundTripper keeping the last answer's status, content
// type and body. A call runs its requests one after another.
type recorder struct {
	base http.RoundTripper
	last *Answer
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := r.base.RoundTrip(req)
	if err != nil {
		r.last = &Answer{Err: err.Error()}
		return nil, err
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	if err != nil {
		r.last = &Answer{Err: "reading the answer: " + err.Error()}
		return nil, err
	}
	r.last = &Answer{Status: resp.StatusCode, ContentType: resp.Header.Get("Content-Type"), Body: body}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	return resp, nil
}

// Compare lists where two answers to the call named name differ.
func Compare(name string, up, mock Answer) []Difference {
	var out []Difference
	diff := func(field, u, m string) {
		if u != m {
			out = append(out, Difference{name, field, u, m})
		}
	}
	if up.Err != "" || mock.Err != "" {
		diff("(answer)", describeTransport(up), describeTransport(mock))
		return out
	}
	diff("HTTP status", strconv.Itoa(up.Status), strconv.Itoa(mock.Status))
	if !sameMediaType(up.ContentType, mock.ContentType) {
		diff("Content-Type", up.ContentType, mock.ContentType)
	}
	us, uerr := shape(up.Body)
	ms, merr := shape(mock.Body)
	if uerr != nil || merr != nil {
		diff("(body)", describeBody(uerr), describeBody(merr))
		return out
	}
	for _, k := range unionKeys(us, ms) {
		u, ok := us[k]
		if !ok {
			u = "(absent)"
		}
		m, ok := ms[k]
		if !ok {
			m = "(absent)"
		}
		diff(k, u, m)
	}
	return out
}

// sameMediaType compares two Content-Types as a client reads them: the
// type and parameter names in any case, the charset's value in any case,
// any spacing ("application/json;charset=UTF-8" is KICC's JSON too).
func sameMediaType(a, b string) bool {
	if a == b {
		return true
	}
	norm := func(s string) (string, map[string]string, bool) {
		t, params, err := mime.ParseMediaType(s)
		if err != nil {
			return "", nil, false
		}
		if cs, ok := params["charset"]; ok {
			params["charset"] = strings.ToLower(cs)
		}
		return t, params, true
	}
	at, ap, aok := norm(a)
	bt, bp, bok := norm(b)
	return aok && bok && at == bt && maps.Equal(ap, bp)
}

func describeTransport(a Answer) string {
	if a.Err != "" {
		return "no answer: " + a.Err
	}
	return "HTTP " + strconv.Itoa(a.Status)
}

func describeBody(err error) string {
	if err != nil {
		return "not JSON: " + err.Error()
	}
	return "JSON"
}

func unionKeys(a, b map[string]string) []string {
	var out []string
	for k := range a {
		out = append(out, k)
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// shape describes every field of a JSON body by its dotted path; items of
// a list share the path with [] appended.
func shape(body []byte) (map[string]string, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	out := map[string]string{}
	walk(out, "", "", v)
	return out, nil
}

func walk(out map[string]string, path, key string, v any) {
	switch v := v.(type) {
	case map[string]any:
		if path != "" {
			out[path] = "object"
		}
		for k, c := range v {
			p := k
			if path != "" {
				p = path + "." + k
			}
			walk(out, p, k, c)
		}
	case []any:
		out[orRoot(path)] = "list"
		for _, c := range v {
			walk(out, path+"[]", key, c)
		}
	case string:
		out[orRoot(path)] = describeString(key, v)
	case json.Number:
		out[orRoot(path)] = "number"
	case bool:
		out[orRoot(path)] = "bool"
	case nil:
		out[orRoot(path)] = "null"
	}
}

func orRoot(p string) string {
	if p == "" {
		return "(body)"
	}
	return p
}

// codeFields hold codes, whose values are compared: a different code is a
// different answer, not a random value.
var codeFields = []string{"resCd", "cancelStatus", "statusCd", "statusCode", "reviseTypeCode", "currency"}

var (
	digitsRE = regexp.MustCompile(`^[0-9]+$`)
	hexRE    = regexp.MustCompile(`^[0-9A-F]+$`)
)

// describeString is a string's shape: a code's value, a date's layout, the
// length of a digit or hex id, or just text.
func describeString(key, s string) string {
	switch {
	case slices.Contains(codeFields, key):
		return strconv.Quote(s)
	case s == "":
		return `string ""`
	case digitsRE.MatchString(s):
		if len(s) == 14 {
			if _, err := kicc.ParseDateTime(s); err == nil {
				return "string yyyyMMddHHmmss"
			}
		}
		if len(s) == 8 {
			if _, err := kicc.ParseDate(s); err == nil {
				return "string yyyyMMdd"
			}
		}
		return fmt.Sprintf("string of %d digits", len(s))
	case hexRE.MatchString(s):
		return fmt.Sprintf("string of %d hex digits", len(s))
	}
	return "string"
}

// WriteTable prints the report: one line per difference, then a summary.
func WriteTable(w io.Writer, r Report) {
	if len(r.Differences) == 0 {
		if len(r.Unanswered) > 0 {
			// Both sides failed alike: that is no comparison, not agreement.
			fmt.Fprintf(w, "no answer to %d of %d calls: not compared\n", len(r.Unanswered), r.Calls)
			return
		}
		fmt.Fprintf(w, "no differences in %d calls\n", r.Calls)
		return
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "CALL\tFIELD\tUPSTREAM\tMOCK")
	for _, d := range r.Differences {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", d.Call, d.Field, d.Upstream, d.Mock)
	}
	tw.Flush()
	calls := map[string]bool{}
	for _, d := range r.Differences {
		calls[d.Call] = true
	}
	fmt.Fprintf(w, "%d differences in %d of %d calls\n", len(r.Differences), len(calls), r.Calls)
}
