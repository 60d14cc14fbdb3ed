package main

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"

	"github.com/kicc-mock/kicc-mock/scenarios"
)

func TestEnvTwinsFillUnsetFlags(t *testing.T) {
	t.Setenv("KICC_MOCK_IDEMPOTENCY", "replay")
	t.Setenv("KICC_MOCK_ADDR", ":9999")
	var o options
	fs := newFlagSet("serve", &o, &bytes.Buffer{})
	require.NoError(t, parseFlags(fs, []string{"--addr", "127.0.0.1:1"}))
	assert.Equal(t, "replay", o.idempotency, "from the environment")
	assert.Equal(t, "127.0.0.1:1", o.addr, "the flag wins")
}

func TestBadEnvValueIsReported(t *testing.T) {
	t.Setenv("KICC_MOCK_MAX_KEYS", "many")
	var o options
	err := parseFlags(newFlagSet("serve", &o, &bytes.Buffer{}), nil)
	assert.ErrorContains(t, err, "KICC_MOCK_MAX_KEYS")
}

func TestEnvName(t *testing.T) {
	assert.Equal(t, "KICC_MOCK_SHUTDOWN_TIMEOUT", envName("shutdown-timeout"))
}

func TestHealthcheckCommand(t *testing.T) {
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/__admin/health" {
			w.WriteHeader(404)
		}
	}))
	defer up.Close()
	addr := strings.TrimPrefix(up.URL, "http://")
	var stderr bytes.Buffer
	assert.Equal(t, 0, run([]string{"healthcheck", "--addr", addr}, &bytes.Buffer{}, &stderr), stderr.String())
	up.Close()
	assert.Equal(t, 1, run([]string{"healthcheck", "--addr", addr}, &bytes.Buffer{}, &stderr))
}

func TestVersionAndUnknownCommand(t *testing.T) {
	var out bytes.Buffer
	assert.Equal(t, 0, run([]string{"version"}, &out, &out))
	assert.Contains(t, out.String(), "kicc-mock")
	assert.Equal(t, 2, run([]string{"frobnicate"}, &out, &out))
	assert.Equal(t, 2, run([]string{"serve", "--idempotency", "nope", "--addr", "127.0.0.1:0"}, &out, &out))
}

func TestValidateAcceptsTheExamplesAndTheBuiltins(t *testing.T) {
	var out, errOut bytes.Buffer
	code := run([]string{"validate", "examples/scenarios", "scenarios/builtin"}, &out, &errOut)
	assert.Equal(t, 0, code, out.String()+errOut.String())
	assert.Equal(t, "ok: 29 scenarios\n", out.String())
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

// TestValidateRefusesHostileFiles: a recursive anchor used to crash
// validate with a stack overflow, the 615-byte alias bomb took gigabytes.
func TestValidateRefusesHostileFiles(t *testing.T) {
	var out, errOut bytes.Buffer
	code := run([]string{"validate", "scenarios/testdata/attacks/recursive-anchor.yaml", "scenarios/testdata/attacks/alias-bomb-615.yaml"}, &out, &errOut)
	assert.Equal(t, 1, code)
	assert.Contains(t, out.String(), "scenarios/testdata/attacks/alias-bomb-615.yaml:11: aliases expand to more than 10000 nodes")
	assert.Contains(t, out.String(), "scenarios/testdata/attacks/recursive-anchor.yaml:5: alias *b refers to its own anchor &b (line 5): recursive aliases are not allowed")
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

func TestValidateSaysADirectoryHasNoScenarioFiles(t *testing.T) {
	dir := t.TempDir()
	var out bytes.Buffer
	assert.Equal(t, 1, run([]string{"validate", dir}, &out, &bytes.Buffer{}))
	assert.Equal(t, dir+": no scenario files (*.yaml, *.yml) in this directory\n", out.String())
}

// TestComposeAllowsNoMerchantItsScenariosBreak: the compose example's
// allowed merchants must not be answered with a fault by the example
// scenarios it mounts.
func TestComposeAllowsNoMerchantItsScenariosBreak(t *testing.T) {
	data, err := os.ReadFile("examples/docker-compose.yml")
	require.NoError(t, err)
	var compose struct {
		Services map[string]struct {
			Environment map[string]string `yaml:"environment"`
		} `yaml:"services"`
	}
	require.NoError(t, yaml.Unmarshal(data, &compose))
	malls := strings.Split(compose.Services["kicc-mock"].Environment["KICC_MOCK_MALL_IDS"], ",")
	require.NotEmpty(t, malls[0])
	list, err := scenarios.LoadPaths([]string{"examples/scenarios"}, scenarios.Options{})
	require.NoError(t, err)
	set := scenarios.NewSet(list)
	for _, mall := range malls {
		for _, ep := range scenarios.Endpoints {
			sc := set.Select(ep, "", scenarios.MapFields{"mallId": mall})
			if sc != nil {
				for _, r := range sc.Responses {
					assert.Empty(t, r.Fault, "merchant %s gets %s from %s on %s", mall, r.Fault, sc.Name, ep)
				}
			}
		}
	}
}
