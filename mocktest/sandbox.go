package mocktest

import (
	"context"
	"net/http"
	"net/url"

	"github.com/kicc-mock/kicc-mock/server"
)

// Pay makes the customer pay the created payment pgCno now; the approval
// webhook follows.
func (a *Admin) Pay(ctx context.Context, pgCno string) error {
	return a.do(ctx, http.MethodPost, "/__admin/transactions/"+url.PathEscape(pgCno)+"/pay", "", nil, nil)
}

// Void makes the customer abandon the created payment pgCno (find: TS12).
func (a *Admin) Void(ctx context.Context, pgCno string) error {
	return a.do(ctx, http.MethodPost, "/__admin/transactions/"+url.PathEscape(pgCno)+"/void", "", nil, nil)
}

// CompleteCancel completes the pending cancel cancelPgCno now; the
// cancellation webhook follows.
func (a *Admin) CompleteCancel(ctx context.Context, cancelPgCno string) error {
	return a.do(ctx, http.MethodPost, "/__admin/transactions/"+url.PathEscape(cancelPgCno)+"/complete", "", nil, nil)
}

// Webhooks returns every webhook attempt, newest first.
func (a *Admin) Webhooks(ctx context.Context) ([]server.WebhookAttempt, error) {
	var out struct {
		Webhooks []server.WebhookAttempt `json:"webhooks"`
	}
	err := a.do(ctx, http.MethodGet, "/__admin/webhooks", "", nil, &out)
	return out.Webhooks, err
}
