package kicc

import "strings"

// ResCd values. KICC publishes only "0000"; the others are the mock's own
// choices for conditions KICC documents without a code (see DESIGN.md), and
// every one of them can be overridden through Messages and scenarios.
const (
	ResOK        = "0000" // success
	ResMissing   = "1001" // required field missing or empty
	ResTooLong   = "1002" // field longer than its byte limit
	ResFormat    = "1003" // wrong JSON type, forbidden character, bad date or code
	ResDuplicate = "1010" // shopTransactionId reused the same KST day
	ResNotFound  = "1020" // pgCno/cancelPgCno unknown
	ResMall      = "1030" // mallId not in the allow-list
	ResAuth      = "1040" // msgAuthValue mismatch
	// The sandbox's transaction rules (create, revise); KICC publishes no
	// codes for them either.
	ResOrderDup     = "1011" // shopOrderNo already used by the mallId
	ResNotPaid      = "1050" // cancel of a payment that is not approved
	ResOverCancel   = "1051" // cancel amount above what remains
	ResAllCancelled = "1052" // the payment is already fully cancelled
	ResWeChat       = "2001" // WeChat-side failure, detail in resDetailMsg
	ResSystem       = "9999" // system error
)

// Code is one row of the code table: a resCd, its default resMsg and when the
// mock answers it.
type Code struct {
	ResCd   string
	ResMsg  string
	When    string
	Builtin bool // true for KICC's own codes, false for the mock's choices
}

// Codes is the code table in resCd order. The README is generated from the
// same facts and a test keeps the two in step.
var Codes = []Code{
	{ResOK, "정상처리", "success", true},
	{ResMissing, "필수 항목 누락", "required field missing or empty", false},
	{ResTooLong, "항목 길이 초과", "field longer than its byte limit", false},
	{ResFormat, "항목 형식 오류", "wrong JSON type, forbidden character, bad date or code", false},
	{ResDuplicate, "중복 요청", "shopTransactionId reused by the same mallId before the next KST midnight", false},
	{ResOrderDup, "중복 주문번호", "create: shopOrderNo already used by the same mallId", false},
	{ResNotFound, "거래 정보 없음", "pgCno/cancelPgCno unknown (only where the mock knows transactions)", false},
	{ResMall, "상점 정보 오류", "mallId not in the configured allow-list", false},
	{ResAuth, "메시지 인증값 오류", "msgAuthValue mismatch", false},
	{ResNotPaid, "결제 미완료 거래", "revise: the payment is not approved (unpaid or voided)", false},
	{ResOverCancel, "취소 가능 금액 초과", "revise: the cancel amount is more than what remains", false},
	{ResAllCancelled, "이미 취소된 거래", "revise: the payment is already fully cancelled", false},
	{ResWeChat, "위챗페이 오류", "WeChat-side failure; detail in resDetailMsg, URL-encoded", false},
	{ResSystem, "시스템 오류", "scripted system error", false},
}

// Messages maps a resCd to its resMsg. The zero value is usable and answers
// the defaults of Codes; a configured Messages overrides single codes.
type Messages map[string]string

// DefaultMessage returns the resMsg of Codes for resCd, or "" when the code is
// not in the table.
func DefaultMessage(resCd string) string {
	for _, c := range Codes {
		if c.ResCd == resCd {
			return c.ResMsg
		}
	}
	return ""
}

// Message returns the resMsg for resCd; when field is not empty it is named in
// parentheses, as in "필수 항목 누락 (mallId)", so a developer sees at once
// which field KICC objected to.
func (m Messages) Message(resCd, field string) string {
	msg, ok := m[resCd]
	if !ok {
		msg = DefaultMessage(resCd)
	}
	if field == "" {
		return msg
	}
	var b strings.Builder
	b.Grow(len(msg) + len(field) + 3)
	b.WriteString(msg)
	b.WriteString(" (")
	b.WriteString(field)
	b.WriteByte(')')
	return b.String()
}

// Status is a KICC transaction status code as found in statusCd and
// cancelStatus.
type Status string

// The statuses the WeChat Pay inquiries answer (KICC lists only these four).
const (
	StatusApproved      Status = "TS01" // approved; for a cancel inquiry: not cancelled (yet)
	StatusCancelled     Status = "TS02" // fully cancelled
	StatusPartCancelled Status = "TS06" // partially cancelled
	StatusVoided        Status = "TS12" // network cancel (void)
)

// Statuses lists the WeChat Pay statuses in code order.
var Statuses = []Status{StatusApproved, StatusCancelled, StatusPartCancelled, StatusVoided}

// Label is KICC's Korean name of the status, or "" for a status WeChat Pay
// does not use.
func (s Status) Label() string {
	switch s {
	case StatusApproved:
		return "승인"
	case StatusCancelled:
		return "승인취소"
	case StatusPartCancelled:
		return "부분매입취소"
	case StatusVoided:
		return "망취소"
	}
	return ""
}

// Known reports whether s is one of the WeChat Pay statuses.
func (s Status) Known() bool { return s.Label() != "" }

// Currencies KICC accepts for WeChat Pay. Its tables say 2 bytes, its values
// are 3 letters; the mock accepts and emits 3-letter codes.
const (
	CurrencyKRW = "KRW"
	CurrencyUSD = "USD"
)
