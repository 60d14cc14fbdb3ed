package e2e

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kicc-mock/kicc-mock/store"
)

// --data-dir in trouble, as a process: a damaged database moved aside with
// --data-dir-recover, and a full disk that refuses a key without using it.

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

func TestDataDirRecoverMovesTheDamagedFileAside(t *testing.T) {
	dir := t.TempDir()
	path := writeDB(t, dir)
	require.NoError(t, os.Truncate(path, 6000))
	_, url, log := startProcess(t, "--data-dir", dir, "--data-dir-recover")
	moved, err := filepath.Glob(path + ".damaged-*")
	require.NoError(t, err)
	require.Len(t, moved, 1)
	info, err := os.Stat(moved[0])
	require.NoError(t, err)
	assert.Equal(t, int64(6000), info.Size(), "the damaged file is kept as it was")
	assert.Contains(t, log.String(), "moved it aside and started empty")
	assert.Contains(t, log.String(), moved[0])
	st, m, err := findOnce(http.DefaultClient, url, paymentBody("4CC44FEA352B461890F6E465C51"), "")
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, st)
	assert.Equal(t, "0000", m["resCd"], "it started empty")
}

// startLimited is startProcess with the file size limit (RLIMIT_FSIZE) at
// blocks of 512 bytes: past it a write fails (EFBIG) the way one on a full
// disk fails (ENOSPC). POSIX sh sets it, so the test needs no privileges.
func startLimited(t *testing.T, blocks int, args ...string) (*exec.Cmd, string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	script := fmt.Sprintf(`ulimit -f %d && exec "$0" "$@"`, blocks)
	cmd := exec.Command("/bin/sh", append([]string{"-c", script, binary(t), "serve", "--addr", addr}, args...)...)
	stderr, err := cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	serving := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if strings.Contains(sc.Text(), "kicc-mock serving") {
				close(serving)
			}
		}
	}()
	select {
	case <-serving:
	case <-time.After(30 * time.Second): // a safety net for a broken build, not a timing assertion
		t.Fatal("kicc-mock did not start")
	}
	return cmd, "http://" + addr
}

// TestProcessFullDiskTellsOneStoryPerKey: with a file size limit the
// database soon cannot grow. The first key refused for it (9999) is not
// used: its retry is never a duplicate, and after a restart without the
// limit the key is what its last answer said — free after a 9999, used
// after a 0000. Keys answered 0000 before are duplicates after the
// restart. In replay mode the answer's write can fail too.
func TestProcessFullDiskTellsOneStoryPerKey(t *testing.T) {
	for _, mode := range []string{"kicc", "replay"} {
		t.Run(mode, func(t *testing.T) {
			dir := t.TempDir()
			cmd, url := startLimited(t, 128, "--data-dir", dir, "--idempotency", mode) // 64 KiB
			client := &http.Client{Timeout: 5 * time.Second}
			var used []string
			refusedKey, refusal := "", ""
			for i := 0; i < 20000 && refusedKey == ""; i++ {
				key := "full-" + strconv.Itoa(i)
				_, m, err := findOnce(client, url, paymentBody(key), "")
				require.NoError(t, err)
				switch m["resCd"] {
				case "0000":
					used = append(used, key)
				case "9999":
					refusedKey, refusal = key, m["resMsg"].(string)
				default:
					t.Fatalf("key %s: %v", key, m)
				}
			}
			require.NotEmpty(t, refusedKey, "the file size limit was never reached")
			t.Logf("%d keys recorded, then %s: %s", len(used), refusedKey, refusal)
			require.Contains(t, refusal, "could not be recorded")
			stays := strings.Contains(refusal, "stays used")

			_, lastAnswer, err := findOnce(client, url, paymentBody(refusedKey), "")
			require.NoError(t, err)
			last := lastAnswer["resCd"]
			if stays {
				assert.Equal(t, "1010", last, "a key the refusal says stays used is a duplicate")
			} else {
				assert.NotEqual(t, "1010", last, "a key refused as not recorded is not used: %v", lastAnswer)
			}
			require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
			_ = cmd.Wait()

			_, url, _ = startProcess(t, "--data-dir", dir, "--idempotency", mode)
			_, m, err := findOnce(client, url, paymentBody(refusedKey), "")
			require.NoError(t, err)
			switch {
			case last == "9999":
				assert.Equal(t, "0000", m["resCd"], "free after a restart, as in the process before it")
			case last == "0000" && mode == "replay":
				assert.Equal(t, lastAnswer, m, "its answer replayed after a restart, as in the process before it")
			default:
				assert.Equal(t, "1010", m["resCd"], "used after a restart, as in the process before it")
			}
			t.Logf("%s: retried in the same process: %v; after a restart: %v", refusedKey, last, m["resCd"])
			_, m, err = findOnce(client, url, paymentBody(used[len(used)-1]), "")
			require.NoError(t, err)
			want := "1010"
			if mode == "replay" {
				want = "0000" // the first answer, replayed
			}
			assert.Equal(t, want, m["resCd"], "a key recorded before the limit is still used")
		})
	}
}
