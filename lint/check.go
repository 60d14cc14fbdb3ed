package lint

import (
	"mime"
	"strings"
	"time"

	"github.com/kicc-mock/kicc-mock/kicc"
)

// State is what the linter asks the sandbox about ids.
type State interface {
	// Holds reports whether the sandbox holds any transaction: only then can
	// it tell an id it never issued.
	Holds() bool
	// Payment looks a pgCno up: its merchant, when it was created, and
	// whether it was paid.
	Payment(pgCno string) (mallID string, created time.Time, paid, ok bool)
	// Cancel looks a cancelPgCno up: the payment it cancels.
	Cancel(cancelPgCno string) (pgCno string, ok bool)
}

// Linter checks requests. The zero value is Off.
type Linter struct {
	Mode  Mode
	State State // nil: no sandbox
	keys  keyHistory
	Summary
}

// NewLinter returns a linter in mode, asking state about ids and keeping
// the endpoint of up to keys recent idempotency keys.
func NewLinter(mode Mode, state State, keys int) *Linter {
	l := &Linter{Mode: mode, State: state}
	l.keys.init(keys)
	return l
}

// Request is what a check reads of one request.
type Request struct {
	Path        string // the URL path: which KICC endpoint
	Endpoint    string // the scenario endpoint: find-cancel, find-payment, create, revise
	ContentType string
	Body        []byte
	// Req is the decoded request, nil when the body was not an object;
	// DecodeErr the field error decoding found, if any.
	Req       kicc.Request
	DecodeErr *kicc.FieldError
	Now       time.Time
}

// Enabled reports whether requests are checked.
func (l *Linter) Enabled() bool { return l != nil && l.Mode != Off && l.Mode != "" }

// Check appends r's findings to out.
func (l *Linter) Check(r *Request, out []Finding) []Finding {
	if !l.Enabled() {
		return out
	}
	out = checkContentType(r, out)
	out = checkFields(r, out)
	if fe := r.DecodeErr; fe != nil && (fe.Field == "amountInfo.totalAmount" || fe.Field == "amountInfo.totAmount") &&
		strings.HasSuffix(fe.Reason, "got string") {
		out = append(out, finding(AmountAsString, fe.Field, "%s is a JSON number in KICC's API (1000, not \"1000\"); refused as 1003", fe.Field))
	}
	if r.Req == nil || r.DecodeErr != nil {
		return out
	}
	out = l.checkKey(r, out)
	switch req := r.Req.(type) {
	case *kicc.FindRequest:
		out = l.checkFind(req, out)
	case *kicc.ReviseRequest:
		out = l.checkRevise(req, r.Now, out)
	}
	return out
}

func checkContentType(r *Request, out []Finding) []Finding {
	switch r.ContentType {
	case "application/json; charset=utf-8", "application/json; charset=UTF-8", "application/json;charset=UTF-8", "application/json;charset=utf-8":
		return out
	}
	media, params, err := mime.ParseMediaType(r.ContentType)
	if err == nil && media == "application/json" && params["charset"] == "" {
		out = append(out, finding(CharsetMissing, "", "Content-Type is %q; KICC documents application/json; charset=utf-8", r.ContentType))
	}
	return out
}

// cardFields are fields of KICC's card API that WeChat Pay's create and
// revise do not take.
var cardFields = map[string]string{
	"amount":        "WeChat Pay's create takes amountInfo.totalAmount, its revise amountInfo.totAmount",
	"reviseAmount":  "WeChat Pay's revise takes amountInfo.totAmount",
	"reviseReqDate": "WeChat Pay's revise takes cancelReqDate",
	"clientIp":      "WeChat Pay's API takes no client IP",
}

