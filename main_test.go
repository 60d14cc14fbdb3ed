package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestValidateAcceptsTheExamplesAndTheBuiltins(t *testing.T) {
	var out, errOut bytes.Buffer
	code := run([]string{"validate", "examples/scenarios", "scenarios/builtin"}, &out, &errOut)
	assert.Equal(t, 0, code, out.String()+errOut.String())
	assert.Equal(t, "ok: 28 scenarios\n", out.String())
}

func TestValidatePrintsEveryMistakeAsFileLineMessage(t *testing.T) {
	var out, errOut bytes.Buffer
	code := run([]string{"validate", "testdata/three-mistakes.yaml"}, &out, &errOut)
	assert.Equal(t, 1, code)
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if assert.Len(t, lines, 3, out.String()) {
		assert.True(t, strings.HasPrefix(lines[0], `testdata/three-mistakes.yaml:5: unknown key "respones" in a scenario (did you mean "responses"?)`), lines[0])
		assert.True(t, strings.HasPrefix(lines[1], `testdata/three-mistakes.yaml:10: delay 45s is over the maximum of 30s`), lines[1])
		assert.True(t, strings.HasPrefix(lines[2], `testdata/three-mistakes.yaml:12: unknown fault "rst" (did you mean "reset"?)`), lines[2])
	}
}

func TestValidateNeedsAPath(t *testing.T) {
	var out, errOut bytes.Buffer
	assert.Equal(t, 2, run([]string{"validate"}, &out, &errOut))
	assert.Contains(t, errOut.String(), "Usage: kicc-mock validate")
	assert.Equal(t, 1, run([]string{"validate", "no/such/file.yaml"}, &out, &errOut))
}

func TestScenarioFlagsHaveEnvironmentTwins(t *testing.T) {
	t.Setenv("KICC_MOCK_MAX_DELAY", "5s")
	t.Setenv("KICC_MOCK_SCENARIOS", "examples/scenarios")
	var o options
	fs := newFlagSet("serve", &o, &bytes.Buffer{})
	assert.NoError(t, parseFlags(fs, []string{"--watch"}))
	assert.Equal(t, "5s", o.maxDelay.String())
	assert.Equal(t, "examples/scenarios", o.scenarios)
	assert.True(t, o.watch)
}
