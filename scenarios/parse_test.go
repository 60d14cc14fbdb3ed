package scenarios_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kicc-mock/kicc-mock/scenarios"
)

func TestBuiltinsLoadAndCoverEveryStatusAndCode(t *testing.T) {
	list, err := scenarios.Builtins()
	require.NoError(t, err)
	set := scenarios.NewSet(list)
	for _, name := range []string{
		"cancel-approved", "cancel-full", "cancel-partial", "cancel-void", "cancel-pending-then-full",
		"payment-approved", "payment-full", "payment-partial", "payment-void",
		"error-missing", "error-too-long", "error-invalid", "error-duplicate", "error-not-found",
		"error-mall", "error-auth", "error-wechat", "error-system",
		"http-500", "http-503", "slow", "timeout", "conn-reset", "empty-response", "malformed-json",
	} {
		sc := set.Lookup(name)
		if assert.NotNil(t, sc, name) {
			assert.Equal(t, scenarios.SourceBuiltin, sc.Source)
			assert.NotEmpty(t, sc.Description, name)
		}
	}
	assert.Equal(t, 25, set.Len())
	assert.Equal(t, "cancel-full", scenarios.DefaultFor(scenarios.FindCancel))
	assert.Equal(t, "payment-approved", scenarios.DefaultFor(scenarios.FindPayment))
}

func parse(t *testing.T, src string) ([]*scenarios.Scenario, error) {
	t.Helper()
	return scenarios.Parse("s.yaml", []byte(strings.TrimLeft(src, "\n")), scenarios.Options{})
}

func TestParseReadsEveryPartOfTheFormat(t *testing.T) {
	list, err := parse(t, `
version: 1
scenarios:
  - name: merchant-42
    description: slow partial
    endpoint: [find-cancel]
    match:
      mallId: T0000042
      pgCno: "2511*"
      shopTransactionId: {regex: "^A[0-9]+$"}
    priority: 10
    sequenceKey: cancelPgCno
    responses:
      - body: {cancelStatus: TS01}
      - delay: {min: 1s, max: 5s}
        body:
          cancelStatus: TS06
          amountInfo: {currency: KRW, totAmount: "{{fake \"number:100,200\"}}"}
      - status: 503
      - fault: reset
        delay: 3s
`)
	require.NoError(t, err)
	require.Len(t, list, 1)
	sc := list[0]
	assert.Equal(t, "merchant-42", sc.Name)
	assert.Equal(t, []scenarios.Endpoint{scenarios.FindCancel}, sc.Endpoints)
	assert.Equal(t, 10, sc.Priority)
	assert.Equal(t, "cancelPgCno", sc.SequenceKey)
	assert.Equal(t, 3, sc.Line)
	require.Len(t, sc.Match, 3)
	assert.Equal(t, "T0000042", sc.Match[0].Exact)
	assert.Equal(t, "2511*", sc.Match[1].Glob)
	assert.NotNil(t, sc.Match[2].Regex)
	require.Len(t, sc.Responses, 4)
	assert.Equal(t, scenarios.Delay{Min: time.Second, Max: 5 * time.Second}, sc.Responses[1].Delay)
	assert.Equal(t, 503, sc.Responses[2].Status)
	assert.Equal(t, "reset", sc.Responses[3].Fault)
	assert.Equal(t, 3*time.Second, sc.Responses[3].Delay.Min)
	assert.Same(t, sc.Responses[3], sc.Response(99), "the last response repeats")

	body := sc.Responses[1].Body.RenderObject(&scenarios.Env{})
	b, _ := body.MarshalJSON()
	assert.Regexp(t, `^\{"cancelStatus":"TS06","amountInfo":\{"currency":"KRW","totAmount":1\d\d\}\}$`, string(b),
		"keys keep the YAML order; a templated amount stays a JSON number")
}

