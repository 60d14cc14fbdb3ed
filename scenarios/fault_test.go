package scenarios_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kicc-mock/kicc-mock/fault"
	"github.com/kicc-mock/kicc-mock/scenarios"
)

func parseResponse(t *testing.T, response string) (*scenarios.Response, error) {
	t.Helper()
	list, err := scenarios.Parse("f.yaml", []byte("version: 1\nscenarios:\n  - name: f\n    responses:\n      - "+response+"\n"), scenarios.Options{})
	if err != nil {
		return nil, err
	}
	return list[0].Responses[0], nil
}

func TestFaultsTakeParameters(t *testing.T) {
	tests := []struct {
		yaml   string
		name   string
		params fault.Params
	}{
		{"fault: reset", "reset", fault.Params{}},
		{"fault: {hang: 5s}", "hang", fault.Params{"for": 5 * time.Second}},
		{"fault: {hang: {for: 1m}}", "hang", fault.Params{"for": time.Minute}},
		{"fault: {reset: {afterBytes: 10}}", "reset", fault.Params{"afterBytes": int64(10)}},
		{"fault: {malformed: 3}", "malformed", fault.Params{"keepBytes": int64(3)}},
		{"fault: {empty: {}}", "empty", fault.Params{}},
	}
	for _, tt := range tests {
		t.Run(tt.yaml, func(t *testing.T) {
			r, err := parseResponse(t, tt.yaml)
			require.NoError(t, err)
			assert.Equal(t, tt.name, r.Fault)
			assert.Equal(t, tt.params, r.FaultParams)
			assert.NotNil(t, r.FaultImpl)
		})
	}
}

func TestFaultParameterMistakesNameTheLine(t *testing.T) {
	tests := []struct{ yaml, want string }{
		{"fault: nope", `f.yaml:5: unknown fault "nope"; known faults: empty, hang, malformed, reset`},
		{"fault: {hnag: 5s}", `f.yaml:5: unknown fault "hnag" (did you mean "hang"?)`},
		{"fault: {empty: 3}", "f.yaml:5: fault empty takes no parameters"},
		{"fault: {hang: 20m}", "f.yaml:5: fault hang: for must be from 1ms to 10m0s"},
		{"fault: {hang: soon}", `f.yaml:5: for must be a duration such as 5s, got "soon"`},
		{"fault: {reset: {afterBytes: many}}", `f.yaml:5: afterBytes must be a whole number, got "many"`},
		{"fault: {reset: {after: 1}}", `f.yaml:5: unknown key "after" in fault reset`},
		{"fault: {reset: 1, hang: 1s}", "f.yaml:5: fault takes one fault"},
		{"fault: [reset]", "f.yaml:5: fault is a fault's name"},
		{"reachedKicc: maybe", "f.yaml:5: reachedKicc must be true or false"},
	}
	for _, tt := range tests {
		t.Run(tt.yaml, func(t *testing.T) {
			_, err := parseResponse(t, tt.yaml)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

func TestReachedKICC(t *testing.T) {
	tests := []struct {
		yaml string
		want bool
	}{
		{"body: {cancelStatus: TS02}", true},
		{"status: 500", true},
		{"status: 502", false},
		{"status: 503", false},
		{"status: 504", false},
		{"fault: reset", false},
		{"fault: empty", false},
		{"fault: malformed", true},
		{"fault: hang", true},
		{"{status: 503, reachedKicc: true}", true},
		{"{fault: malformed, reachedKicc: false}", false},
		{"{body: {resCd: \"9999\"}, reachedKicc: false}", false},
	}
	for _, tt := range tests {
		t.Run(tt.yaml, func(t *testing.T) {
			r, err := parseResponse(t, tt.yaml)
			require.NoError(t, err)
			assert.Equal(t, tt.want, r.ReachedKICC())
		})
	}
}
