package server

import (
	"github.com/labstack/echo/v4"

	"github.com/kicc-mock/kicc-mock/dashboard"
	"github.com/kicc-mock/kicc-mock/sandbox"
)

// adminRoutes is the /__admin API, grouped by what it controls. Every route
// is named: the names are the OpenAPI document's operations.
func (s *Server) adminRoutes(e *echo.Echo) {
	get(e, pathHealth, "health", s.handleHealth)
	get(e, "/__admin/stats", "stats", s.handleStats)
	get(e, "/__admin/openapi.yaml", "openapi", s.handleOpenAPI)
	get(e, pathMetrics, "metrics", s.handleMetrics)
	e.POST("/__admin/reset", s.handleReset).Name = "reset"

	get(e, "/__admin/clock", "getClock", s.handleGetClock)
	e.PUT("/__admin/clock", s.handlePutClock).Name = "setClock"
	e.DELETE("/__admin/clock", s.handleDeleteClock).Name = "resetClock"

	get(e, "/__admin/requests", "listRequests", s.handleGetRequests)
	get(e, "/__admin/lint", "lintSummary", s.handleLint)
	e.POST("/__admin/requests/count", s.handleCountRequests).Name = "countRequests"
	e.DELETE("/__admin/requests", s.handleClearRequests).Name = "clearRequests"

	get(e, "/__admin/scenarios", "listScenarios", s.handleListScenarios)
	e.POST("/__admin/scenarios", s.handleAddScenarios).Name = "addScenarios"
	e.DELETE("/__admin/scenarios/:name", s.handleDeleteScenario).Name = "deleteScenario"
	e.PUT("/__admin/default-scenario", s.handleSetDefaultScenario).Name = "setDefaultScenario"

	get(e, "/__admin/transactions", "listTransactions", s.handleListTransactions)
	get(e, "/__admin/transactions/:id", "getTransaction", s.handleGetTransaction)
	e.POST("/__admin/transactions/:id/pay", s.handlePayTransaction).Name = "payTransaction"
	e.POST("/__admin/transactions/:id/void", s.handleVoidTransaction).Name = "voidTransaction"
	e.POST("/__admin/transactions/:id/complete", s.handleCompleteCancel).Name = "completeCancel"
	get(e, "/__admin/webhooks", "listWebhooks", s.handleGetWebhooks)
	e.POST("/__admin/webhooks/:id/resend", s.handleResendWebhook).Name = "resendWebhook"
	e.POST("/__admin/webhooks/:id/drop", s.handleDropWebhook).Name = "dropWebhook"

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
