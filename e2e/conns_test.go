package e2e

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type connStats struct {
	Connections *struct {
		Open int `json:"open"`
		Max  int `json:"max"`
	} `json:"connections"`
}

func processConnStats(t *testing.T, url string) connStats {
	t.Helper()
	resp, err := http.Get(url + "/__admin/stats")
	require.NoError(t, err)
	defer resp.Body.Close()
	var st connStats
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&st))
	require.NotNil(t, st.Connections, "the binary serves through the connection limit")
	return st
}

// The binary counts its connections through the limit: the one asking is
// open, and the cap is the flag's, or one computed from the open file
// limit and logged.
func TestProcessCapsConnections(t *testing.T) {
	_, url, _ := startProcess(t, "--max-conns", "3")
	st := processConnStats(t, url)
	assert.Equal(t, 3, st.Connections.Max)
	assert.GreaterOrEqual(t, st.Connections.Open, 1)

	_, url, log := startProcess(t)
	// Read before any request: nothing is logged between "serving" and
	// the first request's access log.
	assert.Contains(t, log.String(), "connections capped")
	st = processConnStats(t, url)
	assert.Positive(t, st.Connections.Max)
}
