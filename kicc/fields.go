package kicc

import "strconv"

// Request is what every KICC request body has in common, for the code that
// handles all endpoints alike: its field rules, its merchant and
// idempotency key, and its fields by JSON name (dotted for nested ones), for
// scenario rules and templates.
type Request interface {
	// Validate applies the endpoint's field rules; nil when they hold.
	Validate() *FieldError
	// Merchant is mallId.
	Merchant() string
	// Key is shopTransactionId, the idempotency key.
	Key() string
	// Field returns a field's value as text; ok is false when the request
	// does not have it.
	Field(name string) (string, bool)
}

var (
	_ Request = (*FindRequest)(nil)
	_ Request = (*CreateRequest)(nil)
	_ Request = (*ReviseRequest)(nil)
)

// Merchant implements Request.
func (r *FindRequest) Merchant() string { return r.MallID }

// Key implements Request.
func (r *FindRequest) Key() string { return r.ShopTransactionID }

// Field implements Request.
func (r *FindRequest) Field(name string) (string, bool) {
	switch name {
	case "mallId":
		return r.MallID, true
	case "shopTransactionId":
		return r.ShopTransactionID, true
	case "pgCno":
		return r.PgCno, true
	case "cancelPgCno":
		return r.CancelPgCno, r.CancelPgCno != ""
	}
	return "", false
}

// Merchant implements Request.
func (r *CreateRequest) Merchant() string { return r.MallID }

// Key implements Request.
func (r *CreateRequest) Key() string { return r.ShopTransactionID }

// Field implements Request.
func (r *CreateRequest) Field(name string) (string, bool) {
	switch name {
	case "mallId":
		return r.MallID, true
	case "shopTransactionId":
		return r.ShopTransactionID, true
	case "shopOrderNo":
		return r.ShopOrderNo, true
	case "goodsName":
		return r.GoodsName, true
	case "tradeType":
		return r.TradeType, true
	case "returnUrl":
		return r.ReturnURL, true
	case "notifyUrl":
		return r.NotifyURL, true
	case "amountInfo.currency":
		if r.AmountInfo != nil {
			return r.AmountInfo.Currency, true
		}
	case "amountInfo.totalAmount":
		if r.AmountInfo != nil && r.AmountInfo.TotalAmount != nil {
			return strconv.FormatInt(*r.AmountInfo.TotalAmount, 10), true
		}
	}
	return "", false
}

// Merchant implements Request.
func (r *ReviseRequest) Merchant() string { return r.MallID }

// Key implements Request.
func (r *ReviseRequest) Key() string { return r.ShopTransactionID }

// Field implements Request.
func (r *ReviseRequest) Field(name string) (string, bool) {
	switch name {
	case "mallId":
		return r.MallID, true
	case "shopTransactionId":
		return r.ShopTransactionID, true
	case "pgCno":
		return r.PgCno, true
	case "reviseTypeCode":
		return r.ReviseTypeCode, true
	case "cancelReqDate":
		return r.CancelReqDate, true
	case "notifyUrl":
		return r.NotifyURL, r.NotifyURL != ""
	case "memo":
		return r.Memo, r.Memo != ""
	case "regId":
		return r.RegID, r.RegID != ""
	case "amountInfo.currency":
		if r.AmountInfo != nil && r.AmountInfo.Currency != "" {
			return r.AmountInfo.Currency, true
		}
	case "amountInfo.totAmount":
		if r.AmountInfo != nil && r.AmountInfo.TotAmount != nil {
			return strconv.FormatInt(*r.AmountInfo.TotAmount, 10), true
		}
	}
	return "", false
}
