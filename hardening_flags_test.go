package main

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestHardeningFlagsHaveEnvironmentTwins(t *testing.T) {
	t.Setenv("KICC_MOCK_MAX_RUNTIME_SCENARIOS", "7")
	t.Setenv("KICC_MOCK_MAX_HEADER_BYTES", "8192")
	t.Setenv("KICC_MOCK_MAX_TEMPLATE_BYTES", "100")
	t.Setenv("KICC_MOCK_DATA_DIR", "/tmp/x")
	var o options
	fs := newFlagSet("serve", &o, &bytes.Buffer{})
	assert.NoError(t, parseFlags(fs, []string{"--max-template-bytes", "200"}))
	assert.Equal(t, 7, o.maxRuntimeScenarios)
	assert.Equal(t, 8192, o.maxHeaderBytes)
	assert.Equal(t, 200, o.maxTemplateBytes, "the flag wins over its variable")
	assert.Equal(t, "/tmp/x", o.dataDir)
}

func TestHardeningBoundsMustBePositive(t *testing.T) {
	for _, flag := range []string{"--max-runtime-scenarios", "--max-header-bytes", "--max-template-bytes"} {
		var stderr bytes.Buffer
		assert.Equal(t, 2, run([]string{"serve", "--addr", "127.0.0.1:0", flag, "0"}, &bytes.Buffer{}, &stderr), flag)
		assert.Contains(t, stderr.String(), "must be at least 1")
	}
}

func TestDataDirThatCannotBeOpenedFailsTheStart(t *testing.T) {
	var stderr bytes.Buffer
	assert.Equal(t, 1, run([]string{"serve", "--addr", "127.0.0.1:0", "--data-dir", "/dev/null/x"}, &bytes.Buffer{}, &stderr))
	assert.Contains(t, stderr.String(), "--data-dir")
}

func TestGCHeapFloorFlag(t *testing.T) {
	t.Setenv("KICC_MOCK_GC_HEAP_FLOOR_MIB", "8")
	var o options
	assert.NoError(t, parseFlags(newFlagSet("serve", &o, &bytes.Buffer{}), nil))
	assert.Equal(t, 8, o.gcHeapFloorMiB)
	for _, bad := range []string{"-1", "4097"} {
		var stderr bytes.Buffer
		assert.Equal(t, 2, run([]string{"serve", "--addr", "127.0.0.1:0", "--gc-heap-floor-mib", bad}, &bytes.Buffer{}, &stderr), bad)
		assert.Contains(t, stderr.String(), "--gc-heap-floor-mib")
	}
}
