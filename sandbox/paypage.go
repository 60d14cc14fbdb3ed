package sandbox

import (
	"bytes"
	_ "embed" // the page's template
	"errors"
	"html/template"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/kicc-mock/kicc-mock/httpio"
	"github.com/kicc-mock/kicc-mock/store"
)

// PathPayPage is the prefix of the sandbox's payment pages: GET
// /pay/{pgCno} shows one, POST /pay/{pgCno}/pay and /pay/{pgCno}/cancel press
// its buttons. These are the mock's only HTML routes: a person or a headless
// browser uses them, as a customer would use WeChat's screen.
const PathPayPage = "/pay/"

//go:embed paypage/page.html
var payPageHTML string

var payPageTmpl = template.Must(template.New("page.html").Parse(payPageHTML))

// payPageHeaders allow the page's own style and script and nothing else: a
// goodsName or returnUrl a merchant sent is escaped by the template, and
// should that ever fail, injected markup still runs no script. They are
// hashed from a rendering with every block, the press script included.
var payPageHeaders = func() *httpio.PageHeaders {
	var buf bytes.Buffer
	if err := payPageTmpl.Execute(&buf, &payPageView{Open: true, Press: "pay"}); err != nil {
		panic(err)
	}
	return httpio.MustPageHeaders(buf.String())
}()

type payPageView struct {
	PgCno, GoodsName, Currency, ShopOrderNo, State, ReturnURL string
	Amount                                                    int64
	Open                                                      bool
	PayAction, CancelAction                                   string
	Result, ResultCode                                        string
	Press                                                     string
}

// HandlePayPage serves GET /pay/{pgCno}. With ?press=pay (or cancel) the
// page presses that button once loaded, for headless browsers that cannot
// click.
func (s *Sandbox) HandlePayPage(c echo.Context) error {
	p, ok := s.trades.Payment(c.Param("pgCno"))
	if !ok {
		return s.renderPayPage(c, http.StatusNotFound, nil, "No such payment: "+c.Param("pgCno"), "not-found")
	}
	v := s.payView(&p)
	if press := c.QueryParam("press"); v.Open && (press == "pay" || press == "cancel") {
		v.Press = press
	}
	return s.writePayPage(c, http.StatusOK, v)
}

// HandlePayPagePay serves POST /pay/{pgCno}/pay: the customer paid.
func (s *Sandbox) HandlePayPagePay(c echo.Context) error {
	p, err := s.Approve(c.Param("pgCno"))
	return s.payPageResult(c, &p, err, "Paid. The approval webhook is on its way to the merchant.", "paid")
}

// HandlePayPageCancel serves POST /pay/{pgCno}/cancel: the customer gave up.
func (s *Sandbox) HandlePayPageCancel(c echo.Context) error {
	p, err := s.Void(c.Param("pgCno"))
	return s.payPageResult(c, &p, err, "Cancelled. The payment is void (TS12); no webhook is sent.", "voided")
}

func (s *Sandbox) payPageResult(c echo.Context, p *store.Payment, err error, ok, code string) error {
	switch {
	case errors.Is(err, store.ErrNotFound):
		return s.renderPayPage(c, http.StatusNotFound, nil, "No such payment: "+c.Param("pgCno"), "not-found")
	case errors.Is(err, store.ErrState):
		return s.renderPayPage(c, http.StatusConflict, p, "This payment is already "+string(p.State)+".", "conflict")
	case err != nil:
		return err
	}
	fresh, _ := s.trades.Payment(p.PgCno)
	return s.renderPayPage(c, http.StatusOK, &fresh, ok, code)
}

func (s *Sandbox) renderPayPage(c echo.Context, status int, p *store.Payment, result, code string) error {
	v := &payPageView{PgCno: c.Param("pgCno"), State: "unknown"}
	if p != nil {
		v = s.payView(p)
	}
	v.Result, v.ResultCode = result, code
	return s.writePayPage(c, status, v)
}

func (s *Sandbox) payView(p *store.Payment) *payPageView {
	return &payPageView{
		PgCno: p.PgCno, GoodsName: p.GoodsName, Currency: p.Currency, ShopOrderNo: p.ShopOrderNo,
		State: string(p.State), ReturnURL: p.ReturnURL, Amount: p.Amount,
		Open:      p.State == store.PaymentCreated,
		PayAction: PathPayPage + p.PgCno + "/pay", CancelAction: PathPayPage + p.PgCno + "/cancel",
	}
}

func (s *Sandbox) writePayPage(c echo.Context, status int, v *payPageView) error {
	var buf bytes.Buffer
	if err := payPageTmpl.Execute(&buf, v); err != nil {
		return err
	}
	payPageHeaders.Set(c.Response().Header())
	c.Response().Header().Set("Cache-Control", "no-store")
	c.Response().Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	return c.HTMLBlob(status, buf.Bytes())
}
