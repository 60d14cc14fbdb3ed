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
)

// startProcess runs kicc-mock as a child process on a free port and returns
// its base URL once it logs that it is serving.
func startProcess(t *testing.T, args ...string) (*exec.Cmd, string, *bytes.Buffer) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())

	cmd := exec.Command(binary(t), append([]string{"serve", "--addr", addr}, args...)...)
	stderr, err := cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })

	var log bytes.Buffer
	sc := bufio.NewScanner(stderr)
	serving := make(chan struct{})
	go func() {
		for sc.Scan() {
			line := sc.Text()
			log.WriteString(line + "\n")
			if strings.Contains(line, "kicc-mock serving") {
				close(serving)
			}
		}
	}()
	select {
	case <-serving:
	case <-time.After(30 * time.Second): // a safety net for a broken build, not a timing assertion
		t.Fatalf("kicc-mock did not start:\n%s", log.String())
	}
	return cmd, "http://" + addr, &log
}

func TestProcessServesAndExitsZeroOnSIGTERM(t *testing.T) {
	cmd, url, _ := startProcess(t)
	resp, err := http.Get(url + "/__admin/health")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)

	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	err = cmd.Wait()
	assert.NoError(t, err, "exit status 0 after a graceful shutdown")
	_, err = http.Get(url + "/__admin/health")
	assert.Error(t, err, "new connections are refused after shutdown")
}
