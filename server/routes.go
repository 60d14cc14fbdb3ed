package server

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/kicc-mock/kicc-mock/dashboard"
	"github.com/kicc-mock/kicc-mock/sandbox"
)

// adminRoutes is the /__admin API, grouped by what it controls. Every route
// is named: the names are the OpenAPI document's operations. Writes go
// through write, which refuses another origin's page.
func (s *Server) adminRoutes(e *echo.Echo) {
	get(e, pathHealth, "health", s.handleHealth)
	get(e, "/__admin/stats", "stats", s.handleStats)
	get(e, "/__admin/openapi.yaml", "openapi", s.handleOpenAPI)
	get(e, pathMetrics, "metrics", s.handleMetrics)
	write(e, http.MethodPost, "/__admin/reset", "reset", s.handleReset)

	get(e, "/__admin/clock", "getClock", s.handleGetClock)
	write(e, http.MethodPut, "/__admin/clock", "setClock", s.handlePutClock)
	write(e, http.MethodDelete, "/__admin/clock", "resetClock", s.handleDeleteClock)

	get(e, "/__admin/requests", "listRequests", s.handleGetRequests)
	get(e, "/__admin/lint", "lintSummary", s.handleLint)
	write(e, http.MethodPost, "/__admin/requests/count", "countRequests", s.handleCountRequests)
	write(e, http.MethodDelete, "/__admin/requests", "clearRequests", s.handleClearRequests)

	get(e, "/__admin/scenarios", "listScenarios", s.handleListScenarios)
	write(e, http.MethodPost, "/__admin/scenarios", "addScenarios", s.handleAddScenarios)
	write(e, http.MethodDelete, "/__admin/scenarios/:name", "deleteScenario", s.handleDeleteScenario)
	write(e, http.MethodPut, "/__admin/default-scenario", "setDefaultScenario", s.handleSetDefaultScenario)

	get(e, "/__admin/transactions", "listTransactions", s.handleListTransactions)
	get(e, "/__admin/transactions/:id", "getTransaction", s.handleGetTransaction)
	write(e, http.MethodPost, "/__admin/transactions/:id/pay", "payTransaction", s.handlePayTransaction)
	write(e, http.MethodPost, "/__admin/transactions/:id/void", "voidTransaction", s.handleVoidTransaction)
	write(e, http.MethodPost, "/__admin/transactions/:id/complete", "completeCancel", s.handleCompleteCancel)
	get(e, "/__admin/webhooks", "listWebhooks", s.handleGetWebhooks)
	write(e, http.MethodPost, "/__admin/webhooks/:id/resend", "resendWebhook", s.handleResendWebhook)
	write(e, http.MethodPost, "/__admin/webhooks/:id/drop", "dropWebhook", s.handleDropWebhook)

	get(e, dashboard.Path, "dashboard", dashboard.HandlePage)
	get(e, dashboard.Path+"/:file", "dashboardFile", dashboard.HandleAsset)
	e.GET(pathEvents, s.handleEvents).Name = "events"
}

// sandboxRoutes are the payment pages a customer (or a headless browser)
// uses.
func (s *Server) sandboxRoutes(e *echo.Echo) {
	get(e, sandbox.PathPayPage+":pgCno", "payPage", s.sandbox.HandlePayPage)
	e.POST(sandbox.PathPayPage+":pgCno/pay", s.sandbox.HandlePayPagePay).Name = "payPagePay"
	e.POST(sandbox.PathPayPage+":pgCno/cancel", s.sandbox.HandlePayPageCancel).Name = "payPageCancel"
}

// get registers h for GET and HEAD under name. HEAD answers as GET without
// the body (net/http drops what a handler writes to a HEAD request), the
// way health checks and link checkers expect.
func get(e *echo.Echo, path, name string, h echo.HandlerFunc) {
	e.GET(path, h).Name = name
	e.HEAD(path, h).Name = name + "Head"
}

// write registers an admin write (POST, PUT, DELETE) under name, refused
// when a browser sends it for another origin's page (refuseCrossOrigin).
// The check wraps the handler once, here, rather than as global
// middleware: Echo applies global middleware on every request, and a
// closure there would cost each KICC request an allocation.
func write(e *echo.Echo, method, path, name string, h echo.HandlerFunc) {
	e.Add(method, path, func(c echo.Context) error {
		if err := refuseCrossOrigin(c.Request()); err != nil {
			return err
		}
		return h(c)
	}).Name = name
}
