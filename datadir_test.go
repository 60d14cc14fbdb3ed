package main

import (
	"bytes"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kicc-mock/kicc-mock/store"
)

// --data-dir in trouble: a damaged or locked database fails the start with
// one line that names the file, what is wrong and what to do. The process
// tests of a full disk and of --data-dir-recover are in e2e/.

// writeDB writes a database of a few thousand keys into dir and returns
// its file.
func writeDB(t *testing.T, dir string) string {
	t.Helper()
	p, err := store.Open(dir)
	require.NoError(t, err)
	l, err := p.Ledger(0, time.Now())
	require.NoError(t, err)
	for i := range 2000 {
		_, err := l.Claim(time.Now(), "T0000001", "4CC44FEA352B461890F6E465C5"+strconv.Itoa(i), 0)
		require.NoError(t, err)
	}
	require.NoError(t, p.Close())
	return filepath.Join(dir, store.DBFile)
}

// startFails runs serve on dir and returns its exit code and stderr. The
// address cannot be listened on: a database that opened after all fails
// the test with more lines instead of serving forever.
func startFails(t *testing.T, dir string, flags ...string) (int, string) {
	t.Helper()
	var stderr bytes.Buffer
	code := run(append([]string{"serve", "--addr", "256.0.0.1:1", "--data-dir", dir}, flags...), &bytes.Buffer{}, &stderr)
	return code, stderr.String()
}

func requireOneLine(t *testing.T, code int, stderr string, want ...string) {
	t.Helper()
	assert.Equal(t, 1, code)
	assert.Equal(t, 1, strings.Count(stderr, "\n"), "one line:\n%s", stderr)
	assert.NotContains(t, stderr, "goroutine")
	assert.NotContains(t, stderr, "panic")
	for _, w := range want {
		assert.Contains(t, stderr, w)
	}
}

func TestDamagedDataDirFailsWithOneLine(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 3))
	cases := map[string]func(t *testing.T, path string){
		"truncated": func(t *testing.T, path string) {
			info, err := os.Stat(path)
			require.NoError(t, err)
			require.NoError(t, os.Truncate(path, info.Size()/2))
		},
		"random bytes over pages": func(t *testing.T, path string) {
			f, err := os.OpenFile(path, os.O_RDWR, 0)
			require.NoError(t, err)
			defer f.Close()
			noise := make([]byte, 4096)
			for _, pg := range []int64{2, 3, 4, 5, 6, 7, 8, 9} {
				for i := range noise {
					noise[i] = byte(r.Uint32())
				}
				_, err := f.WriteAt(noise, pg*4096)
				require.NoError(t, err)
			}
		},
		"0 bytes": func(t *testing.T, path string) { require.NoError(t, os.Truncate(path, 0)) },
		"a text file": func(t *testing.T, path string) {
			require.NoError(t, os.WriteFile(path, []byte("not a database\n"), 0o600))
		},
	}
	for name, damage := range cases {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			path := writeDB(t, dir)
			damage(t, path)
			code, stderr := startFails(t, dir)
			requireOneLine(t, code, stderr, "kicc-mock: --data-dir: "+path+" is ", "move it aside", "--data-dir-recover")
			t.Logf("%s: %s", name, strings.TrimSpace(stderr))
		})
	}
}

func TestLockedDataDirSaysSo(t *testing.T) {
	dir := t.TempDir()
	p, err := store.Open(dir)
	require.NoError(t, err)
	defer p.Close()
	code, stderr := startFails(t, dir)
	requireOneLine(t, code, stderr, filepath.Join(dir, store.DBFile)+" is locked by another process", "use another --data-dir")
	t.Logf("locked: %s", strings.TrimSpace(stderr))
}
