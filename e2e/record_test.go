package e2e

import (
	"bufio"
	"bytes"
	"net"
	"net/http"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kicc-mock/kicc-mock/kicc"
	"github.com/kicc-mock/kicc-mock/mocktest"
	"github.com/kicc-mock/kicc-mock/scenarios"
)

// TestProcessRecordWritesAndExitsZeroOnSIGTERM runs kicc-mock record in
// front of an in-process mock: a call through it is answered and written,
// and SIGTERM ends it with exit 0. The upstream's password is in no log.
func TestProcessRecordWritesAndExitsZeroOnSIGTERM(t *testing.T) {
	up := mocktest.Start(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	dir := t.TempDir()

	upstream := strings.Replace(up.URL, "http://", "http://merchant:hunter2@", 1)
	cmd := exec.Command(binary(t), "record", "--upstream", upstream, "--out", dir, "--addr", addr)
	stderr, err := cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	var log bytes.Buffer
	serving, ended := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(ended)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			log.WriteString(sc.Text() + "\n")
			if strings.Contains(sc.Text(), "kicc-mock serving") {
				close(serving)
			}
		}
	}()
	select {
	case <-serving:
	case <-time.After(30 * time.Second): // a safety net for a broken build, not a timing assertion
		t.Fatal("kicc-mock record did not start")
	}

	resp, err := http.Post("http://"+addr+kicc.PathFind, "application/json; charset=utf-8",
		strings.NewReader(`{"mallId":"T0000001","shopTransactionId":"E2E-1","pgCno":"23110811420910846419"}`))
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)

	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	<-ended
	assert.NoError(t, cmd.Wait(), "exit 0 after SIGTERM\n%s", log.String())
	files, err := scenarios.DirFiles(dir)
	require.NoError(t, err)
	assert.Len(t, files, 1)
	_, err = scenarios.LoadPaths([]string{dir}, scenarios.Options{})
	assert.NoError(t, err)
	assert.Contains(t, log.String(), "files=1")
	assert.NotContains(t, log.String(), "hunter2")
}
