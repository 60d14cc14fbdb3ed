package kicc

import (
	"net/url"
	"time"
)

// PathCreate is Create Transaction's URL.
const PathCreate = "/api/trades/wechatpay"

// Trade types of Create Transaction.
const (
	TradeTypeNative = "native" // QR payment: paymentPageUrl is a WeChat code URL
	TradeTypeMweb   = "mweb"   // mobile-web (H5) payment: paymentPageUrl is a redirect URL
)

// CreateRequest is the body of POST /api/trades/wechatpay.
type CreateRequest struct {
	MallID            string        `json:"mallId"`
	ShopTransactionID string        `json:"shopTransactionId"`
	ShopOrderNo       string        `json:"shopOrderNo"`
	GoodsName         string        `json:"goodsName"`
	ReturnURL         string        `json:"returnUrl"`
	TradeType         string        `json:"tradeType"`
	NotifyURL         string        `json:"notifyUrl"`
	AmountInfo        *AmountInfo   `json:"amountInfo,omitempty"`
	CustomerInfo      *CustomerInfo `json:"customerInfo,omitempty"`
}

// AmountInfo is amountInfo of Create Transaction. TotalAmount is a pointer
// so that an absent amount (1001) differs from a zero one (1003).
type AmountInfo struct {
	Currency    string `json:"currency"`
	TotalAmount *int64 `json:"totalAmount,omitempty"`
}

// CustomerInfo is Create Transaction's optional customerInfo.
type CustomerInfo struct {
	CustomerID        string `json:"customerId,omitempty"`
	CustomerName      string `json:"customerName,omitempty"`
	CustomerMail      string `json:"customerMail,omitempty"`
	CustomerContactNo string `json:"customerContactNo,omitempty"`
	CustomerAddr      string `json:"customerAddr,omitempty"`
}

// createRules follow KICC's table. tradeType has no byte limit: the table's
// "3 Byte" is a documentation error ("native" is 6).
var createRules = []Rule{
	{Name: "mallId", MaxBytes: 8, Required: true},
	{Name: "shopTransactionId", MaxBytes: 60, Required: true},
	{Name: "shopOrderNo", MaxBytes: 40, Required: true},
	{Name: "goodsName", MaxBytes: 100, Required: true},
	{Name: "returnUrl", MaxBytes: 256, Required: true},
	{Name: "tradeType", Required: true},
	{Name: "notifyUrl", MaxBytes: 256, Required: true},
}

var customerRules = []Rule{
	{Name: "customerInfo.customerId", MaxBytes: 20},
	{Name: "customerInfo.customerName", MaxBytes: 20},
	{Name: "customerInfo.customerMail", MaxBytes: 50},
	{Name: "customerInfo.customerContactNo", MaxBytes: 11},
	{Name: "customerInfo.customerAddr", MaxBytes: 200},
}

// currencyRule: KICC's tables say 2 or 3 bytes, its values are 3 letters.
var currencyRule = Rule{Name: "amountInfo.currency", MaxBytes: 3, Required: true}

// Validate applies KICC's field rules in table order and returns the first
// violation, or nil.
func (r *CreateRequest) Validate() *FieldError {
	values := [...]string{r.MallID, r.ShopTransactionID, r.ShopOrderNo, r.GoodsName, r.ReturnURL, r.TradeType, r.NotifyURL}
	for i := range createRules {
		if err := createRules[i].Check(values[i]); err != nil {
			return err
		}
		switch createRules[i].Name {
		case "goodsName":
			if !IsEnglish(r.GoodsName) {
				return &FieldError{ResCd: ResFormat, Field: "goodsName", Reason: "English only (printable ASCII)"}
			}
		case "returnUrl", "notifyUrl":
			if !IsHTTPURL(values[i]) {
				return &FieldError{ResCd: ResFormat, Field: createRules[i].Name, Reason: "not an absolute http(s) URL"}
			}
		case "tradeType":
			if r.TradeType != TradeTypeNative && r.TradeType != TradeTypeMweb {
				return &FieldError{ResCd: ResFormat, Field: "tradeType", Reason: "want native or mweb"}
			}
		}
	}
	if r.AmountInfo == nil {
		return &FieldError{ResCd: ResMissing, Field: "amountInfo", Reason: "required"}
	}
	if err := checkCurrency(r.AmountInfo.Currency); err != nil {
		return err
	}
	if err := checkAmount("amountInfo.totalAmount", r.AmountInfo.TotalAmount); err != nil {
		return err
	}
	if c := r.CustomerInfo; c != nil {
		cv := [...]string{c.CustomerID, c.CustomerName, c.CustomerMail, c.CustomerContactNo, c.CustomerAddr}
		for i := range customerRules {
			if err := customerRules[i].Check(cv[i]); err != nil {
				return err
			}
		}
		if !isDigits(c.CustomerContactNo) {
			return &FieldError{ResCd: ResFormat, Field: "customerInfo.customerContactNo", Reason: "digits only"}
		}
	}
	return nil
}

func checkCurrency(c string) *FieldError {
	if err := currencyRule.Check(c); err != nil {
		return err
	}
	if c != CurrencyKRW && c != CurrencyUSD {
		return &FieldError{ResCd: ResFormat, Field: currencyRule.Name, Reason: "want KRW or USD"}
	}
	return nil
}

// MaxAmount bounds amounts (KRW won or USD cents): ten billion, far above any
// WeChat payment, so sums of cancels cannot overflow.
const MaxAmount = 10_000_000_000

func checkAmount(field string, v *int64) *FieldError {
	switch {
	case v == nil:
		return &FieldError{ResCd: ResMissing, Field: field, Reason: "required"}
	case *v <= 0 || *v > MaxAmount:
		return &FieldError{ResCd: ResFormat, Field: field, Reason: "must be a positive whole number"}
	}
	return nil
}

// IsEnglish reports whether s holds only printable ASCII: KICC asks for an
// English goodsName.
func IsEnglish(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// IsHTTPURL reports whether s is an absolute http or https URL with a host.
func IsHTTPURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// CreateResponse answers Create Transaction. KICC publishes no table; the
// four certain fields are resCd, resMsg, pgCno and paymentPageUrl, the
// echoed ids are assumed (see the spec's section 3).
type CreateResponse struct {
	ResCd             string `json:"resCd"`
	ResMsg            string `json:"resMsg"`
	ShopTransactionID string `json:"shopTransactionId"`
	MallID            string `json:"mallId,omitempty"`
	ShopOrderNo       string `json:"shopOrderNo,omitempty"`
	PgCno             string `json:"pgCno,omitempty"`
	PaymentPageURL    string `json:"paymentPageUrl,omitempty"`
}

// ParseDate reads a yyyyMMdd date as the start of that KST day.
func ParseDate(s string) (time.Time, error) { return time.ParseInLocation(DateLayout, s, KST) }

// FormatDate renders t in KST as yyyyMMdd.
func FormatDate(t time.Time) string { return t.In(KST).Format(DateLayout) }
