package server

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/kicc-mock/kicc-mock/kicc"
	"github.com/kicc-mock/kicc-mock/store"
)

// transactionView is a payment as GET /__admin/transactions shows it: the
// stored state plus what find would answer and the payment page.
type transactionView struct {
	store.Payment
	StatusCd   kicc.Status  `json:"statusCd"`
	PayPageURL string       `json:"payPageUrl"`
	Cancels    []cancelView `json:"cancels"`
}

type cancelView struct {
	store.Cancel
	CancelStatus kicc.Status `json:"cancelStatus"`
}

func (s *Server) transactionView(c echo.Context, p *store.Payment) transactionView {
	v := transactionView{Payment: *p, StatusCd: paymentStatus(p), PayPageURL: s.payPageURL(c, p.PgCno), Cancels: []cancelView{}}
	for i := range p.Cancels {
		v.Cancels = append(v.Cancels, cancelView{Cancel: p.Cancels[i], CancelStatus: cancelStatus(&p.Cancels[i])})
	}
	return v
}

// handleListTransactions serves GET /__admin/transactions, newest first.
func (s *Server) handleListTransactions(c echo.Context) error {
	list := s.trades.List()
	out := make([]transactionView, 0, len(list))
	for i := range list {
		out = append(out, s.transactionView(c, &list[i]))
	}
	return writeValue(c, http.StatusOK, map[string]any{"transactions": out})
}

// handleGetTransaction serves GET /__admin/transactions/{pgCno}.
func (s *Server) handleGetTransaction(c echo.Context) error {
	p, ok := s.trades.Payment(c.Param("id"))
	if !ok {
		return &httpError{Status: http.StatusNotFound, Message: "no payment with pgCno " + c.Param("id")}
	}
	return writeValue(c, http.StatusOK, s.transactionView(c, &p))
}

// handlePayTransaction serves POST /__admin/transactions/{pgCno}/pay: the
// customer pays now.
func (s *Server) handlePayTransaction(c echo.Context) error {
	p, err := s.Approve(c.Param("id"))
	if err := transactionError(err, "payment", c.Param("id"), string(p.State)); err != nil {
		return err
	}
	return writeValue(c, http.StatusOK, s.transactionView(c, &p))
}

// handleVoidTransaction serves POST /__admin/transactions/{pgCno}/void: the
// customer abandons the payment.
func (s *Server) handleVoidTransaction(c echo.Context) error {
	p, err := s.Void(c.Param("id"))
	if err := transactionError(err, "payment", c.Param("id"), string(p.State)); err != nil {
		return err
	}
	return writeValue(c, http.StatusOK, s.transactionView(c, &p))
}

// handleCompleteCancel serves POST /__admin/transactions/{cancelPgCno}/complete:
// the pending cancel completes now.
func (s *Server) handleCompleteCancel(c echo.Context) error {
	cn, err := s.CompleteCancel(c.Param("id"))
	if err := transactionError(err, "cancel", c.Param("id"), string(cn.State)); err != nil {
		return err
	}
	return writeValue(c, http.StatusOK, cancelView{Cancel: cn, CancelStatus: cancelStatus(&cn)})
}

func transactionError(err error, what, id, state string) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, store.ErrNotFound):
		return &httpError{Status: http.StatusNotFound, Message: "no " + what + " with id " + id}
	case errors.Is(err, store.ErrState):
		return &httpError{Status: http.StatusConflict, Message: what + " " + id + " is " + state + ", so this does not apply"}
	}
	return err
}
