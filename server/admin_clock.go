package server

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/kicc-mock/kicc-mock/httpio"
	"github.com/kicc-mock/kicc-mock/kicc"
)

// clockView is the admin API's picture of the clock.
type clockView struct {
	Now      string `json:"now"`    // RFC 3339 in KST
	KST      string `json:"kst"`    // yyyyMMddHHmmss, as KICC would write it
	Offset   string `json:"offset"` // from the real (or base) clock
	Adjusted bool   `json:"adjusted"`
}

func (s *Server) clockView() clockView {
	now := s.clock.Now()
	return clockView{
		Now:      now.In(kicc.KST).Format(time.RFC3339Nano),
		KST:      kicc.FormatDateTime(now),
		Offset:   s.clock.Offset().String(),
		Adjusted: s.clock.Offset() != 0,
	}
}

func (s *Server) handleGetClock(c echo.Context) error {
	return httpio.WriteValue(c.Response(), http.StatusOK, s.clockView())
}

const msgClockBody = `clock body must be {"now": RFC3339} or {"advance": duration}`

// handlePutClock moves the clock: {"now": RFC 3339} or {"advance": "90m"}.
// Either sets an offset; time keeps running from there.
func (s *Server) handlePutClock(c echo.Context) error {
	var body struct {
		Now     *string `json:"now"`
		Advance *string `json:"advance"`
	}
	if err := s.decodeAdminBody(c, &body, msgClockBody); err != nil {
		return err
	}
	switch {
	case body.Now != nil && body.Advance != nil:
		return httpio.BadRequest("give either \"now\" or \"advance\", not both")
	case body.Now != nil:
		t, err := time.Parse(time.RFC3339Nano, *body.Now)
		if err != nil {
			return httpio.BadRequest("\"now\" must be an RFC 3339 time such as 2026-11-25T23:59:59+09:00: " + err.Error())
		}
		s.clock.Set(t)
	case body.Advance != nil:
		d, err := time.ParseDuration(*body.Advance)
		if err != nil {
			return httpio.BadRequest("\"advance\" must be a Go duration such as 90m or 1h30m: " + err.Error())
		}
		s.clock.Advance(d)
	default:
		return httpio.BadRequest(msgClockBody)
	}
	return httpio.WriteValue(c.Response(), http.StatusOK, s.clockView())
}

// handleDeleteClock returns to the base clock's time.
func (s *Server) handleDeleteClock(c echo.Context) error {
	s.clock.Reset()
	return httpio.WriteValue(c.Response(), http.StatusOK, s.clockView())
}
