// Package e2e holds the process-level tests of kicc-mock: they build the
// kicc-mock binary, run it as a child process and talk to it over loopback
// (signals, exit codes, kill -9 with --data-dir, a headless browser, the
// 10,000-request load test). The package has tests only; the CLI's own
// tests stay beside main.go, the client/mock contract in contract_test.go.
package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// binDir is where TestMain's temporary directory holds the built binary.
var binDir string

var (
	buildOnce sync.Once
	buildErr  error
)

// raceEnabled is set by race_test.go when the tests are built with -race.
var raceEnabled bool

// TestMain owns the directory the binary is built into, so that it is
// removed after the last test whatever happens.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "kicc-mock-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		os.Exit(1)
	}
	binDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// binary returns the path of the kicc-mock binary, built once per test run.
// It is built on first use rather than up front so that runs selecting no
// process test here (go test -run TestContract ./..., -bench, -fuzz) pay no
// build. It carries the race detector when these tests do, so that
// `go test -race ./...` checks the real process too.
func binary(t testing.TB) string {
	t.Helper()
	bin := filepath.Join(binDir, "kicc-mock")
	buildOnce.Do(func() {
		args := []string{"build", "-o", bin}
		if raceEnabled {
			args = append(args, "-race")
		}
		cmd := exec.Command("go", append(args, "github.com/kicc-mock/kicc-mock")...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go %v: %w\n%s", args, err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return bin
}
