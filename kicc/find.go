package kicc

import "time"

// PathFind is the one URL of both WeChat Pay status inquiries.
const PathFind = "/api/trades/wechatpay/find"

// FindRequest is the body of POST /api/trades/wechatpay/find. With
// CancelPgCno it asks for a cancellation's status (Check Cancellation
// Status), without it for the payment's status (Check Payment Status).
type FindRequest struct {
	MallID            string `json:"mallId"`
	ShopTransactionID string `json:"shopTransactionId"`
	PgCno             string `json:"pgCno"`
	CancelPgCno       string `json:"cancelPgCno,omitempty"`
}

// flatFields is the request's field table for decodeFlat. An array, not a
// slice, so the caller keeps it on the stack of the hot path.
func (r *FindRequest) flatFields() [4]fastField {
	return [4]fastField{
		{"mallId", &r.MallID}, {"shopTransactionId", &r.ShopTransactionID},
		{"pgCno", &r.PgCno}, {"cancelPgCno", &r.CancelPgCno},
	}
}

// IsCancel reports whether the request is a cancellation-status inquiry. An
// absent, null or empty cancelPgCno means the payment-status inquiry.
func (r *FindRequest) IsCancel() bool { return r.CancelPgCno != "" }

// findRules are the request's fields in the order KICC's table lists them;
// validation reports the first offending field in this order.
var findRules = []Rule{
	{Name: "mallId", MaxBytes: 8, Required: true},
	{Name: "shopTransactionId", MaxBytes: 60, Required: true},
	{Name: "pgCno", MaxBytes: 60, Required: true},
	{Name: "cancelPgCno", MaxBytes: 60},
}

// Validate applies KICC's field rules and returns the first violation, or
// nil.
func (r *FindRequest) Validate() *FieldError {
	values := [...]string{r.MallID, r.ShopTransactionID, r.PgCno, r.CancelPgCno}
	for i := range findRules {
		if err := findRules[i].Check(values[i]); err != nil {
			return err
		}
	}
	return nil
}

// CancelAmountInfo is amountInfo of a cancellation-status answer.
type CancelAmountInfo struct {
	Currency  string `json:"currency"`
	TotAmount int64  `json:"totAmount"`
}

// CancelStatusResponse answers Check Cancellation Status. Error answers carry
// resCd, resMsg and the request's ids only, so every optional field is
// omitted when empty.
type CancelStatusResponse struct {
	ResCd             string            `json:"resCd"`
	ResMsg            string            `json:"resMsg"`
	ShopTransactionID string            `json:"shopTransactionId"`
	MallID            string            `json:"mallId,omitempty"`
	PgCno             string            `json:"pgCno,omitempty"`
	CancelPgCno       string            `json:"cancelPgCno,omitempty"`
	TransactionDate   string            `json:"transactionDate,omitempty"`
	CancelStatus      Status            `json:"cancelStatus,omitempty"`
	ResDetailMsg      string            `json:"resDetailMsg,omitempty"`
	AmountInfo        *CancelAmountInfo `json:"amountInfo,omitempty"`
}

// PaymentAmountInfo is amountInfo of a payment-status answer. KICC does not
// publish this table beyond currency; the mock names the amount "amount", as
// the approval webhook does (see the spec's section 5).
type PaymentAmountInfo struct {
	Currency string `json:"currency"`
	Amount   int64  `json:"amount"`
}

// PaymentStatusResponse answers Check Payment Status.
type PaymentStatusResponse struct {
	ResCd             string             `json:"resCd"`
	ResMsg            string             `json:"resMsg"`
	ShopTransactionID string             `json:"shopTransactionId"`
	MallID            string             `json:"mallId,omitempty"`
	ShopOrderNo       string             `json:"shopOrderNo,omitempty"`
	PgCno             string             `json:"pgCno,omitempty"`
	ApprovalDate      string             `json:"approvalDate,omitempty"`
	StatusCd          Status             `json:"statusCd,omitempty"`
	ResDetailMsg      string             `json:"resDetailMsg,omitempty"`
	AmountInfo        *PaymentAmountInfo `json:"amountInfo,omitempty"`
}

// ResponseRules are the byte limits of the find answers' string fields, for
// checking what a server sends.
var ResponseRules = map[string]Rule{
	"resCd":             {Name: "resCd", MaxBytes: 4, Required: true},
	"resMsg":            {Name: "resMsg", MaxBytes: 1000, Required: true},
	"shopTransactionId": {Name: "shopTransactionId", MaxBytes: 60, Required: true},
	"mallId":            {Name: "mallId", MaxBytes: 8},
	"shopOrderNo":       {Name: "shopOrderNo", MaxBytes: 40},
	"pgCno":             {Name: "pgCno", MaxBytes: 60},
	"cancelPgCno":       {Name: "cancelPgCno", MaxBytes: 60},
	"transactionDate":   {Name: "transactionDate", MaxBytes: 14},
	"approvalDate":      {Name: "approvalDate", MaxBytes: 14},
	"cancelStatus":      {Name: "cancelStatus", MaxBytes: 4},
	"statusCd":          {Name: "statusCd", MaxBytes: 4},
	"resDetailMsg":      {Name: "resDetailMsg", MaxBytes: 1024},
	// KICC's tables say 2 bytes, its values are 3 letters (KRW, USD).
	"currency": {Name: "currency", MaxBytes: 3, Required: true},
}

// Time parses transactionDate (KST).
func (r *CancelStatusResponse) Time() (time.Time, error) { return ParseDateTime(r.TransactionDate) }

// Time parses approvalDate (KST).
func (r *PaymentStatusResponse) Time() (time.Time, error) { return ParseDateTime(r.ApprovalDate) }
