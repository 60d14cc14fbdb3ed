package sandbox

import (
	"net/http"

	"github.com/kicc-mock/kicc-mock/kicc"
	"github.com/kicc-mock/kicc-mock/store"
)

// TransactionView is a payment as GET /__admin/transactions shows it: the
// stored state plus what find would answer and the payment page.
type TransactionView struct {
	store.Payment
	StatusCd   kicc.Status  `json:"statusCd"`
	PayPageURL string       `json:"payPageUrl"`
	Cancels    []CancelView `json:"cancels"`
}

// CancelView is a cancel with the status find answers for it.
type CancelView struct {
	store.Cancel
	CancelStatus kicc.Status `json:"cancelStatus"`
}

// View is p as the admin API shows it; r is the request asking, for the
// payment page's URL.
func (s *Sandbox) View(r *http.Request, p *store.Payment) TransactionView {
	v := TransactionView{Payment: *p, StatusCd: PaymentStatus(p), PayPageURL: s.PayPageURL(r, p.PgCno), Cancels: []CancelView{}}
	for i := range p.Cancels {
		v.Cancels = append(v.Cancels, ViewCancel(&p.Cancels[i]))
	}
	return v
}

// ViewCancel is c as the admin API shows it.
func ViewCancel(c *store.Cancel) CancelView {
	return CancelView{Cancel: *c, CancelStatus: CancelStatus(c)}
}
