package scenarios

import (
	"encoding/json"
	"os"
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kicc-mock/kicc-mock/fault"
)

// TestSchemaKnowsTheSameKeysAsTheParser keeps schema.json, which editors use
// to autocomplete, in step with what Parse accepts.
func TestSchemaKnowsTheSameKeysAsTheParser(t *testing.T) {
	data, err := os.ReadFile("schema.json")
	require.NoError(t, err)
	var s struct {
		Properties map[string]any `json:"properties"`
		Defs       map[string]struct {
			Properties map[string]any `json:"properties"`
		} `json:"$defs"`
	}
	require.NoError(t, json.Unmarshal(data, &s))
	keys := func(m map[string]any) []string {
		var out []string
		for k := range m {
			out = append(out, k)
		}
		sort.Strings(out)
		return out
	}
	sorted := func(l []string) []string { l = append([]string(nil), l...); sort.Strings(l); return l }
	assert.Equal(t, sorted(fileKeys), keys(s.Properties))
	assert.Equal(t, sorted(scenarioKeys), keys(s.Defs["scenario"].Properties))
	assert.Equal(t, sorted(responseKeys), keys(s.Defs["response"].Properties))

	// The fault value's schema is the fault registry's.
	var doc struct {
		Defs struct {
			Fault    any `json:"fault"`
			Response struct {
				Properties struct {
					Fault any `json:"fault"`
				} `json:"properties"`
			} `json:"response"`
		} `json:"$defs"`
	}
	require.NoError(t, json.Unmarshal(data, &doc))
	assert.Equal(t, map[string]any{"$ref": "#/$defs/fault"}, doc.Defs.Response.Properties.Fault)
	want, err := json.Marshal(fault.Schema())
	require.NoError(t, err)
	got, err := json.Marshal(doc.Defs.Fault)
	require.NoError(t, err)
	assert.JSONEq(t, string(want), string(got), "schema.json's $defs.fault must be fault.Schema():\n%s", want)
}
