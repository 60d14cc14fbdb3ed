package scenarios_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/brianvoe/gofakeit/v6"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kicc-mock/kicc-mock/scenarios"
)

func mustParse(t *testing.T, src string, source scenarios.Source) []*scenarios.Scenario {
	t.Helper()
	list, err := scenarios.Parse("s.yaml", []byte(src), scenarios.Options{Source: source})
	require.NoError(t, err)
	return list
}

func builtinSet(t *testing.T, layers ...[]*scenarios.Scenario) *scenarios.Set {
	t.Helper()
	b, err := scenarios.Builtins()
	require.NoError(t, err)
	return scenarios.NewSet(append([][]*scenarios.Scenario{b}, layers...)...)
}

func name(sc *scenarios.Scenario) string {
	if sc == nil {
		return "<none>"
	}
	return sc.Name
}

func TestMagicIDsSelectTheLongestMatchingName(t *testing.T) {
	set := builtinSet(t)
	none := scenarios.MapFields{}
	for _, tc := range []struct {
		ep   scenarios.Endpoint
		id   string
		want string
	}{
		{scenarios.FindCancel, "mock-cancel-partial", "cancel-partial"},
		{scenarios.FindCancel, "mock-cancel-partial-7", "cancel-partial"},
		{scenarios.FindCancel, "mock-cancel-pending-then-full-abc", "cancel-pending-then-full"},
		{scenarios.FindCancel, "mock-cancel-partialx", "<none>"},
		{scenarios.FindCancel, "mock-error-not-found-1", "error-not-found"},
		{scenarios.FindPayment, "mock-payment-void", "payment-void"},
		{scenarios.FindPayment, "mock-cancel-partial", "<none>"}, // not a payment scenario
		{scenarios.FindCancel, "25112512000010000001", "<none>"},
		{scenarios.FindCancel, "mock-", "<none>"},
	} {
		assert.Equal(t, tc.want, name(set.Select(tc.ep, tc.id, none)), "%s %s", tc.ep, tc.id)
	}
}

func TestMatchRulesGoByPriorityThenLaterLoadedFirst(t *testing.T) {
	files := mustParse(t, `
version: 1
scenarios:
  - name: low
    match: {mallId: "T*"}
    responses: [{status: 500}]
  - name: high
    priority: 5
    endpoint: find-cancel
    match: {mallId: T0000042, cancelPgCno: {regex: "^9"}}
    responses: [{status: 503}]
  - name: unmatched
    responses: [{status: 500}]
`, scenarios.SourceFile)
	runtime := mustParse(t, `
version: 1
scenarios:
  - name: low-too
    match: {mallId: {glob: "T000*"}}
    responses: [{status: 502}]
`, scenarios.SourceRuntime)
	set := builtinSet(t, files, runtime)
	req := func(mall, cancel string) scenarios.MapFields {
		return scenarios.MapFields{"mallId": mall, "cancelPgCno": cancel}
	}
	assert.Equal(t, "high", name(set.Select(scenarios.FindCancel, "1", req("T0000042", "9"))))
	assert.Equal(t, "low-too", name(set.Select(scenarios.FindCancel, "1", req("T0000042", "1"))), "equal priority: the later-loaded wins")
	assert.Equal(t, "low", name(set.Select(scenarios.FindCancel, "1", req("T1", "1"))))
	assert.Equal(t, "<none>", name(set.Select(scenarios.FindCancel, "1", req("05574880", "1"))))
	assert.Equal(t, "low-too", name(set.Select(scenarios.FindPayment, "1", scenarios.MapFields{"mallId": "T0001"})))
	assert.Equal(t, "<none>", name(set.Select(scenarios.FindPayment, "1", scenarios.MapFields{})), "an absent field matches nothing")
	assert.Equal(t, "cancel-partial", name(set.Select(scenarios.FindCancel, "mock-cancel-partial", req("T0000042", "9"))), "a magic id beats the rules")
}

