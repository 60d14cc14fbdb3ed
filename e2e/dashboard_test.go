package e2e

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"image/png"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kicc-mock/kicc-mock/client"
	"github.com/kicc-mock/kicc-mock/kicc"
)

var updateScreenshot = flag.Bool("update", false, "write the dashboard's screenshot to docs/dashboard.png")

// TestBrowserDrivesTheDashboard opens the dashboard in headless Chromium,
// through the DevTools protocol, on a mock with an admin token: the page
// is opened once with ?token=, then everything runs on its cookie. A find
// sent through the API appears on the page without a reload (the event
// stream); the default scenario of find-payment is switched by clicking
// the page's form, and the next find answers as the new default says.
func TestBrowserDrivesTheDashboard(t *testing.T) {
	bin := chromiumPath(t)
	const token = "dash-token"
	// Cancels complete only when told to: the page's Complete button.
	_, url, _ := startProcess(t, "--admin-token", token, "--cancel-complete-after", "0", "--secret-key", "dash-secret")
	resp, err := http.Get(url + "/__admin/ui")
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusUnauthorized, resp.StatusCode, "the page needs the token")

	b := startBrowser(t, bin)
	b.navigate(url + "/__admin/ui?token=" + token)
	var where string
	b.eval(`location.pathname + location.search`, &where)
	assert.Equal(t, "/__admin/ui", where, "the token left the address bar")
	b.waitFor(`document.querySelector('#live').dataset.live === 'on'`, "the event stream")
	b.waitFor(`document.querySelector('form.default[data-endpoint="find-payment"] .current').dataset.current === 'payment-approved'`,
		"the scenarios and defaults")
	b.eval(`window.notReloaded = true`, nil)

	c := client.New(url, "T0000001", client.WithSecretKey("dash-secret"))
	st, err := c.FindPayment(ctx(t), client.FindPaymentRequest{PgCno: "P-DASH-0001"})
	require.NoError(t, err)
	assert.Equal(t, kicc.StatusApproved, st.StatusCd)
	b.waitFor(`[...document.querySelectorAll('details.request')].some(d => d.textContent.includes('P-DASH-0001'))`,
		"the find on the page")

	// Pick payment-void for find-payment and press Set.
	b.eval(`(() => { const s = document.querySelector('form.default[data-endpoint="find-payment"] select');
  s.value = 'payment-void'; s.dispatchEvent(new Event('change', {bubbles: true})); })()`, nil)
	b.click(`form.default[data-endpoint="find-payment"] button[type="submit"]`)
	b.waitFor(`document.querySelector('form.default[data-endpoint="find-payment"] .current').dataset.current === 'payment-void'`,
		"the new default on the page")

	st, err = c.FindPayment(ctx(t), client.FindPaymentRequest{PgCno: "P-DASH-0002"})
	require.NoError(t, err)
	assert.Equal(t, kicc.StatusVoided, st.StatusCd, "the default the page set answers")
	b.waitFor(`document.querySelectorAll('details.request').length === 2 &&
  document.querySelector('details.request').dataset.scenario === 'payment-void'`, "the second find, newest first")

	// Open the newest entry: its request, answer, headers and lint.
	b.click(`details.request summary`)
	b.waitFor(`document.querySelector('details.request').open`, "the entry open")
	var detail string
	b.eval(`document.querySelector('details.request .detail').innerText`, &detail)
	assert.Contains(t, detail, "P-DASH-0002")
	assert.Contains(t, detail, `"statusCd": "TS12"`)
	assert.Contains(t, detail, "Content-Type")

	// The filters narrow the list on the page.
	b.eval(`(() => { const i = document.querySelector('#filters input[name="pgCno"]'); i.value = 'P-DASH-0001';
  i.dispatchEvent(new Event('input', {bubbles: true})); })()`, nil)
	b.waitFor(`document.querySelectorAll('details.request').length === 1`, "the pgCno filter")
	b.click(`#filters button[type="reset"]`)
	b.waitFor(`document.querySelectorAll('details.request').length === 2`, "the filters cleared")

	// A scenario file with a mistake: its file:line errors beside the text;
	// then a good one, listed as runtime.
	b.eval(`document.querySelector('#add-scenario textarea').value = "version: 1\nscenarios:\n  - name: too-slow\n    responses: [{delay: 40s}]\n"`, nil)
	b.click(`#add-scenario button[type="submit"]`)
	b.waitFor(`/request:\d+:/.test(document.querySelector('#scenario-errors').textContent)`, "the file's errors")
	b.eval(`document.querySelector('#add-scenario textarea').value = "version: 1\nscenarios:\n  - name: dash-partial\n    endpoint: find-payment\n    responses:\n      - body: {statusCd: TS06}\n"`, nil)
	b.click(`#add-scenario button[type="submit"]`)
	b.waitFor(`document.querySelector('#scenarios tr[data-name="dash-partial"]') !== null &&
  document.querySelector('#scenario-errors').children.length === 0`, "the runtime scenario listed")

	// The sandbox: a payment created through the API appears, Pay on the page
	// approves it and its webhook arrives; Resend sends the webhook again.
	sink := newWebhookSink(t)
	created, err := c.CreatePayment(ctx(t), client.CreatePaymentRequest{
		ShopOrderNo: "ORD-DASH-1", GoodsName: "Dashboard Test", ReturnURL: "http://127.0.0.1/return",
		TradeType: kicc.TradeTypeMweb, NotifyURL: sink.url, Amount: 4200,
	})
	require.NoError(t, err)
	row := `#transactions tr[data-pgcno="` + created.PgCno + `"]`
	b.waitFor(`document.querySelector('`+row+`')?.dataset.state === 'created'`, "the new payment on the page")
	b.click(row + ` button.pay`)
	b.waitFor(`document.querySelector('`+row+`')?.dataset.state === 'paid'`, "the payment paid from the page")
	n := sink.next(t)
	require.NotNil(t, n.Approval)
	assert.Equal(t, created.PgCno, n.Approval.PgCno)
	b.click(`#refresh-sandbox`)
	b.waitFor(`document.querySelector('#webhooks tr[data-outcome="delivered"] button.resend') !== null`, "the delivered webhook")
	b.click(`#webhooks tr[data-outcome="delivered"] button.resend`)
	n = sink.next(t)
	require.NotNil(t, n.Approval, "the webhook sent again from the page")
	assert.Equal(t, created.PgCno, n.Approval.PgCno)
	st, err = c.FindPayment(ctx(t), client.FindPaymentRequest{PgCno: created.PgCno})
	require.NoError(t, err)
	assert.Equal(t, kicc.StatusApproved, st.StatusCd, "the sandbox's state answers its own payments")
	b.waitFor(`document.querySelectorAll('#webhooks tbody tr').length === 2`, "both sends listed")

	// A cancel waits until Complete is pressed on the page; then its webhook.
	cn, err := c.CancelPayment(ctx(t), client.CancelPaymentRequest{PgCno: created.PgCno, Amount: 1000, NotifyURL: sink.url})
	require.NoError(t, err)
	require.NotEmpty(t, cn.CancelPgCno)
	complete := row + ` button.complete`
	b.waitFor(`document.querySelector('`+complete+`') !== null`, "the pending cancel's Complete button")
	b.click(complete)
	b.waitFor(`document.querySelector('`+row+`').textContent.includes('completed')`, "the cancel completed from the page")
	n = sink.next(t)
	require.NotNil(t, n.Cancel, "the cancellation webhook")
	assert.Equal(t, cn.CancelPgCno, n.Cancel.CancelPgCno)

	// The clock: advance it from the page, then back to real time.
	b.eval(`document.querySelector('#clock-advance input[name="advance"]').value = '90m'`, nil)
	b.click(`#clock-advance button[type="submit"]`)
	b.waitFor(`document.querySelector('#clock-now').dataset.adjusted === 'true'`, "the clock moved")
	assert.True(t, adminClock(t, url, token).Adjusted, "the mock's clock moved")
	b.click(`#clock-real`)
	b.waitFor(`document.querySelector('#clock-now').dataset.adjusted === 'false'`, "the clock on real time")
	assert.False(t, adminClock(t, url, token).Adjusted)

	log := b.log()
	assert.NotContains(t, log, "Content Security Policy", "the page runs within its policy")
	assert.NotContains(t, log, "Runtime.exceptionThrown", "the page's script threw")

	var reloaded bool
	b.eval(`window.notReloaded !== true`, &reloaded)
	assert.False(t, reloaded, "the page was never reloaded")

	b.eval(`window.scrollTo(0, 0); document.querySelectorAll('section').forEach(s => { s.scrollLeft = 0; })`, nil)
	shot := b.screenshot()
	img, err := png.Decode(bytes.NewReader(shot))
	require.NoError(t, err)
	assert.Equal(t, 1440, img.Bounds().Dx())
	if *updateScreenshot {
		require.NoError(t, os.WriteFile(filepath.Join("..", "docs", "dashboard.png"), shot, 0o644))
		t.Log("wrote docs/dashboard.png")
	}

	// Reset: the journal empties on the page (the stream's refetch), the
	// default is the built-in one again.
	b.click(`#reset`)
	b.waitFor(`document.querySelectorAll('details.request').length === 0 &&
  document.querySelector('form.default[data-endpoint="find-payment"] .current').dataset.current === 'payment-approved'`,
		"the mock reset from the page")
	st, err = c.FindPayment(ctx(t), client.FindPaymentRequest{PgCno: "P-DASH-0003"})
	require.NoError(t, err)
	assert.Equal(t, kicc.StatusApproved, st.StatusCd, "the built-in default after the reset")
}

// adminClock reads GET /__admin/clock.
func adminClock(t *testing.T, url, token string) (v struct{ Adjusted bool }) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url+"/__admin/clock", nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&v))
	return v
}

// TestEventStreamDoesNotHoldUpShutdown: SIGTERM with a dashboard's event
// stream open ends the stream ("bye") and the process exits 0, rather
// than waiting for the page until the shutdown timeout.
func TestEventStreamDoesNotHoldUpShutdown(t *testing.T) {
	cmd, url, log := startProcess(t)
	resp, err := http.Get(url + "/__admin/events")
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	r := bufio.NewReader(resp.Body)
	line, err := r.ReadString('\n')
	require.NoError(t, err)
	assert.Equal(t, "retry: 2000\n", line)

	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	rest, _ := io.ReadAll(r) // ends when the server closes the stream
	assert.Contains(t, string(rest), "event: bye")
	require.NoError(t, cmd.Wait(), "exit status 0 after a graceful shutdown:\n%s", log)
	assert.NotContains(t, log.String(), "shutdown timeout")
}
