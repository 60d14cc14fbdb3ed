package main

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	sandboxpkg "github.com/kicc-mock/kicc-mock/sandbox"
	"github.com/kicc-mock/kicc-mock/server"
)

func TestWebhookFlags(t *testing.T) {
	t.Setenv("KICC_MOCK_WEBHOOK_ALLOW", "merchant.example, *.qa.example:8443")
	t.Setenv("KICC_MOCK_WEBHOOK_HOST_QUEUE", "20")
	var o options
	require.NoError(t, parseFlags(newFlagSet("serve", &o, &bytes.Buffer{}), []string{"--webhook-concurrency", "9"}))
	var cfg server.Config
	require.NoError(t, o.sandbox.apply(&cfg))
	assert.Equal(t, "merchant.example,*.qa.example:8443", cfg.WebhookAllow.String())
	assert.Equal(t, 9, cfg.WebhookConcurrency)
	assert.Equal(t, sandboxpkg.DefaultWebhookHostConcurrency, cfg.WebhookHostConcurrency)
	assert.Equal(t, sandboxpkg.DefaultWebhookQueue, cfg.WebhookQueue)
	assert.Equal(t, 20, cfg.WebhookHostQueue)

	var none options
	require.NoError(t, parseFlags(newFlagSet("serve", &none, &bytes.Buffer{}), []string{"--webhook-allow", ""}))
	cfg = server.Config{}
	require.NoError(t, none.sandbox.apply(&cfg))
	assert.True(t, cfg.WebhookAllow.Any(), "empty allows any host")
}

func TestWebhookFlagsRefuseBadValues(t *testing.T) {
	for _, args := range [][]string{
		{"--webhook-allow", "http://merchant.example/notify"},
		{"--webhook-allow", "a.example,,b.example"},
		{"--webhook-concurrency", "0"},
		{"--webhook-host-concurrency", "0"},
		{"--webhook-queue", "-1"},
		{"--webhook-host-queue", "0"},
	} {
		var stderr bytes.Buffer
		assert.Equal(t, 2, run(append([]string{"serve", "--addr", "127.0.0.1:0"}, args...), &bytes.Buffer{}, &stderr), args)
		assert.Contains(t, stderr.String(), args[0], args)
	}
	var stderr bytes.Buffer
	run([]string{"serve", "--addr", "127.0.0.1:0", "--webhook-allow", "a.example:99999"}, &bytes.Buffer{}, &stderr)
	assert.Equal(t, "kicc-mock: --webhook-allow: entry 1 \"a.example:99999\": port \"99999\" is not a number from 1 to 65535\n", stderr.String())
}
