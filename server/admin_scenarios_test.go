package server

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const merchant42YAML = `version: 1
scenarios:
  - name: merchant-42-partial
    endpoint: find-cancel
    match: {mallId: "T0000042"}
    responses:
      - body: {cancelStatus: TS06}
`

func cancelFor(mall, key string) string {
	return `{"mallId":"` + mall + `","shopTransactionId":"` + key + `","pgCno":"25010112000010123456","cancelPgCno":"25010112300010123470"}`
}

func TestAdminScenariosAddListUseDelete(t *testing.T) {
	srv, _ := newAdminTestServer(t, Config{})

	rec := call(srv, http.MethodPost, "/__admin/scenarios", merchant42YAML, "Content-Type", "application/yaml")
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	assert.JSONEq(t, `{"added":["merchant-42-partial"]}`, rec.Body.String())

	a := decode[map[string]any](t, call(srv, http.MethodPost, "/api/trades/wechatpay/find", cancelFor("T0000042", "a")))
	assert.Equal(t, "TS06", a["cancelStatus"], "the match rule selects it")
	a = decode[map[string]any](t, call(srv, http.MethodPost, "/api/trades/wechatpay/find", cancelFor("T0000001", "b")))
	assert.Equal(t, "TS02", a["cancelStatus"], "other merchants get the default")

	list := decode[struct {
		Scenarios []scenarioView    `json:"scenarios"`
		Defaults  map[string]string `json:"defaults"`
	}](t, call(srv, http.MethodGet, "/__admin/scenarios", ""))
	sources := map[string]string{}
	for _, sc := range list.Scenarios {
		sources[sc.Name] = string(sc.Source)
	}
	assert.Equal(t, "runtime", sources["merchant-42-partial"])
	assert.Equal(t, "builtin", sources["cancel-full"])
	assert.Equal(t, "cancel-full", list.Defaults["find-cancel"])
	assert.Equal(t, "payment-approved", list.Defaults["find-payment"])

	requireError(t, call(srv, http.MethodDelete, "/__admin/scenarios/cancel-full", ""), http.StatusBadRequest, "runtime")
	requireError(t, call(srv, http.MethodDelete, "/__admin/scenarios/no-such", ""), http.StatusNotFound, "no-such")
	rec = call(srv, http.MethodDelete, "/__admin/scenarios/merchant-42-partial", "")
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	a = decode[map[string]any](t, call(srv, http.MethodPost, "/api/trades/wechatpay/find", cancelFor("T0000042", "c")))
	assert.Equal(t, "TS02", a["cancelStatus"], "deleted")
}

func TestAdminScenariosJSONBodyIsTheSameFormat(t *testing.T) {
	srv, _ := newAdminTestServer(t, Config{})
	body := `{"version":1,"scenarios":[{"name":"all-void","endpoint":"find-cancel","responses":[{"body":{"cancelStatus":"TS12"}}]}]}`
	rec := call(srv, http.MethodPost, "/__admin/scenarios", body)
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	rec = call(srv, http.MethodPost, "/api/trades/wechatpay/find", cancelFor("T0000001", "k"), "X-KICC-Mock-Scenario", "all-void")
	assert.Equal(t, "TS12", decode[map[string]any](t, rec)["cancelStatus"])
}

func TestAdminScenariosBadFilesAnswer400WithLines(t *testing.T) {
	srv, _ := newAdminTestServer(t, Config{})
	cases := map[string]struct{ body, want string }{
		"invalid YAML":  {"version: 1\nscenarios: [\n", "request:"},
		"unknown key":   {strings.Replace(merchant42YAML, "responses:", "respones:", 1), "request:6: unknown key \"respones\""},
		"no version":    {"scenarios: []\n", "version"},
		"delay too big": {"version: 1\nscenarios:\n  - name: x\n    responses:\n      - delay: 31s\n", "request:5:"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			rec := call(srv, http.MethodPost, "/__admin/scenarios", tc.body, "Content-Type", "application/yaml")
			requireError(t, rec, http.StatusBadRequest, tc.want)
			e := decode[struct {
				Errors []string `json:"errors"`
			}](t, rec)
			assert.NotEmpty(t, e.Errors)
		})
	}
	rec := call(srv, http.MethodPost, "/__admin/scenarios", merchant42YAML, "Content-Type", "text/html")
	requireError(t, rec, http.StatusUnsupportedMediaType, "application/yaml")
	assert.Len(t, decode[struct {
		Scenarios []scenarioView `json:"scenarios"`
	}](t, call(srv, http.MethodGet, "/__admin/scenarios", "")).Scenarios, len(srv.Scenarios().Names()), "nothing was added")
}