func checkFields(r *Request, out []Finding) []Finding {
	if r.Req == nil {
		return out
	}
	card := r.Path == kicc.PathCreate || r.Path == kicc.PathRevise
	walkKeys(r.Body, func(pathBytes []byte) bool {
		if kicc.KnownFieldBytes(r.Path, pathBytes) {
			return true
		}
		path := string(pathBytes)
		if why, ok := cardFields[path]; ok && card {
			out = append(out, finding(CardField, path, "%s is a field of KICC's card API; %s, so this one is ignored", path, why))
		} else if like := kicc.FoldField(r.Path, path); like != "" {
			out = append(out, finding(UnknownField, path, "KICC's %s takes no field %s, only %s: the mock's JSON decoder takes the two as one (it ignores case), KICC may not", endpointName(r.Path), path, like))
		} else {
			out = append(out, finding(UnknownField, path, "KICC's %s takes no field %s; it is ignored", endpointName(r.Path), path))
		}
		return false
	})
	return out
}

func endpointName(path string) string {
	switch path {
	case kicc.PathCreate:
		return "Create Transaction"
	case kicc.PathRevise:
		return "Cancel Payment"
	}
	return "status inquiry"
}

// magic reports whether id selects a scenario: such ids are the tester's.
func magic(id string) bool { return strings.HasPrefix(id, "mock-") }

// checkID checks one id field: its shape, then (with transactions held)
// whether the sandbox issued it, as the right kind of id. wantCancel says
// the field takes a cancel's id.
func (l *Linter) checkID(field, id string, wantCancel bool, out []Finding) []Finding {
	if magic(id) {
		return out
	}
	if !kicc.IsID(id) {
		return append(out, finding(IDShape, field, "%s %q is not shaped like a KICC id (20 digits: yyMMddHHmmss and an 8-digit sequence); KICC would not know it", field, id))
	}
	if l.State == nil || !l.State.Holds() {
		return out
	}
	_, _, _, isPayment := l.State.Payment(id)
	_, isCancel := l.State.Cancel(id)
	switch {
	case wantCancel && isPayment:
		return append(out, finding(CancelIDAsPgCno, field, "cancelPgCno %s is a payment's id (a pgCno); the cancel's id is the cancelPgCno its revise answered", id))
	case !wantCancel && isCancel:
		return append(out, finding(CancelIDAsPgCno, field, "pgCno %s is a cancel's id (a cancelPgCno); pgCno is the payment's id create answered", id))
	case wantCancel && !isCancel, !wantCancel && !isPayment:
		return append(out, finding(UnknownID, field, "%s %s was never issued by this mock; KICC answers only for its own ids", field, id))
	}
	return out
}

func (l *Linter) checkFind(req *kicc.FindRequest, out []Finding) []Finding {
	out = l.checkID("pgCno", req.PgCno, false, out)
	if req.IsCancel() {
		return l.checkID("cancelPgCno", req.CancelPgCno, true, out)
	}
	if l.State != nil && !magic(req.PgCno) {
		if _, _, paid, ok := l.State.Payment(req.PgCno); ok && !paid {
			out = append(out, finding(UnpaidPayment, "pgCno", "payment %s was created but not paid; KICC documents no status for it, and the answer has no statusCd", req.PgCno))
		}
	}
	return out
}

func (l *Linter) checkRevise(req *kicc.ReviseRequest, now time.Time, out []Finding) []Finding {
	out = l.checkID("pgCno", req.PgCno, false, out)
	d, today := req.CancelReqDate, kicc.FormatDate(now)
	if utc := now.UTC().Format(kicc.DateLayout); d != today && d == utc {
		out = append(out, finding(DateNotKST, "cancelReqDate", "cancelReqDate %s is today in UTC, not in KST (today is %s in Korea); KICC's dates are KST", d, today))
	}
	first := ""
	if l.State != nil {
		if _, created, _, ok := l.State.Payment(req.PgCno); ok {
			first = kicc.FormatDate(created)
		}
	}
	if d > today || first != "" && d < first {
		f := finding(CancelDateWindow, "cancelReqDate", "cancelReqDate %s is outside %s; a retry sends its first attempt's date, so the mock takes any day in that range (KICC does not document the rule)", d, dateRange(first, today))
		out = append(out, f)
	}
	return out
}

