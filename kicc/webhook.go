package kicc

import "time"

// WebhookAmountInfo is amountInfo of both webhooks: named amount there.
type WebhookAmountInfo struct {
	Currency string `json:"currency"`
	Amount   int64  `json:"amount"`
}

// ApprovalWebhook is what KICC posts to the create request's notifyUrl once
// the payment is approved.
type ApprovalWebhook struct {
	ResCd        string             `json:"resCd"`
	ResMsg       string             `json:"resMsg"`
	MallID       string             `json:"mallId,omitempty"`
	ShopOrderNo  string             `json:"shopOrderNo,omitempty"`
	PgCno        string             `json:"pgCno,omitempty"`
	ApprovalDate string             `json:"approvalDate,omitempty"`
	AmountInfo   *WebhookAmountInfo `json:"amountInfo,omitempty"`
}

// CancelWebhook is what KICC posts to the revise request's notifyUrl once a
// cancellation completes.
type CancelWebhook struct {
	ResCd       string             `json:"resCd"`
	ResMsg      string             `json:"resMsg"`
	MallID      string             `json:"mallId,omitempty"`
	ShopOrderNo string             `json:"shopOrderNo,omitempty"`
	PgCno       string             `json:"pgCno,omitempty"`
	CancelPgCno string             `json:"cancelPgCno,omitempty"`
	CancelDate  string             `json:"cancelDate,omitempty"`
	AmountInfo  *WebhookAmountInfo `json:"amountInfo,omitempty"`
}

// WebhookAck is the merchant's answer to a webhook: resCd "0000" (with HTTP
// 200, within 10 s) is success; anything else makes KICC resend.
type WebhookAck struct {
	ResCd  string `json:"resCd"`
	ResMsg string `json:"resMsg,omitempty"`
}

// Webhook rules KICC documents.
const (
	WebhookAckDeadline = 10 * time.Second // the merchant must ack within it
	WebhookMaxResends  = 15               // resends after the first attempt
)
