package main

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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

func TestDialAddr(t *testing.T) {
	assert.Equal(t, "127.0.0.1:8080", dialAddr(":8080"))
	assert.Equal(t, "127.0.0.1:8080", dialAddr("0.0.0.0:8080"))
	assert.Equal(t, "10.0.0.1:80", dialAddr("10.0.0.1:80"))
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
