package sandbox

import (
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kicc-mock/kicc-mock/kicc"
	"github.com/kicc-mock/kicc-mock/store"
)

// servePayPage runs handler for method path as its route would, pgCno
// bound.
func servePayPage(s *Sandbox, handler echo.HandlerFunc, method, target, pgCno string) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	c := echo.New().NewContext(httptest.NewRequest(method, target, nil), rec)
	c.SetParamNames("pgCno")
	c.SetParamValues(pgCno)
	if err := handler(c); err != nil {
		c.Error(err)
	}
	return rec
}

var inlineBlock = regexp.MustCompile(`(?s)<(script|style)[^>]*>(.*?)</(?:script|style)>`)

// TestPayPageSecurityHeaders: every payment page (open, with ?press=,
// after a press, not found) says nosniff, DENY and a policy that allows
// exactly the page's inline blocks as rendered (by hash; no
// 'unsafe-inline'), no other source, and forms to the mock only.
func TestPayPageSecurityHeaders(t *testing.T) {
	s, _ := newHookSandbox(t, Config{})
	now := s.clock.Now()
	pg := s.ids.Next(now)
	require.NoError(t, s.trades.Create(store.Payment{PgCno: pg, MallID: "T0000001", ShopOrderNo: "ORD-1",
		GoodsName: `<script>alert(1)</script>`, TradeType: kicc.TradeTypeMweb, ReturnURL: "javascript:alert(1)",
		Currency: kicc.CurrencyKRW, Amount: 1000, State: store.PaymentCreated, CreatedAt: now}))
	pages := map[string]*httptest.ResponseRecorder{
		"open":         servePayPage(s, s.HandlePayPage, http.MethodGet, "/pay/"+pg, pg),
		"press=pay":    servePayPage(s, s.HandlePayPage, http.MethodGet, "/pay/"+pg+"?press=pay", pg),
		"press=cancel": servePayPage(s, s.HandlePayPage, http.MethodGet, "/pay/"+pg+"?press=cancel", pg),
		"not found":    servePayPage(s, s.HandlePayPage, http.MethodGet, "/pay/nope", "nope"),
	}
	pages["voided"] = servePayPage(s, s.HandlePayPageCancel, http.MethodPost, "/pay/"+pg+"/cancel", pg)
	pages["conflict"] = servePayPage(s, s.HandlePayPagePay, http.MethodPost, "/pay/"+pg+"/pay", pg)
	assert.Equal(t, http.StatusConflict, pages["conflict"].Code)

	for name, rec := range pages {
		h := rec.Header()
		assert.Equal(t, "nosniff", h.Get("X-Content-Type-Options"), name)
		assert.Equal(t, "DENY", h.Get("X-Frame-Options"), name)
		csp := h.Get("Content-Security-Policy")
		assert.NotContains(t, csp, "unsafe", name)
		for _, d := range []string{"default-src 'none'", "form-action 'self'", "frame-ancestors 'none'", "base-uri 'none'"} {
			assert.Contains(t, csp, d, name)
		}
		blocks := inlineBlock.FindAllStringSubmatch(rec.Body.String(), -1)
		require.NotEmpty(t, blocks, name)
		for _, b := range blocks {
			sum := sha256.Sum256([]byte(b[2]))
			assert.Contains(t, csp, b[1]+"-src 'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"'",
				"%s: the policy allows the page's <%s> as rendered", name, b[1])
		}
		assert.Equal(t, 1, strings.Count(rec.Body.String(), "<style>"), name)
	}
	assert.Contains(t, pages["press=pay"].Body.String(), `<script data-press="pay">`)
	assert.Contains(t, pages["press=cancel"].Body.String(), `<script data-press="cancel">`)
	assert.NotContains(t, pages["open"].Body.String(), "<script", "the merchant's goodsName stays text")
}
