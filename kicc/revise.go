package kicc

// PathRevise is Cancel Payment's URL.
const PathRevise = "/api/trades/wechatpay/revise"

// reviseTypeCode values of the WeChat Pay revise.
const (
	ReviseFull    = "40" // full cancel
	RevisePartial = "32" // partial cancel
)

// ReviseRequest is the body of POST /api/trades/wechatpay/revise.
type ReviseRequest struct {
	MallID            string            `json:"mallId"`
	ShopTransactionID string            `json:"shopTransactionId"`
	PgCno             string            `json:"pgCno"`
	ReviseTypeCode    string            `json:"reviseTypeCode"`
	CancelReqDate     string            `json:"cancelReqDate"`
	MsgAuthValue      string            `json:"msgAuthValue"`
	NotifyURL         string            `json:"notifyUrl,omitempty"`
	Memo              string            `json:"memo,omitempty"`
	RegID             string            `json:"regId,omitempty"`
	AmountInfo        *ReviseAmountInfo `json:"amountInfo,omitempty"`
}

// ReviseAmountInfo is the revise's amountInfo: required for a partial
// cancel, named totAmount here (totalAmount in create, amount in webhooks).
type ReviseAmountInfo struct {
	Currency  string `json:"currency,omitempty"`
	TotAmount *int64 `json:"totAmount,omitempty"`
}

// reviseRules follow KICC's table; the required flags are the spec's
// assumption (copied from the card revise). notifyUrl is optional: without
// it no cancellation webhook is sent.
var reviseRules = []Rule{
	{Name: "mallId", MaxBytes: 8, Required: true},
	{Name: "shopTransactionId", MaxBytes: 60, Required: true},
	{Name: "pgCno", MaxBytes: 60, Required: true},
	{Name: "reviseTypeCode", MaxBytes: 2, Required: true},
	{Name: "cancelReqDate", MaxBytes: 8, Required: true},
	{Name: "msgAuthValue", MaxBytes: 200, Required: true},
	{Name: "notifyUrl", MaxBytes: 1000},
	{Name: "memo", MaxBytes: 400},
	{Name: "regId", MaxBytes: 40},
}

// Validate applies the field rules in table order, then the codes, the date
// format and the partial cancel's amount. It does not check msgAuthValue
// (that needs the secret key) nor the date against today.
func (r *ReviseRequest) Validate() *FieldError {
	values := [...]string{r.MallID, r.ShopTransactionID, r.PgCno, r.ReviseTypeCode, r.CancelReqDate, r.MsgAuthValue, r.NotifyURL, r.Memo, r.RegID}
	for i := range reviseRules {
		if err := reviseRules[i].Check(values[i]); err != nil {
			return err
		}
		switch reviseRules[i].Name {
		case "reviseTypeCode":
			if r.ReviseTypeCode != ReviseFull && r.ReviseTypeCode != RevisePartial {
				return &FieldError{ResCd: ResFormat, Field: "reviseTypeCode", Reason: "want 40 (full) or 32 (partial)"}
			}
		case "cancelReqDate":
			if _, err := ParseDate(r.CancelReqDate); err != nil || len(r.CancelReqDate) != 8 {
				return &FieldError{ResCd: ResFormat, Field: "cancelReqDate", Reason: "want yyyyMMdd"}
			}
		case "notifyUrl":
			if r.NotifyURL != "" && !IsHTTPURL(r.NotifyURL) {
				return &FieldError{ResCd: ResFormat, Field: "notifyUrl", Reason: "not an absolute http(s) URL"}
			}
		}
	}
	if r.ReviseTypeCode == RevisePartial && r.AmountInfo == nil {
		return &FieldError{ResCd: ResMissing, Field: "amountInfo", Reason: "required for a partial cancel"}
	}
	if a := r.AmountInfo; a != nil {
		if r.ReviseTypeCode == RevisePartial || a.Currency != "" {
			if err := checkCurrency(a.Currency); err != nil {
				return err
			}
		}
		if r.ReviseTypeCode == RevisePartial || a.TotAmount != nil {
			if err := checkAmount("amountInfo.totAmount", a.TotAmount); err != nil {
				return err
			}
		}
	}
	return nil
}

// ReviseResponse answers Cancel Payment: the request was accepted, not
// completed. KICC publishes no table for WeChat Pay; the shape is the
// spec's suggestion (ids echoed, cancelPgCno), followed by the fields of
// the card family's revise answer as observed in merchant code (oriPgCno,
// cancelAmount, remainAmount, statusCode, transactionDate), which clients
// written against the card API read. Extra fields are harmless: KICC adds
// fields without notice and clients must ignore unknown ones.
type ReviseResponse struct {
	ResCd             string `json:"resCd"`
	ResMsg            string `json:"resMsg"`
	ShopTransactionID string `json:"shopTransactionId"`
	MallID            string `json:"mallId,omitempty"`
	PgCno             string `json:"pgCno,omitempty"`
	CancelPgCno       string `json:"cancelPgCno,omitempty"`
	OriPgCno          string `json:"oriPgCno,omitempty"`
	CancelAmount      *int64 `json:"cancelAmount,omitempty"`
	RemainAmount      *int64 `json:"remainAmount,omitempty"`
	StatusCode        Status `json:"statusCode,omitempty"`
	TransactionDate   string `json:"transactionDate,omitempty"`
}
