package kicc

import (
	"reflect"
	"strconv"
	"strings"
)

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

// knownFields are the request fields KICC defines, per path, read from the
// request types so the two cannot drift; nested fields are dotted
// (amountInfo.currency).
var knownFields = map[string]map[string]bool{
	PathFind:   jsonFieldNames(reflect.TypeFor[FindRequest](), "", map[string]bool{}),
	PathCreate: jsonFieldNames(reflect.TypeFor[CreateRequest](), "", map[string]bool{}),
	PathRevise: jsonFieldNames(reflect.TypeFor[ReviseRequest](), "", map[string]bool{}),
}

func jsonFieldNames(t reflect.Type, prefix string, names map[string]bool) map[string]bool {
	for f := range t.Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" || name == "-" {
			continue
		}
		names[prefix+name] = true
		ft := f.Type
		for ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		if ft.Kind() == reflect.Struct {
			jsonFieldNames(ft, prefix+name+".", names)
		}
	}
	return names
}

// IsEndpoint reports whether path is one of KICC's endpoints the mock
// serves.
func IsEndpoint(path string) bool { return knownFields[path] != nil }

// KnownFieldBytes is KnownField for a name held as bytes, without
// converting it.
func KnownFieldBytes(path string, name []byte) bool { return knownFields[path][string(name)] }

// KnownField reports whether the request to path has the field name
// (dotted for nested fields). KICC ignores other fields.
func KnownField(path, name string) bool { return knownFields[path][name] }

// FoldField returns the field of the request to path that name equals but
// for case ("" when none): Go's JSON decoder takes such a name for the
// field, which KICC may not.
func FoldField(path, name string) string {
	for known := range knownFields[path] {
		if strings.EqualFold(known, name) && known != name {
			return known
		}
	}
	return ""
}