func TestALaterLayerReplacesAScenarioOfTheSameName(t *testing.T) {
	files := mustParse(t, "version: 1\nscenarios:\n  - name: slow\n    responses: [{delay: 2s}]\n", scenarios.SourceFile)
	set := builtinSet(t, files)
	assert.Equal(t, scenarios.SourceFile, set.Lookup("slow").Source)
	assert.Equal(t, 2*time.Second, set.Lookup("slow").Responses[0].Delay.Min)
	assert.Equal(t, 25, set.Len())
	assert.Contains(t, set.Names(), "slow")
}

func TestTemplatesRenderRequestFieldsDatesIdsAndFakeData(t *testing.T) {
	list := mustParse(t, `
version: 1
scenarios:
  - name: t
    responses:
      - body:
          pgCno: "{{request.pgCno}}"
          nested: "{{request.amountInfo.currency}}/{{request.missing}}"
          transactionDate: "{{now}}"
          day: "{{ today }}"
          cancelPgCno: "{{newId}}"
          shopOrderNo: 'ORD-{{fake "number:1000,1000"}}'
          resDetailMsg: '{{urlencode "시스템 오류 & more"}}'
          amountInfo: {amount: "{{request.amount}}", totAmount: "12"}
          flag: true
          nothing: null
          list: [1, "x"]
`, scenarios.SourceFile)
	env := &scenarios.Env{
		Request: scenarios.MapFields{"pgCno": "P1", "amount": 1500.0, "amountInfo": map[string]any{"currency": "KRW"}},
		Now:     time.Date(2026, 1, 2, 15, 4, 5, 0, time.UTC),
		NewID:   func() string { return "26010300040500000001" },
		Faker:   gofakeit.New(1),
	}
	b, err := list[0].Responses[0].Body.RenderObject(env).MarshalJSON()
	require.NoError(t, err)
	assert.JSONEq(t, `{"pgCno":"P1","nested":"KRW/","transactionDate":"20260103000405","day":"20260103",
		"cancelPgCno":"26010300040500000001","shopOrderNo":"ORD-1000",
		"resDetailMsg":"%EC%8B%9C%EC%8A%A4%ED%85%9C+%EC%98%A4%EB%A5%98+%26+more",
		"amountInfo":{"amount":1500,"totAmount":12},"flag":true,"nothing":null,"list":[1,"x"]}`, string(b))
}

func TestTemplateOutputIsBounded(t *testing.T) {
	p := `{{fake "password:true,true,true,false,false,1000"}}`
	tmpl, err := scenarios.ParseTemplate(strings.Repeat(p, 5))
	require.NoError(t, err)
	out := tmpl.Render(&scenarios.Env{Faker: gofakeit.New(1)})
	assert.Equal(t, scenarios.MaxTemplateOutput, len(out), "5,000 bytes cut to the cap")

	// With special characters (& < > are \u0026 \u003c \u003e in JSON) the
	// cap counts the escapes.
	tmpl, err = scenarios.ParseTemplate(strings.Repeat(strings.Replace(p, "false,false", "true,false", 1), 5))
	require.NoError(t, err)
	out = tmpl.Render(&scenarios.Env{Faker: gofakeit.New(1)})
	j, _ := json.Marshal(out)
	assert.LessOrEqual(t, len(j)-2, scenarios.MaxTemplateOutput)
	assert.Greater(t, len(j)-2, scenarios.MaxTemplateOutput-6, "cut at the cap, not before")
	assert.Less(t, len(out), scenarios.MaxTemplateOutput)
	assert.LessOrEqual(t, len(j), tmpl.MaxJSONBytes())
}

func TestMergeOverlaysKeepsOrderAndNullRemoves(t *testing.T) {
	base, err := scenarios.DecodeObject([]byte(`{"a":1,"b":{"x":1,"y":2},"c":"z"}`))
	require.NoError(t, err)
	over := scenarios.Object{{Key: "b", Value: scenarios.Object{{Key: "y", Value: "new"}}}, {Key: "c", Value: nil}, {Key: "d", Value: true}}
	b, _ := scenarios.Merge(base, over).MarshalJSON()
	assert.Equal(t, `{"a":1,"b":{"x":1,"y":"new"},"d":true}`, string(b))
}
