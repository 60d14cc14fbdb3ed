package client

import (
	"context"
	"encoding/json"
	"io"
	"net/http"

	"github.com/kicc-mock/kicc-mock/kicc"
)

// Notification is a webhook KICC sent: exactly one of Approval (payment
// approved, to the create request's notifyUrl) and Cancel (cancellation
// completed, to the revise request's notifyUrl) is set. The two bodies have
// no kind field; a cancelPgCno tells them apart.
type Notification struct {
	Approval *kicc.ApprovalWebhook
	Cancel   *kicc.CancelWebhook
}

// Ack texts the handler answers (KICC's Korean examples).
var (
	AckOK     = kicc.WebhookAck{ResCd: kicc.ResOK, ResMsg: "정상"}
	AckFailed = kicc.WebhookAck{ResCd: "5001", ResMsg: "처리실패"}
)

// WebhookHandler returns an http.Handler for a notifyUrl: it parses KICC's
// notification, calls f, and acks {"resCd":"0000"} when f returns nil. When
// f fails, or the body cannot be read, it answers the failure ack with HTTP
// 500 and KICC sends the notification again (up to 15 times). f must finish
// well within KICC's 10 s deadline and should be idempotent: a resend after
// a lost ack delivers the same notification twice.
func WebhookHandler(f func(ctx context.Context, n Notification) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			writeAck(w, http.StatusMethodNotAllowed, AckFailed)
			return
		}
		data, err := io.ReadAll(io.LimitReader(r.Body, maxResponse))
		if err != nil {
			writeAck(w, http.StatusBadRequest, AckFailed)
			return
		}
		n, err := ParseNotification(data)
		if err != nil {
			writeAck(w, http.StatusBadRequest, AckFailed)
			return
		}
		if err := f(r.Context(), n); err != nil {
			writeAck(w, http.StatusInternalServerError, AckFailed)
			return
		}
		writeAck(w, http.StatusOK, AckOK)
	})
}

// ParseNotification reads a webhook body.
func ParseNotification(data []byte) (Notification, error) {
	var probe struct {
		CancelPgCno string `json:"cancelPgCno"`
	}
	if err := json.Unmarshal(data, &probe); err != nil {
		return Notification{}, err
	}
	if probe.CancelPgCno != "" {
		var c kicc.CancelWebhook
		err := json.Unmarshal(data, &c)
		return Notification{Cancel: &c}, err
	}
	var a kicc.ApprovalWebhook
	err := json.Unmarshal(data, &a)
	return Notification{Approval: &a}, err
}

func writeAck(w http.ResponseWriter, status int, ack kicc.WebhookAck) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(ack)
}
