package mocktest_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kicc-mock/kicc-mock/clock"
	"github.com/kicc-mock/kicc-mock/kicc"
	"github.com/kicc-mock/kicc-mock/mocktest"
	"github.com/kicc-mock/kicc-mock/server"
)

var start = time.Date(2026, 11, 25, 17, 54, 24, 0, kicc.KST)

// startMock serves a mock on a fake clock and returns its URL.
func startMock(t *testing.T, cfg server.Config) string {
	t.Helper()
	cfg.Clock = clock.NewFake(start)
	srv, err := server.New(cfg)
	require.NoError(t, err)
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return ts.URL
}

// find sends a find request the way an app would and returns its answer.
func find(t *testing.T, url, body string) kicc.CancelStatusResponse {
	t.Helper()
	resp, err := http.Post(url+kicc.PathFind, "application/json; charset=utf-8", strings.NewReader(body))
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var out kicc.CancelStatusResponse
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
	return out
}

func TestAdminRequestsAndCount(t *testing.T) {
	url := startMock(t, server.Config{})
	admin := mocktest.NewAdmin(url + "/")
	ctx := context.Background()
	find(t, url, `{"mallId":"T0001997","shopTransactionId":"k1","pgCno":"P1"}`)
	find(t, url, `{"mallId":"T0001997","shopTransactionId":"k2","pgCno":"P2","cancelPgCno":"C2","extra":"x"}`)

	all, err := admin.Requests(ctx, mocktest.RequestFilter{})
	require.NoError(t, err)
	require.Len(t, all, 2)
	newest := all[0]
	assert.Equal(t, kicc.PathFind, newest.Path)
	assert.Equal(t, http.MethodPost, newest.Method)
	assert.True(t, newest.Time.Equal(start), "time %s", newest.Time)
	assert.JSONEq(t, `{"mallId":"T0001997","shopTransactionId":"k2","pgCno":"P2","cancelPgCno":"C2","extra":"x"}`, string(newest.Body))
	assert.Equal(t, []string{"extra"}, newest.UnknownFields)
	assert.Equal(t, http.StatusOK, newest.Status)
	assert.Contains(t, string(newest.Response), `"cancelStatus":"TS02"`)
	assert.Empty(t, newest.Scenario)

	byPgCno, err := admin.Requests(ctx, mocktest.RequestFilter{PgCno: "P1", Limit: 5})
	require.NoError(t, err)
	require.Len(t, byPgCno, 1)
	assert.Contains(t, string(byPgCno[0].Body), `"k1"`)

	n, err := admin.Count(ctx, mocktest.CountFilter{Path: kicc.PathFind, Body: map[string]any{"cancelPgCno": "C2"}})
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	n, err = admin.Count(ctx, mocktest.CountFilter{})
	require.NoError(t, err)
	assert.Equal(t, 2, n)

	require.NoError(t, admin.ClearRequests(ctx))
	n, err = admin.Count(ctx, mocktest.CountFilter{})
	require.NoError(t, err)
	assert.Zero(t, n)
}

func TestAdminClock(t *testing.T) {
	url := startMock(t, server.Config{})
	admin := mocktest.NewAdmin(url)
	ctx := context.Background()

	require.NoError(t, admin.SetClock(ctx, time.Date(2026, 11, 25, 23, 59, 59, 0, kicc.KST)))
	got := find(t, url, `{"mallId":"T0001997","shopTransactionId":"k1","pgCno":"P1","cancelPgCno":"C1"}`)
	assert.Equal(t, "20261125235959", got.TransactionDate)

	require.NoError(t, admin.AdvanceClock(ctx, time.Second))
	got = find(t, url, `{"mallId":"T0001997","shopTransactionId":"k1","pgCno":"P1","cancelPgCno":"C1"}`)
	assert.Equal(t, "20261126000000", got.TransactionDate)
	assert.Equal(t, kicc.ResOK, got.ResCd, "a new KST day frees the key")

	require.NoError(t, admin.ResetClock(ctx))
	got = find(t, url, `{"mallId":"T0001997","shopTransactionId":"k2","pgCno":"P1","cancelPgCno":"C1"}`)
	assert.Equal(t, "20261125175424", got.TransactionDate)
}