// dateRange says which days a cancelReqDate may be.
func dateRange(first, today string) string {
	if first == "" {
		return "the days up to today, " + today + " (KST)"
	}
	return "the days from " + first + " (the payment's) to " + today + " (today, KST)"
}

// Refusal is what strict mode answers f with: its resCd and the field text
// resMsg names ("" resCd: not refused).
func Refusal(f Finding, now time.Time, state State, req kicc.Request) (resCd, field string) {
	r, _ := RuleOf(f.Code)
	if r.Refuse == "" {
		return "", ""
	}
	field = f.Field
	if f.Code == CancelDateWindow {
		first := ""
		if rv, ok := req.(*kicc.ReviseRequest); ok && state != nil {
			if _, created, _, ok := state.Payment(rv.PgCno); ok {
				first = kicc.FormatDate(created)
			}
		}
		field += ": " + dateRange(first, kicc.FormatDate(now))
	}
	return r.Refuse, field
}

// walkKeys calls fn with the dotted path of every object key in body,
// depth first in document order; fn returns whether to walk into the key's
// value when it is an object. fn must copy the path to keep it. body is a
// JSON object (Decode checked it); walkKeys stops at anything it does not
// expect rather than fail. A top-level key without escapes is handed over
// as a slice of body, so a flat request (every find) costs no allocation;
// nested paths are built as they come.
func walkKeys(body []byte, fn func(path []byte) bool) {
	var prefixes [maxKeyDepth][]byte // the open objects' paths, "amountInfo." and so on
	i := skip(body, 0)
	if i >= len(body) || body[i] != '{' {
		return
	}
	depth := 0
	i++
	for i < len(body) && depth >= 0 {
		i = skip(body, i)
		if i >= len(body) {
			return
		}
		switch body[i] {
		case '}':
			depth--
			i++
			continue
		case ',':
			i++
			continue
		case '"':
		default:
			return
		}
		key, j, ok := jsonKey(body, i)
		if !ok {
			return
		}
		i = skip(body, j)
		if i >= len(body) || body[i] != ':' {
			return
		}
		i = skip(body, i+1)
		path := key
		if depth > 0 {
			path = append(append([]byte(nil), prefixes[depth]...), key...)
		}
		descend := fn(path)
		if i < len(body) && body[i] == '{' && descend && depth+1 < maxKeyDepth {
			depth++
			prefixes[depth] = append(append([]byte(nil), path...), '.')
			i++
			continue
		}
		if i = skipValue(body, i); i < 0 {
			return
		}
	}
}

// maxKeyDepth is how deep walkKeys looks: KICC's requests nest one level.
const maxKeyDepth = 4

func skip(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// jsonKey reads the string at b[i]: its raw bytes when it has no escapes,
// else its value.
func jsonKey(b []byte, i int) ([]byte, int, bool) {
	escaped := false
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			escaped = true
			j++
		case '"':
			if !escaped {
				return b[i+1 : j], j + 1, true
			}
			s, ok := unquote(b[i : j+1])
			return []byte(s), j + 1, ok
		}
	}
	return nil, 0, false
}

// skipValue returns the index after the JSON value at b[i], -1 when it
// cannot tell.
func skipValue(b []byte, i int) int {
	depth := 0
	for i < len(b) {
		switch c := b[i]; c {
		case '"':
			_, j, ok := jsonKey(b, i)
			if !ok {
				return -1
			}
			i = j
			if depth == 0 {
				return i
			}
			continue
		case '{', '[':
			depth++
		case '}', ']':
			if depth == 0 {
				return i // the end of the enclosing object: the caller reads it
			}
			depth--
			if depth == 0 {
				return i + 1
			}
		case ',':
			if depth == 0 {
				return i
			}
		}
		i++
	}
	return i
}
