package server

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/kicc-mock/kicc-mock/httpio"
	"github.com/kicc-mock/kicc-mock/sandbox"
	"github.com/kicc-mock/kicc-mock/store"
)

// The sandbox's admin API: its transactions and webhook attempts, and the
// buttons a tester presses instead of a customer or of KICC.

// handleListTransactions serves GET /__admin/transactions, newest first.
func (s *Server) handleListTransactions(c echo.Context) error {
	list := s.sandbox.Transactions().List()
	out := make([]sandbox.TransactionView, 0, len(list))
	for i := range list {
		out = append(out, s.sandbox.View(c.Request(), &list[i]))
	}
	return httpio.WriteValue(c.Response(), http.StatusOK, map[string]any{"transactions": out})
}

// handleGetTransaction serves GET /__admin/transactions/{pgCno}.
func (s *Server) handleGetTransaction(c echo.Context) error {
	p, ok := s.sandbox.Transactions().Payment(c.Param("id"))
	if !ok {
		return &httpio.Error{Status: http.StatusNotFound, Message: "no payment with pgCno " + c.Param("id")}
	}
	return httpio.WriteValue(c.Response(), http.StatusOK, s.sandbox.View(c.Request(), &p))
}

// handlePayTransaction serves POST /__admin/transactions/{pgCno}/pay: the
// customer pays now.
func (s *Server) handlePayTransaction(c echo.Context) error {
	p, err := s.sandbox.Approve(c.Param("id"))
	if err := transactionError(err, "payment", c.Param("id"), string(p.State)); err != nil {
		return err
	}
	return httpio.WriteValue(c.Response(), http.StatusOK, s.sandbox.View(c.Request(), &p))
}

// handleVoidTransaction serves POST /__admin/transactions/{pgCno}/void: the
// customer abandons the payment.
func (s *Server) handleVoidTransaction(c echo.Context) error {
	p, err := s.sandbox.Void(c.Param("id"))
	if err := transactionError(err, "payment", c.Param("id"), string(p.State)); err != nil {
		return err
	}
	return httpio.WriteValue(c.Response(), http.StatusOK, s.sandbox.View(c.Request(), &p))
}

// handleCompleteCancel serves POST /__admin/transactions/{cancelPgCno}/complete:
// the pending cancel completes now.
func (s *Server) handleCompleteCancel(c echo.Context) error {
	cn, err := s.sandbox.CompleteCancel(c.Param("id"))
	if err := transactionError(err, "cancel", c.Param("id"), string(cn.State)); err != nil {
		return err
	}
	return httpio.WriteValue(c.Response(), http.StatusOK, sandbox.ViewCancel(&cn))
}

func transactionError(err error, what, id, state string) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, store.ErrNotFound):
		return &httpio.Error{Status: http.StatusNotFound, Message: "no " + what + " with id " + id}
	case errors.Is(err, store.ErrState):
		return &httpio.Error{Status: http.StatusConflict, Message: what + " " + id + " is " + state + ", so this does not apply"}
	}
	return err
}

// handleGetWebhooks serves GET /__admin/webhooks: every attempt, newest
// first; ?pgCno=, ?cancelPgCno=, ?kind= and ?limit= filter.
func (s *Server) handleGetWebhooks(c echo.Context) error {
	q := c.QueryParams()
	limit := -1
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return httpio.BadRequest("limit must be a whole number >= 0")
		}
		limit = n
	}
	pgCno, cancelPgCno, kind := q.Get("pgCno"), q.Get("cancelPgCno"), q.Get("kind")
	out := s.sandbox.Webhooks(func(a *sandbox.WebhookAttempt) bool {
		return (pgCno == "" || a.PgCno == pgCno) && (cancelPgCno == "" || a.CancelPgCno == cancelPgCno) &&
			(kind == "" || a.Kind == kind)
	}, limit)
	return httpio.WriteValue(c.Response(), http.StatusOK, map[string]any{"webhooks": out})
}

// webhookAttemptID is the :id of the webhook routes, a journal entry's id.
func webhookAttemptID(c echo.Context) (uint64, error) {
	id, err := strconv.ParseUint(c.Param("id"), 10, 64)
	if err != nil || id == 0 {
		return 0, &httpio.Error{Status: http.StatusNotFound, Message: "no webhook attempt with id " + strconv.Quote(c.Param("id")) +
			" (ids are the \"id\" of GET /__admin/webhooks)"}
	}
	return id, nil
}

func webhookError(err error, id uint64) error {
	switch {
	case errors.Is(err, sandbox.ErrNoWebhookAttempt):
		return &httpio.Error{Status: http.StatusNotFound, Message: "no webhook attempt with id " + strconv.FormatUint(id, 10) +
			" in the journal (it keeps --webhook-journal-size attempts, and a reset empties it)"}
	case errors.Is(err, sandbox.ErrWebhookNotPending), errors.Is(err, sandbox.ErrWebhookNoNotifyURL):
		return &httpio.Error{Status: http.StatusConflict, Message: "webhook attempt " + strconv.FormatUint(id, 10) + ": " + err.Error()}
	}
	return err
}

// handleResendWebhook serves POST /__admin/webhooks/{id}/resend: the
// attempt's notification goes out again now, as a new one.
func (s *Server) handleResendWebhook(c echo.Context) error {
	id, err := webhookAttemptID(c)
	if err != nil {
		return err
	}
	n, err := s.sandbox.ResendWebhook(id)
	if err != nil {
		return webhookError(err, id)
	}
	return httpio.WriteValue(c.Response(), http.StatusOK, map[string]uint64{"notification": n})
}

// handleDropWebhook serves POST /__admin/webhooks/{id}/drop: the attempt's
// notification is given up while it waits for a send or a resend.
func (s *Server) handleDropWebhook(c echo.Context) error {
	id, err := webhookAttemptID(c)
	if err != nil {
		return err
	}
	a, err := s.sandbox.DropWebhook(id)
	if err != nil {
		return webhookError(err, id)
	}
	return httpio.WriteValue(c.Response(), http.StatusOK, a)
}
