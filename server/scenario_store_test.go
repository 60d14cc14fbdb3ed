package server_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kicc-mock/kicc-mock/scenarios"
	"github.com/kicc-mock/kicc-mock/server"
	"github.com/kicc-mock/kicc-mock/store"
)

const twoScenarios = `version: 1
scenarios:
  - name: keep-a
    endpoint: find-cancel
    responses: [{body: {cancelStatus: TS06}}]
  - name: keep-b
    endpoint: find-cancel
    responses: [{body: {cancelStatus: TS12}}]
`

const replaceB = `version: 1
scenarios:
  - name: keep-b
    endpoint: find-cancel
    responses: [{body: {cancelStatus: TS01}}]
  - name: keep-c
    endpoint: find-payment
    responses: [{body: {statusCd: TS12}}]
`

// reopen builds a server on the database in dir, as a restart would.
func reopen(t *testing.T, dir string) (*server.Server, *store.Persistent) {
	t.Helper()
	p, err := store.Open(dir)
	require.NoError(t, err)
	seqs, err := p.Sequences(0, time.Now())
	require.NoError(t, err)
	srv, err := server.New(server.Config{Sequences: seqs, ScenarioStore: p.Documents()})
	require.NoError(t, err)
	return srv, p
}

func runtimeNames(srv *server.Server) map[string]string {
	out := map[string]string{}
	set := srv.Scenarios()
	for _, n := range set.Names() {
		if sc := set.Lookup(n); sc.Source == "runtime" {
			out[n] = string(sc.Responses[0].Body.Render(nil).(scenarios.Object).AppendJSON(nil))
		}
	}
	return out
}

func TestRuntimeScenariosSurviveARestart(t *testing.T) {
	dir := t.TempDir()
	srv, p := reopen(t, dir)
	_, err := srv.AddScenarios("request", []byte(twoScenarios))
	require.NoError(t, err)
	_, err = srv.AddScenarios("request", []byte(replaceB))
	require.NoError(t, err)
	require.NoError(t, srv.RemoveScenario("keep-c"))
	want := runtimeNames(srv)
	require.Len(t, want, 2)
	srv.Close()
	require.NoError(t, p.Close())

	srv, p = reopen(t, dir)
	got := runtimeNames(srv)
	assert.Equal(t, want, got, "same scenarios, the replacement of keep-b included, keep-c still deleted")
	assert.Contains(t, got["keep-b"], "TS01")

	srv.ResetScenarios()
	srv.Close()
	require.NoError(t, p.Close())
	srv, p = reopen(t, dir)
	defer p.Close()
	defer srv.Close()
	assert.Empty(t, runtimeNames(srv), "reset forgets them on disk too")
}
