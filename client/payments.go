package client

import (
	"context"
	"errors"
	"time"

	"github.com/kicc-mock/kicc-mock/kicc"
)

// CreatePaymentRequest is a Create Transaction call; the client adds mallId
// and a fresh shopTransactionId when ShopTransactionID is empty.
type CreatePaymentRequest struct {
	ShopOrderNo string // unique per merchant
	GoodsName   string // English only
	ReturnURL   string
	TradeType   string // kicc.TradeTypeNative or kicc.TradeTypeMweb
	NotifyURL   string // receives the approval webhook
	Currency    string // KRW (default) or USD
	Amount      int64  // KRW in won, USD in cents
	Customer    *kicc.CustomerInfo
	// ShopTransactionID is the idempotency key; empty means a fresh one.
	ShopTransactionID string
}

// CreatePayment calls Create Transaction. The answer's PgCno identifies the
// payment; PaymentPageURL is the code URL (native) or the page to send the
// customer to (mweb).
func (c *Client) CreatePayment(ctx context.Context, r CreatePaymentRequest) (*kicc.CreateResponse, error) {
	cur := r.Currency
	if cur == "" {
		cur = kicc.CurrencyKRW
	}
	amount := r.Amount
	req := kicc.CreateRequest{
		MallID: c.mallID, ShopTransactionID: c.key(r.ShopTransactionID), ShopOrderNo: r.ShopOrderNo,
		GoodsName: r.GoodsName, ReturnURL: r.ReturnURL, TradeType: r.TradeType, NotifyURL: r.NotifyURL,
		AmountInfo: &kicc.AmountInfo{Currency: cur, TotalAmount: &amount}, CustomerInfo: r.Customer,
	}
	var resp kicc.CreateResponse
	if err := c.post(ctx, kicc.PathCreate, &req, &resp, &resp.ResCd, &resp.ResMsg, new(string)); err != nil {
		return nil, err
	}
	return &resp, nil
}

// CancelPaymentRequest is a Cancel Payment call. Amount zero is a full
// cancel ("40"); otherwise a partial cancel ("32") of Amount.
type CancelPaymentRequest struct {
	PgCno     string
	Amount    int64
	Currency  string // of a partial cancel; KRW when empty
	NotifyURL string // receives the cancellation webhook
	Memo      string
	RegID     string
	// CancelReqDate is the date of the first attempt; a retry must send it
	// again. Zero means today (KST).
	CancelReqDate time.Time
	// ShopTransactionID is the idempotency key; empty means a fresh one.
	ShopTransactionID string
}

// CancelPayment calls Cancel Payment with msgAuthValue computed from the
// secret key (WithSecretKey). A success means "accepted": the cancel
// completes later, announced by the cancellation webhook or seen with
// FindCancellation.
func (c *Client) CancelPayment(ctx context.Context, r CancelPaymentRequest) (*kicc.ReviseResponse, error) {
	if c.secret == "" {
		return nil, errors.New("kicc client: CancelPayment needs the secret key (WithSecretKey) to compute msgAuthValue")
	}
	key := c.key(r.ShopTransactionID)
	day := r.CancelReqDate
	if day.IsZero() {
		day = time.Now()
	}
	req := kicc.ReviseRequest{
		MallID: c.mallID, ShopTransactionID: key, PgCno: r.PgCno, ReviseTypeCode: kicc.ReviseFull,
		CancelReqDate: kicc.FormatDate(day), MsgAuthValue: kicc.MsgAuthValue(c.secret, r.PgCno, key),
		NotifyURL: r.NotifyURL, Memo: r.Memo, RegID: r.RegID,
	}
	if r.Amount > 0 {
		cur := r.Currency
		if cur == "" {
			cur = kicc.CurrencyKRW
		}
		amount := r.Amount
		req.ReviseTypeCode = kicc.RevisePartial
		req.AmountInfo = &kicc.ReviseAmountInfo{Currency: cur, TotAmount: &amount}
	}
	var resp kicc.ReviseResponse
	if err := c.post(ctx, kicc.PathRevise, &req, &resp, &resp.ResCd, &resp.ResMsg, new(string)); err != nil {
		return nil, err
	}
	return &resp, nil
}