func TestAdminReset(t *testing.T) {
	url := startMock(t, server.Config{})
	admin := mocktest.NewAdmin(url)
	ctx := context.Background()
	body := `{"mallId":"T0001997","shopTransactionId":"k1","pgCno":"P1"}`
	find(t, url, body)
	require.Equal(t, kicc.ResDuplicate, find(t, url, body).ResCd)

	require.NoError(t, admin.Reset(ctx))
	n, err := admin.Count(ctx, mocktest.CountFilter{})
	require.NoError(t, err)
	assert.Zero(t, n, "the journal is empty")
	assert.Equal(t, kicc.ResOK, find(t, url, body).ResCd, "used keys are forgotten")
}

func TestAdminErrorsCarryStatusAndMessage(t *testing.T) {
	url := startMock(t, server.Config{AdminToken: "tok"})
	ctx := context.Background()

	err := mocktest.NewAdmin(url).Reset(ctx)
	var ae *mocktest.AdminError
	require.True(t, errors.As(err, &ae), "error %v", err)
	assert.Equal(t, http.StatusUnauthorized, ae.Status)
	assert.Contains(t, ae.Message, "Authorization: Bearer <token>")
	assert.Contains(t, err.Error(), "POST /__admin/reset: 401")

	admin := mocktest.NewAdmin(url, mocktest.WithToken("tok"), mocktest.WithHTTPClient(http.DefaultClient))
	require.NoError(t, admin.Reset(ctx))

	_, err = admin.Requests(ctx, mocktest.RequestFilter{Limit: -1})
	require.NoError(t, err, "a negative limit is not sent")

	err = admin.Reset(canceled())
	require.ErrorIs(t, err, context.Canceled)
}

func canceled() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}

// The scenario endpoints are wired with the scenarios package; until then
// these check what the Admin sends, against a recording stand-in.
func TestAdminScenarioCallsSendTheDocumentedRequests(t *testing.T) {
	type seen struct{ method, path, contentType, auth, body string }
	var got []seen
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got = append(got, seen{r.Method, r.URL.Path, r.Header.Get("Content-Type"), r.Header.Get("Authorization"), string(b)})
		if r.URL.Path == "/__admin/default-scenario" {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"status":400,"error":"Bad Request","message":"unknown scenario \"nope\""}`))
			return
		}
		_, _ = w.Write([]byte(`{}`))
	}))
	t.Cleanup(ts.Close)
	admin := mocktest.NewAdmin(ts.URL, mocktest.WithToken("tok"))
	ctx := context.Background()

	yaml := []byte("version: 1\nscenarios:\n  - name: x\n")
	require.NoError(t, admin.AddScenarios(ctx, yaml))
	err := admin.UseScenario(ctx, "find-cancel", "nope")
	var ae *mocktest.AdminError
	require.True(t, errors.As(err, &ae), "error %v", err)
	assert.Equal(t, http.StatusBadRequest, ae.Status)
	assert.Equal(t, `unknown scenario "nope"`, ae.Message)

	require.Len(t, got, 2)
	assert.Equal(t, seen{http.MethodPost, "/__admin/scenarios", "application/yaml", "Bearer tok", string(yaml)}, got[0])
	assert.Equal(t, http.MethodPut, got[1].method)
	assert.Equal(t, "/__admin/default-scenario", got[1].path)
	assert.JSONEq(t, `{"endpoint":"find-cancel","name":"nope"}`, got[1].body)
}

// TestAdminRequestsPagesAndAll: Requests with no limit is every entry, past
// the server's page of 100; RequestsPage follows the cursors.
func TestAdminRequestsPagesAndAll(t *testing.T) {
	url := startMock(t, server.Config{})
	admin := mocktest.NewAdmin(url)
	ctx := context.Background()
	for i := range 130 {
		find(t, url, fmt.Sprintf(`{"mallId":"T0001997","shopTransactionId":"k%d","pgCno":"P1"}`, i))
	}
	all, err := admin.Requests(ctx, mocktest.RequestFilter{})
	require.NoError(t, err)
	assert.Len(t, all, 130)

	seen := 0
	f := mocktest.RequestFilter{Limit: 60}
	for {
		page, next, err := admin.RequestsPage(ctx, f)
		require.NoError(t, err)
		seen += len(page)
		if next == "" {
			break
		}
		f.Cursor = next
	}
	assert.Equal(t, 130, seen)
}
