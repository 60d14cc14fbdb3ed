// Package lint checks every KICC request against what KICC documents and
// what real integrations get wrong, so that an integration that passes
// against the mock passes against KICC: ids the mock never issued, a
// cancel id sent as the payment's, a key reused across endpoints, a date
// from a clock that is not KST, fields KICC does not know (card-style ones
// in particular), amounts sent as strings, a content type without its
// charset, a retry after a transport error.
//
// Each finding has a code, a severity (error: KICC would refuse it; warn:
// likely wrong, or a rule KICC does not document; info: worth knowing), the
// field it is about and a sentence. The server shows findings in the
// journal, the X-KICC-Mock-Lint header, the access log and
// GET /__admin/lint; with Mode strict it refuses the requests whose
// findings a strict mock refuses.
package lint

import (
	"fmt"
	"strings"
)

// Severity says how sure a finding is that KICC would object.
type Severity string

// The severities.
const (
	Error Severity = "error" // KICC would refuse the request
	Warn  Severity = "warn"  // likely wrong, or a rule KICC does not document
	Info  Severity = "info"  // worth knowing, harmless here
)

// Mode is --lint.
type Mode string

// The modes.
const (
	Off    Mode = "off"    // no checks
	On     Mode = "warn"   // findings are reported, requests answered as usual (the default)
	Strict Mode = "strict" // findings a strict mock refuses (Rule.Refuse) are refused
)

// ParseMode reads --lint.
func ParseMode(s string) (Mode, error) {
	switch m := Mode(s); m {
	case Off, On, Strict:
		return m, nil
	case "":
		return On, nil
	}
	return "", fmt.Errorf("unknown lint mode %q (want off, warn or strict)", s)
}

// Finding is one thing a request got wrong, or may have.
type Finding struct {
	Code     string   `json:"code"`
	Severity Severity `json:"severity"`
	Field    string   `json:"field,omitempty"`
	Message  string   `json:"message"`
}

// Rule is one lint code: what it catches and what a strict mock answers.
type Rule struct {
	Code     string
	Severity Severity
	// Refuse is the resCd strict mode answers a finding of this code with;
	// "" means strict mode reports it but answers as usual.
	Refuse string
	// Catches says what it catches, for the documentation.
	Catches string
}

// The codes.
const (
	UnknownID          = "unknown-id"
	IDShape            = "id-shape"
	CancelIDAsPgCno    = "cancel-id-as-pgcno"
	KeyAcrossEndpoints = "key-across-endpoints"
	RetryAfterFault    = "retry-after-transport-error"
	DateNotKST         = "date-not-kst"
	CancelDateWindow   = "cancel-date-window"
	UnknownField       = "unknown-field"
	CardField          = "card-field"
	AmountAsString     = "amount-as-string"
	CharsetMissing     = "charset-missing"
	UnpaidPayment      = "unpaid-payment"
)

// Rules is every code, in the order the documentation lists them.
var Rules = []Rule{
	{UnknownID, Error, "1020", "a pgCno or cancelPgCno this mock never issued, while its sandbox holds transactions: KICC answers only for its own ids (without transactions the mock cannot tell, and answers as if it had issued it)"},
	{IDShape, Error, "1020", "a pgCno or cancelPgCno not shaped like a KICC id (20 digits: yyMMddHHmmss of creation and an 8-digit sequence); magic ids (mock-...) are exempt"},
	{CancelIDAsPgCno, Error, "1020", "a cancel's id (cancelPgCno) sent as pgCno, or a payment's id sent as cancelPgCno: the two ids swapped"},
	{KeyAcrossEndpoints, Error, "1010", "a shopTransactionId already used by the same mallId today on another endpoint: KICC's keys are unique per merchant and day across its API, not per endpoint"},
	{RetryAfterFault, Info, "", "a shopTransactionId sent again after its request ended in a transport error (a reset, an empty reply, HTTP 502/503/504): a gateway's failure never reached KICC, so the key is still free; had KICC seen the request (a timeout), the retry would be a duplicate"},
	{DateNotKST, Warn, "", "a date (cancelReqDate) that is today in UTC but not in KST: KICC's dates are Korean time, and a host clock in UTC sends yesterday's date from 00:00 to 09:00 KST"},
	{CancelDateWindow, Warn, "1003", "a cancelReqDate before the payment's day or after today (KST): a retry sends its first attempt's date, so the mock expects a day in that range; KICC does not document the rule"},
	{UnknownField, Warn, "", "a field KICC does not define for the endpoint: KICC ignores it, and a misspelt field is a field KICC never sees"},
	{CardField, Warn, "", "a field of KICC's card API (amount, reviseAmount, reviseReqDate, clientIp) sent to WeChat Pay, which names them otherwise or not at all: the value is ignored"},
	{AmountAsString, Error, "", "an amount sent as a JSON string (\"1000\") where KICC takes a number; refused as 1003 in every mode"},
	{CharsetMissing, Info, "", "Content-Type application/json without \"; charset=utf-8\", which KICC's documentation gives for every call"},
	{UnpaidPayment, Info, "", "a payment inquiry about a payment created but not paid yet: KICC documents no status for it, and the mock answers 0000 without statusCd"},
}

// RuleOf returns the rule of code.
func RuleOf(code string) (Rule, bool) {
	for _, r := range Rules {
		if r.Code == code {
			return r, true
		}
	}
	return Rule{}, false
}

func finding(code, field, format string, args ...any) Finding {
	r, _ := RuleOf(code)
	return Finding{Code: code, Severity: r.Severity, Field: field, Message: fmt.Sprintf(format, args...)}
}

// Header renders findings for the X-KICC-Mock-Lint response header:
// "severity:code:field" (field left out when empty), comma-separated.
func Header(fs []Finding) string {
	var b strings.Builder
	for i, f := range fs {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(string(f.Severity))
		b.WriteByte(':')
		b.WriteString(f.Code)
		if f.Field != "" {
			b.WriteByte(':')
			b.WriteString(f.Field)
		}
	}
	return b.String()
}

// Table is the documentation's table of codes, in markdown.
func Table() string {
	var b strings.Builder
	b.WriteString("| code | severity | catches | `--lint=strict` answers |\n|---|---|---|---|\n")
	for _, r := range Rules {
		strict := "as usual (reported only)"
		if r.Refuse != "" {
			strict = "`" + r.Refuse + "`"
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s |\n", r.Code, r.Severity, r.Catches, strict)
	}
	return b.String()
}