// TestAdminScenariosRefuseHostileFiles: the hostile files answer 400 with
// the line, and the server keeps serving (a recursive anchor used to crash
// the process, an alias bomb to take it to gigabytes).
func TestAdminScenariosRefuseHostileFiles(t *testing.T) {
	srv, _ := newAdminTestServer(t, Config{})
	for file, want := range map[string]string{
		"recursive-anchor.yaml": "request:5: alias *b refers to its own anchor &b (line 5): recursive aliases are not allowed",
		"alias-bomb-503.yaml":   "request:12: aliases expand to more than 10000 nodes",
		"imagejpeg-200.yaml":    `request:7: f000: template {{fake "imagejpeg"}}: gofakeit "imagejpeg" makes a file`,
	} {
		data, err := os.ReadFile(filepath.Join("..", "scenarios", "testdata", "attacks", file))
		require.NoError(t, err)
		requireError(t, call(srv, http.MethodPost, "/__admin/scenarios", string(data), "Content-Type", "application/yaml"), http.StatusBadRequest, want)
	}
	require.Equal(t, http.StatusOK, call(srv, http.MethodGet, "/__admin/health", "").Code)
}

func TestAdminScenariosAreBounded(t *testing.T) {
	srv, _ := newAdminTestServer(t, Config{MaxRuntimeScenarios: 1})
	require.Equal(t, http.StatusOK, call(srv, http.MethodPost, "/__admin/scenarios", merchant42YAML).Code)
	other := strings.ReplaceAll(merchant42YAML, "merchant-42-partial", "another")
	requireError(t, call(srv, http.MethodPost, "/__admin/scenarios", other), http.StatusConflict, "--max-runtime-scenarios")
	assert.Equal(t, http.StatusOK, call(srv, http.MethodPost, "/__admin/scenarios", merchant42YAML).Code, "replacing by name is fine")
}

func TestAdminDefaultScenario(t *testing.T) {
	srv, _ := newAdminTestServer(t, Config{})
	rec := call(srv, http.MethodPut, "/__admin/default-scenario", `{"endpoint":"find-cancel","name":"cancel-partial"}`)
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	a := decode[map[string]any](t, call(srv, http.MethodPost, "/api/trades/wechatpay/find", cancelFor("T0000001", "a")))
	assert.Equal(t, "TS06", a["cancelStatus"])

	requireError(t, call(srv, http.MethodPut, "/__admin/default-scenario", `{"endpoint":"find-cancel","name":"nope"}`), http.StatusBadRequest, "nope")
	requireError(t, call(srv, http.MethodPut, "/__admin/default-scenario", `{"endpoint":"refund","name":"cancel-full"}`), http.StatusBadRequest, "refund")
	requireError(t, call(srv, http.MethodPut, "/__admin/default-scenario", `{"endpoint":"find-payment","name":"cancel-full"}`), http.StatusBadRequest, "does not answer")
	requireError(t, call(srv, http.MethodPut, "/__admin/default-scenario", `{"name":"cancel-full"}`), http.StatusBadRequest, "endpoint")
	requireError(t, call(srv, http.MethodPut, "/__admin/default-scenario", `{"endpoint":`), http.StatusBadRequest, "body must be")

	// Reset restores the built-in defaults and drops runtime scenarios.
	require.Equal(t, http.StatusOK, call(srv, http.MethodPost, "/__admin/scenarios", merchant42YAML).Code)
	require.Equal(t, http.StatusOK, call(srv, http.MethodPost, "/__admin/reset", "").Code)
	a = decode[map[string]any](t, call(srv, http.MethodPost, "/api/trades/wechatpay/find", cancelFor("T0000001", "a")))
	assert.Equal(t, "TS02", a["cancelStatus"], "the default is back (and the key was freed)")
	assert.Nil(t, srv.Scenarios().Lookup("merchant-42-partial"))
}

func TestJournalNamesTheAnsweringScenario(t *testing.T) {
	srv, _ := newAdminTestServer(t, Config{})
	call(srv, http.MethodPost, "/api/trades/wechatpay/find", cancelFor("T0000001", "a"), "X-KICC-Mock-Scenario", "cancel-void")
	l := decode[listed](t, call(srv, http.MethodGet, "/__admin/requests?scenario=cancel-void", ""))
	require.Len(t, l.Requests, 1)
	rec := call(srv, http.MethodPost, "/__admin/requests/count", `{"scenario":"cancel-void"}`)
	assert.JSONEq(t, `{"count":1}`, rec.Body.String())
}
