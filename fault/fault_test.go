package fault_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kicc-mock/kicc-mock/clock"
	"github.com/kicc-mock/kicc-mock/fault"
)

const answer = `{"resCd":"0000","resMsg":"ok","pgCno":"25010112000010123456"}`

// serve answers every request with the fault name built from params.
func serve(t *testing.T, name string, params fault.Params, env fault.Env) *httptest.Server {
	t.Helper()
	k, ok := fault.Lookup(name)
	require.True(t, ok, name)
	f, err := k.Build(params)
	require.NoError(t, err)
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e := env
		e.Context, e.Answer = r.Context(), []byte(answer)
		if e.Clock == nil {
			e.Clock = clock.Real{}
		}
		_ = f.Apply(w, http.NewResponseController(w), &e)
	}))
	t.Cleanup(hs.Close)
	return hs
}

func get(hs *httptest.Server) (*http.Response, []byte, error) {
	c := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 10 * time.Second}
	resp, err := c.Get(hs.URL)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp, b, err
}

func TestResetIsConnectionResetByPeer(t *testing.T) {
	_, _, err := get(serve(t, "reset", nil, fault.Env{}))
	require.Error(t, err)
	assert.True(t, errors.Is(err, syscall.ECONNRESET) || strings.Contains(err.Error(), "reset"), "%v", err)
}

func TestResetAfterBytesSendsPartOfTheAnswerFirst(t *testing.T) {
	// The status line and headers (123 bytes) and 17 bytes of the body arrive; then the reset.
	hs := serve(t, "reset", fault.Params{"afterBytes": int64(140)}, fault.Env{})
	resp, body, err := get(hs)
	require.NotNil(t, resp, "the status line and headers arrived: %v", err)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	require.Error(t, err, "the body was cut by a reset")
	assert.True(t, strings.HasPrefix(answer, string(body)), "%q is a prefix of the answer", body)
	assert.Less(t, len(body), len(answer))
}

func TestEmptyIsEOF(t *testing.T) {
	_, _, err := get(serve(t, "empty", nil, fault.Env{}))
	require.Error(t, err)
	assert.True(t, errors.Is(err, io.EOF) || strings.Contains(err.Error(), "EOF"), "%v", err)
}

func TestMalformedSendsAPrefixOfTheAnswer(t *testing.T) {
	resp, body, err := get(serve(t, "malformed", nil, fault.Env{}))
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "application/json; charset=utf-8", resp.Header.Get("Content-Type"))
	assert.Equal(t, answer[:len(answer)/2], string(body))

	_, body, err = get(serve(t, "malformed", fault.Params{"keepBytes": int64(5)}, fault.Env{}))
	require.NoError(t, err)
	assert.Equal(t, answer[:5], string(body))

	_, body, err = get(serve(t, "malformed", fault.Params{"keepBytes": int64(1 << 20)}, fault.Env{}))
	require.NoError(t, err)
	assert.Equal(t, answer[:len(answer)-1], string(body), "never the whole answer")
}

func TestHangHoldsTheConnectionOnTheServersClock(t *testing.T) {
	fake := clock.NewFake(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC))
	hs := serve(t, "hang", fault.Params{"for": 5 * time.Second}, fault.Env{Clock: fake, Hang: time.Hour})
	done := make(chan error, 1)
	go func() { _, _, err := get(hs); done <- err }()
	fake.BlockUntil(1) // the hang waits on the fake clock
	select {
	case err := <-done:
		t.Fatalf("answered before the clock moved: %v", err)
	default:
	}
	fake.Advance(5 * time.Second)
	err := <-done
	require.Error(t, err, "closed without an answer")
}

func TestHangEndsWhenTheClientLeaves(t *testing.T) {
	left := make(chan struct{})
	fake := clock.NewFake(time.Now())
	hs := serve(t, "hang", nil, fault.Env{Clock: fake, Hang: time.Hour, ClientLeft: func() { close(left) }})
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, hs.URL, nil)
	go func() {
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
		}
	}()
	fake.BlockUntil(1)
	cancel()
	<-left
}

func TestStoppingEndsAHang(t *testing.T) {
	stop := make(chan struct{})
	fake := clock.NewFake(time.Now())
	hs := serve(t, "hang", nil, fault.Env{Clock: fake, Hang: time.Hour, Stopping: stop})
	done := make(chan error, 1)
	go func() { _, _, err := get(hs); done <- err }()
	fake.BlockUntil(1)
	close(stop)
	require.Error(t, <-done)
}

func TestBuildChecksParameters(t *testing.T) {
	hang, _ := fault.Lookup("hang")
	_, err := hang.Build(fault.Params{"for": 20 * time.Minute})
	assert.ErrorContains(t, err, "for must be from 1ms to 10m0s")
	_, err = hang.Build(fault.Params{"afterBytes": int64(1)})
	assert.ErrorContains(t, err, `fault hang takes no parameter "afterBytes"; it takes for`)
	_, err = hang.Build(fault.Params{"for": int64(3)})
	assert.ErrorContains(t, err, "for is a duration")
	empty, _ := fault.Lookup("empty")
	_, err = empty.Build(fault.Params{"x": int64(1)})
	assert.ErrorContains(t, err, "it takes none")
}

func TestRegistry(t *testing.T) {
	assert.Equal(t, []string{"empty", "hang", "malformed", "reset"}, fault.Names())
	for _, k := range fault.Kinds() {
		assert.NotEmpty(t, k.Doc, k.Name)
		assert.Contains(t, fault.Table(), "| `"+k.Name+"` |")
	}
	reset, _ := fault.Lookup("reset")
	assert.False(t, reset.ReachedKICC, "a gateway's reset never reached KICC")
	assert.Panics(t, func() { fault.Register(fault.Kind{Name: "reset"}) })
}
