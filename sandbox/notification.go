package sandbox

import (
	"time"

	"github.com/kicc-mock/kicc-mock/kicc"
	"github.com/kicc-mock/kicc-mock/store"
)

// webhookOKMessage is the resMsg of a successful notification (KICC's
// Korean examples).
const webhookOKMessage = "정상"

// ApprovalNotification is the approval webhook KICC posts for payment p,
// approved at.
func ApprovalNotification(p *store.Payment, at time.Time) *kicc.ApprovalWebhook {
	return &kicc.ApprovalWebhook{
		ResCd: kicc.ResOK, ResMsg: webhookOKMessage, MallID: p.MallID, ShopOrderNo: p.ShopOrderNo, PgCno: p.PgCno,
		ApprovalDate: kicc.FormatDateTime(at),
		AmountInfo:   &kicc.WebhookAmountInfo{Currency: p.Currency, Amount: p.Amount},
	}
}

// CancelNotification is the cancellation webhook KICC posts once cancel c
// of payment p completed, at.
func CancelNotification(p *store.Payment, c *store.Cancel, at time.Time) *kicc.CancelWebhook {
	return &kicc.CancelWebhook{
		ResCd: kicc.ResOK, ResMsg: webhookOKMessage, MallID: p.MallID, ShopOrderNo: p.ShopOrderNo, PgCno: p.PgCno,
		CancelPgCno: c.CancelPgCno, CancelDate: kicc.FormatDateTime(at),
		AmountInfo: &kicc.WebhookAmountInfo{Currency: p.Currency, Amount: c.Amount},
	}
}
