package trigger_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kicc-mock/kicc-mock/client"
	"github.com/kicc-mock/kicc-mock/clock"
	"github.com/kicc-mock/kicc-mock/kicc"
	"github.com/kicc-mock/kicc-mock/mocktest"
	"github.com/kicc-mock/kicc-mock/trigger"
)

// sent is a webhook request as the receiver saw it.
type sent struct {
	method, ctype, agent string
	body                 []byte
}

// TestSendsWhatTheSandboxSends holds trigger to the sandbox's dispatcher:
// for the same payment at the same time, the same request, byte for byte.
func TestSendsWhatTheSandboxSends(t *testing.T) {
	got := make(chan sent, 4)
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- sent{r.Method, r.Header.Get("Content-Type"), r.Header.Get("User-Agent"), b}
		_, _ = io.WriteString(w, `{"resCd":"0000","resMsg":"정상"}`)
	}))
	t.Cleanup(rcv.Close)
	fake := clock.NewFake(t0)
	mock := mocktest.Start(t, mocktest.WithClock(fake), mocktest.WithClientOptions(client.WithSecretKey("parity-secret")))
	ctx := context.Background()
	created, err := mock.Client.CreatePayment(ctx, client.CreatePaymentRequest{ShopOrderNo: "ORD-PARITY-1", GoodsName: "Sample",
		ReturnURL: "http://127.0.0.1/return", NotifyURL: rcv.URL, TradeType: kicc.TradeTypeNative, Amount: 1200})
	require.NoError(t, err)
	require.NoError(t, mock.Admin.Pay(ctx, created.PgCno))
	fromSandbox := <-got

	body, err := trigger.Body(trigger.Notification{Kind: trigger.Approval, MallID: "T0000001", ShopOrderNo: "ORD-PARITY-1",
		PgCno: created.PgCno, Amount: 1200}, fake.Now())
	require.NoError(t, err)
	_, err = trigger.Send(ctx, trigger.Config{URL: rcv.URL, UserAgent: fromSandbox.agent}, body)
	require.NoError(t, err)
	fromTrigger := <-got
	assert.Equal(t, fromSandbox, fromTrigger, "approval:\n%s\n%s", fromSandbox.body, fromTrigger.body)

	cancelled, err := mock.Client.CancelPayment(ctx, client.CancelPaymentRequest{PgCno: created.PgCno, Amount: 700, NotifyURL: rcv.URL})
	require.NoError(t, err)
	require.NoError(t, mock.Admin.CompleteCancel(ctx, cancelled.CancelPgCno))
	fromSandbox = <-got
	body, err = trigger.Body(trigger.Notification{Kind: trigger.Cancel, MallID: "T0000001", ShopOrderNo: "ORD-PARITY-1",
		PgCno: created.PgCno, CancelPgCno: cancelled.CancelPgCno, Amount: 700}, fake.Now())
	require.NoError(t, err)
	_, err = trigger.Send(ctx, trigger.Config{URL: rcv.URL, UserAgent: fromSandbox.agent}, body)
	require.NoError(t, err)
	fromTrigger = <-got
	assert.Equal(t, fromSandbox, fromTrigger, "cancel:\n%s\n%s", fromSandbox.body, fromTrigger.body)
}
