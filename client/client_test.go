package client_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kicc-mock/kicc-mock/client"
	"github.com/kicc-mock/kicc-mock/kicc"
)

// kiccStub answers every request with status and body, and records the
// requests it saw.
func kiccStub(t *testing.T, status int, body string) (*httptest.Server, *[]map[string]string) {
	var seen []map[string]string
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		data, _ := io.ReadAll(r.Body)
		var m map[string]string
		_ = json.Unmarshal(data, &m)
		m["@contentType"] = r.Header.Get("Content-Type")
		m["@path"] = r.URL.Path
		seen = append(seen, m)
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}))
	t.Cleanup(ts.Close)
	return ts, &seen
}

func TestFreshKeyPerCallUnlessGiven(t *testing.T) {
	ts, seen := kiccStub(t, 200, `{"resCd":"0000","resMsg":"정상처리","shopTransactionId":"x","statusCd":"TS01"}`)
	c := client.New(ts.URL, "T0000001")
	for i := 0; i < 2; i++ {
		_, err := c.FindPayment(context.Background(), client.FindPaymentRequest{PgCno: "1"})
		require.NoError(t, err)
	}
	_, err := c.FindPayment(context.Background(), client.FindPaymentRequest{PgCno: "1", ShopTransactionID: "mine"})
	require.NoError(t, err)
	require.Len(t, *seen, 3)
	k0, k1 := (*seen)[0]["shopTransactionId"], (*seen)[1]["shopTransactionId"]
	assert.Regexp(t, `^[0-9A-F]{32}$`, k0)
	assert.NotEqual(t, k0, k1)
	assert.Equal(t, "mine", (*seen)[2]["shopTransactionId"])
	assert.Equal(t, "application/json; charset=utf-8", (*seen)[0]["@contentType"])
	assert.Equal(t, kicc.PathFind, (*seen)[0]["@path"])
	assert.Equal(t, "T0000001", (*seen)[0]["mallId"])
	_, hasCancel := (*seen)[0]["cancelPgCno"]
	assert.False(t, hasCancel, "a payment inquiry sends no cancelPgCno")
}

func TestKICCErrorsAreTyped(t *testing.T) {
	ts, _ := kiccStub(t, 200, `{"resCd":"2001","resMsg":"위챗페이 오류","shopTransactionId":"x","resDetailMsg":"SYSTEMERROR%3A+%EC%9E%A0%EC%8B%9C+%ED%9B%84"}`)
	_, err := client.New(ts.URL, "T0000001").FindCancellation(context.Background(), client.FindCancellationRequest{PgCno: "1", CancelPgCno: "2"})
	var ke *client.Error
	require.ErrorAs(t, err, &ke)
	assert.Equal(t, "2001", ke.ResCd)
	assert.Equal(t, "위챗페이 오류", ke.ResMsg)
	assert.Equal(t, "SYSTEMERROR: 잠시 후", ke.ResDetailMsg, "URL-decoded")
	assert.False(t, errors.Is(err, client.ErrDuplicate))

	ts, _ = kiccStub(t, 200, `{"resCd":"1010","resMsg":"중복 요청 (shopTransactionId)","shopTransactionId":"x"}`)
	_, err = client.New(ts.URL, "T0000001").FindPayment(context.Background(), client.FindPaymentRequest{PgCno: "1"})
	assert.ErrorIs(t, err, client.ErrDuplicate)
	assert.Contains(t, err.Error(), "1010")
}

func TestNon200IsHTTPError(t *testing.T) {
	ts, _ := kiccStub(t, 503, `<html>maintenance</html>`)
	_, err := client.New(ts.URL, "T0000001").FindPayment(context.Background(), client.FindPaymentRequest{PgCno: "1"})
	var he *client.HTTPError
	require.ErrorAs(t, err, &he)
	assert.Equal(t, 503, he.StatusCode)
	assert.True(t, he.Temporary())
	assert.Contains(t, he.Body, "maintenance")
}

func TestAnswersThatAreNotKICCJSON(t *testing.T) {
	for _, body := range []string{`{"resCd":`, `{}`, `[]`} {
		ts, _ := kiccStub(t, 200, body)
		_, err := client.New(ts.URL, "T0000001").FindPayment(context.Background(), client.FindPaymentRequest{PgCno: "1"})
		assert.Error(t, err, body)
		var ke *client.Error
		assert.False(t, errors.As(err, &ke), "not a KICC error: %s", body)
	}
}

func TestContextCancellationIsHonoured(t *testing.T) {
	release := make(chan struct{})
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(func() { close(release); ts.Close() })
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() {
		_, err := client.New(ts.URL, "T0000001").FindPayment(ctx, client.FindPaymentRequest{PgCno: "1"})
		done <- err
	}()
	cancel()
	select {
	case err := <-done:
		assert.ErrorIs(t, err, context.Canceled)
	case <-time.After(10 * time.Second): // a safety net, not a timing assertion
		t.Fatal("the call ignored its context")
	}
}

func TestFindCancellationNeedsCancelPgCno(t *testing.T) {
	_, err := client.New("http://127.0.0.1:1", "T0000001").FindCancellation(context.Background(), client.FindCancellationRequest{PgCno: "1"})
	assert.ErrorContains(t, err, "CancelPgCno")
}

func TestDefaultTimeoutIsTheSpecs(t *testing.T) {
	assert.Equal(t, 30*time.Second, client.DefaultTimeout)
	assert.Equal(t, "https://testpgapi.easypay.co.kr", client.SandboxURL)
	assert.Equal(t, "https://pgapi.easypay.co.kr", client.ProductionURL)
}