func TestParseReportsEveryMistakeWithItsLine(t *testing.T) {
	for _, tc := range []struct {
		name, src, want string
	}{
		{"a typo in a key", `
version: 1
scenarios:
  - name: a
    respones:
      - body: {}
`, `s.yaml:4: unknown key "respones" in a scenario (did you mean "responses"?)`},
		{"an unknown top-level key", `
version: 1
scenario: []
`, `s.yaml:2: unknown key "scenario" in the file (did you mean "scenarios"?)`},
		{"a missing version", `
scenarios: []
`, `s.yaml:1: missing "version: 1"`},
		{"a future version", `
version: 2
scenarios: []
`, `s.yaml:1: version 2 is not supported`},
		{"a delay over the cap", `
version: 1
scenarios:
  - name: a
    responses:
      - delay: 31s
`, `s.yaml:5: delay 31s is over the maximum of 30s`},
		{"a delay without unit", `
version: 1
scenarios:
  - name: a
    responses:
      - delay: 3
`, `s.yaml:5: delay 3 needs a unit`},
		{"an unknown fault", `
version: 1
scenarios:
  - name: a
    responses:
      - fault: rest
`, `s.yaml:5: unknown fault "rest" (did you mean "reset"?)`},
		{"a fault with a body", `
version: 1
scenarios:
  - name: a
    responses:
      - fault: reset
        body: {resCd: "9999"}
`, `s.yaml:5: a fault response sends no status or body`},
		{"an unknown endpoint", `
version: 1
scenarios:
  - name: a
    endpoint: find-cancle
    responses: [{status: 500}]
`, `s.yaml:4: unknown endpoint "find-cancle" (did you mean "find-cancel"?)`},
		{"a bad template", `
version: 1
scenarios:
  - name: a
    responses:
      - body: {pgCno: "{{reqest.pgCno}}"}
`, `s.yaml:5: pgCno: template {{reqest.pgCno}}: unknown expression "reqest.pgCno"`},
		{"an unknown gofakeit function", `
version: 1
scenarios:
  - name: a
    responses:
      - body: {shopOrderNo: "{{fake \"nosuchthing\"}}"}
`, `s.yaml:5: shopOrderNo: template {{fake "nosuchthing"}}: gofakeit has no function "nosuchthing"`},
		{"a word for an amount", `
version: 1
scenarios:
  - name: a
    responses:
      - body:
          amountInfo: {totAmount: lots}
`, `s.yaml:6: totAmount is a number in KICC's answers; "lots" is not one`},
		{"the payment field in a cancel scenario", `
version: 1
scenarios:
  - name: a
    endpoint: find-cancel
    responses:
      - body: {statusCd: TS02}
`, `s.yaml:6: statusCd is the payment inquiry's field`},
		{"a duplicate name", `
version: 1
scenarios:
  - name: a
    responses: [{status: 500}]
  - name: a
    responses: [{status: 500}]
`, `s.yaml:5: scenario "a" is already defined at line 3`},
		{"a repeated key", `
version: 1
scenarios:
  - name: a
    name: b
    responses: [{status: 500}]
`, `s.yaml:4: a scenario: key "name" repeated (first at line 3)`},
		{"a bad regex", `
version: 1
scenarios:
  - name: a
    match: {mallId: {regex: "("}}
    responses: [{status: 500}]
`, `s.yaml:4: match: mallId: bad regular expression`},
		{"a name that cannot be a header", `
version: 1
scenarios:
  - name: "a b"
    responses: [{status: 500}]
`, `s.yaml:3: name "a b" may hold only letters, digits, - and _`},
		{"a status out of range", `
version: 1
scenarios:
  - name: a
    responses: [{status: 99}]
`, `s.yaml:4: status must be an HTTP status code from 200 to 599, got "99"`},
		{"broken YAML", `
version: 1
scenarios:
  - name: a
   responses: []
`, `s.yaml:2: not valid YAML: did not find expected`},
		{"an empty file", ``, `s.yaml:1: empty file`},
	} {
		t.Run(tc.name+" is reported at its line", func(t *testing.T) {
			_, err := parse(t, tc.src)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestParseReportsSeveralMistakesAtOnce(t *testing.T) {
	_, err := parse(t, `
version: 1
scenarios:
  - name: a
    endpoint: find-cancle
    responses:
      - delay: 40s
      - fault: rset
`)
	var el scenarios.ErrorList
	require.ErrorAs(t, err, &el)
	assert.Len(t, el, 3)
	assert.Equal(t, []int{4, 6, 7}, []int{el[0].Line, el[1].Line, el[2].Line})
}

func TestMaxDelayIsConfigurable(t *testing.T) {
	src := []byte("version: 1\nscenarios:\n  - name: a\n    responses: [{delay: 10s}]\n")
	_, err := scenarios.Parse("s.yaml", src, scenarios.Options{MaxDelay: 5 * time.Second})
	assert.ErrorContains(t, err, "s.yaml:4: delay 10s is over the maximum of 5s")
	_, err = scenarios.Parse("s.yaml", src, scenarios.Options{})
	assert.NoError(t, err)
}

func TestWebhookFailIsForRevise(t *testing.T) {
	_, err := scenarios.Parse("f.yaml", []byte(`version: 1
scenarios:
  - name: a
    endpoint: create
    responses:
      - webhook: {fail: true}
  - name: b
    endpoint: revise
    responses:
      - webhook: {resCd: "2001"}
  - name: c
    endpoint: revise
    responses:
      - webhook: {fail: true, resCd: "0000"}
`), scenarios.Options{})
	require.Error(t, err)
	msg := err.Error()
	assert.Contains(t, msg, "f.yaml:6: webhook fail is for cancellations")
	assert.Contains(t, msg, "f.yaml:10: webhook resCd goes with fail: true")
	assert.Contains(t, msg, "f.yaml:14: webhook resCd must be a 4-digit failure code")

	list, err := scenarios.Parse("ok.yaml", []byte(`version: 1
scenarios:
  - name: refund-refused
    endpoint: revise
    responses:
      - webhook: {fail: true}
`), scenarios.Options{})
	require.NoError(t, err)
	assert.Equal(t, "2001", list[0].Responses[0].Webhook.FailResCd, "the default failure code")
}

func TestFakeParametersAreScalarsOnly(t *testing.T) {
	_, err := scenarios.Parse("f.yaml", []byte(`version: 1
scenarios:
  - name: a
    responses:
      - body: {resMsg: '{{fake "number:1000,[[5[[[[[[0000"}}'}
`), scenarios.Options{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "f.yaml:5:")
	assert.Contains(t, err.Error(), "parameters may hold only")
}

func TestFakeCountsAreBoundedTogether(t *testing.T) {
	_, err := scenarios.Parse("f.yaml", []byte(`version: 1
scenarios:
  - name: a
    responses:
      - body: {resMsg: '{{fake "paragraph:1000,1000,1000"}}'}
`), scenarios.Options{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "multiply to more than")
}
