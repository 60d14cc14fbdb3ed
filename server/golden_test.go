package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kicc-mock/kicc-mock/scenarios"
	"github.com/kicc-mock/kicc-mock/server"
)

var update = flag.Bool("update", false, "rewrite the golden files in fixtures/scenarios")

// golden is one fixtures/scenarios/<name>.json: the request sent with the
// X-KICC-Mock-Scenario header and what came back, call after call (one more
// call than the scenario has responses, to show the last one repeating).
type golden struct {
	Scenario    string          `json:"scenario"`
	Description string          `json:"description"`
	Request     json.RawMessage `json:"request"`
	Calls       []goldenCall    `json:"calls"`
}

type goldenCall struct {
	Delay  string          `json:"delay,omitempty"`
	Status int             `json:"status,omitempty"`
	Body   json.RawMessage `json:"body,omitempty"`
	Raw    string          `json:"raw,omitempty"`    // a body that is not JSON
	Client string          `json:"client,omitempty"` // what a Go client sees on a fault
}

// TestBuiltinGoldens pins every built-in's answer byte for byte (fake clock,
// seed 0, fixed ids). Run with -update after an intended change.
func TestBuiltinGoldens(t *testing.T) {
	set := newMock(t, server.Config{}).srv.Scenarios()
	dir := filepath.Join("..", "fixtures", "scenarios")
	for _, name := range set.Names() {
		t.Run(name, func(t *testing.T) {
			sc := set.Lookup(name)
			got := record(t, sc)
			path := filepath.Join(dir, name+".json")
			if *update {
				require.NoError(t, os.MkdirAll(dir, 0o755))
				require.NoError(t, os.WriteFile(path, got, 0o644))
				return
			}
			want, err := os.ReadFile(path)
			require.NoError(t, err, "run go test ./server -run TestBuiltinGoldens -update")
			assert.Equal(t, string(want), string(got))
		})
	}
}

func record(t *testing.T, sc *scenarios.Scenario) []byte {
	m := newMock(t, server.Config{})
	req := map[string]any{"mallId": "T0000001", "shopTransactionId": "", "pgCno": "25112512000010000001"}
	if sc.AppliesTo(scenarios.FindCancel) {
		req["cancelPgCno"] = "25112512300010000002"
	}
	g := golden{Scenario: sc.Name, Description: sc.Description}
	for i := 0; i <= len(sc.Responses); i++ {
		if i == 1 && !sc.IsSequence() {
			break
		}
		req["shopTransactionId"] = fmt.Sprintf("golden-%d", i+1)
		if i == 0 {
			g.Request, _ = json.Marshal(req)
		}
		resp := sc.Response(i)
		ch := m.findAsync(context.Background(), req, sc.Name)
		call := goldenCall{}
		if d := resp.Delay.Max; d > 0 {
			m.clock.BlockUntil(1)
			m.clock.Advance(d)
			call.Delay = d.String()
		}
		if resp.Fault == scenarios.FaultHang {
			m.clock.BlockUntil(1)
			m.clock.Advance(server.DefaultHangDuration)
			call.Delay = server.DefaultHangDuration.String()
		}
		r := <-ch
		switch {
		case errors.Is(r.err, syscall.ECONNRESET):
			call.Client = "connection reset by peer (ECONNRESET)"
		case errors.Is(r.err, io.EOF) || errors.Is(r.err, io.ErrUnexpectedEOF):
			call.Client = "EOF: connection closed without a response"
		case r.err != nil:
			t.Fatalf("unexpected client error: %v", r.err)
		default:
			call.Status = r.status
			if json.Valid(r.body) {
				call.Body = r.body
			} else {
				call.Raw = string(r.body)
			}
		}
		g.Calls = append(g.Calls, call)
	}
	b, err := json.Marshal(g)
	require.NoError(t, err)
	var out bytes.Buffer
	require.NoError(t, json.Indent(&out, b, "", "  "))
	out.WriteByte('\n')
	return out.Bytes()
}
