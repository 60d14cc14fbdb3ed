package e2e

import (
	"context"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kicc-mock/kicc-mock/client"
	"github.com/kicc-mock/kicc-mock/kicc"
)

// chromiumPath is Debian's chromium; CHROMIUM overrides it.
func chromiumPath(t *testing.T) string {
	p := os.Getenv("CHROMIUM")
	if p == "" {
		p = "/usr/bin/chromium"
	}
	if _, err := os.Stat(p); err != nil {
		t.Skipf("headless browser test needs chromium at %s (apt-get install chromium, or set CHROMIUM); .ci/run installs it", p)
	}
	return p
}

// webhookSink is a merchant's notifyUrl on loopback, built with the client's
// WebhookHandler.
type webhookSink struct {
	url string
	ch  chan client.Notification
}

func newWebhookSink(t *testing.T) *webhookSink {
	s := &webhookSink{ch: make(chan client.Notification, 32)}
	hs := httptest.NewServer(client.WebhookHandler(func(_ context.Context, n client.Notification) error {
		s.ch <- n
		return nil
	}))
	t.Cleanup(hs.Close)
	s.url = hs.URL + "/kicc/notify"
	return s
}

func (s *webhookSink) next(t *testing.T) client.Notification {
	t.Helper()
	select {
	case n := <-s.ch:
		return n
	case <-time.After(10 * time.Second):
		t.Fatal("no webhook within 10 s")
	}
	return client.Notification{}
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

// TestBrowserPressesPay drives the payment page in headless Chromium: the
// page, loaded with ?press=pay, presses its Pay button; the form posts to
// the mock, which approves the payment. Then find answers TS01 and the
// approval webhook has arrived. The mock is the kicc-mock binary; everything
// stays on 127.0.0.1.
func TestBrowserPressesPay(t *testing.T) {
	bin := chromiumPath(t)
	_, url, _ := startProcess(t)
	c := client.New(url, "T0000001")
	sink := newWebhookSink(t)
	created, err := c.CreatePayment(ctx(t), client.CreatePaymentRequest{
		ShopOrderNo: "ORD-" + client.NewTransactionID()[:12], GoodsName: "Browser Test", ReturnURL: "http://127.0.0.1/return",
		TradeType: kicc.TradeTypeMweb, NotifyURL: sink.url, Amount: 4200,
	})
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(created.PaymentPageURL, "http://127.0.0.1:"), created.PaymentPageURL)

	bctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(bctx, bin,
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--disable-default-apps", "--disable-extensions", "--no-first-run", "--no-default-browser-check",
		"--user-data-dir="+t.TempDir(), "--virtual-time-budget=10000", "--dump-dom",
		created.PaymentPageURL+"?press=pay")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	dom, err := cmd.Output()
	require.NoError(t, err, "chromium: %s", stderr.String())
	require.Contains(t, string(dom), `data-result="paid"`, "the page after pressing Pay:\n%s", dom)
	assert.Contains(t, string(dom), `data-state="paid"`)

	n := sink.next(t)
	require.NotNil(t, n.Approval, "the approval webhook arrived")
	assert.Equal(t, created.PgCno, n.Approval.PgCno)
	st, err := c.FindPayment(ctx(t), client.FindPaymentRequest{PgCno: created.PgCno})
	require.NoError(t, err)
	assert.Equal(t, kicc.StatusApproved, st.StatusCd)
	assert.Equal(t, int64(4200), st.AmountInfo.Amount)
}
