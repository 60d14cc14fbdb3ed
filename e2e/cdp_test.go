package e2e

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/net/websocket"
)

// cdp drives one Chromium page through the DevTools protocol: a headless
// browser started for the test, on loopback, its page reached over the
// protocol's WebSocket. Only what the tests need: navigate, evaluate, wait
// for a condition in the page, click, screenshot.
//
// The WebSocket is golang.org/x/net/websocket, a module the build already
// had (Echo needs x/net) and the Go team keeps: a WebSocket client is not
// worth writing by hand, and chromedp would bring a large dependency tree
// for the five calls these tests make.
type cdp struct {
	t    *testing.T
	ws   *websocket.Conn
	mu   sync.Mutex
	next int
	wait map[int]chan cdpReply
	evs  chan cdpEvent
	logs strings.Builder // the page's console and exceptions, for failures
}

type cdpReply struct {
	Result json.RawMessage `json:"result"`
	Error  *struct {
		Message string `json:"message"`
	} `json:"error"`
}

type cdpEvent struct {
	Method string          `json:"method"`
	Params json.RawMessage `json:"params"`
}

var devToolsURL = regexp.MustCompile(`DevTools listening on (ws://[^\s]+)`)

// startBrowser starts headless Chromium and connects to its first page.
func startBrowser(t *testing.T, bin string) *cdp {
	t.Helper()
	bctx, cancel := context.WithCancel(context.Background())
	profile, err := os.MkdirTemp("", "kicc-mock-chromium-")
	require.NoError(t, err)
	cmd := exec.CommandContext(bctx, bin,
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--disable-default-apps", "--disable-extensions", "--no-first-run", "--no-default-browser-check",
		"--hide-scrollbars", "--window-size=1440,1000", "--force-device-scale-factor=1",
		"--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0",
		// x/net/websocket sends an Origin; the DevTools endpoint refuses
		// unknown ones unless told otherwise. It listens on loopback only.
		"--remote-allow-origins=*",
		"--user-data-dir="+profile, "about:blank")
	stderr, err := cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	var browserWS string
	t.Cleanup(func() {
		// Browser.close lets chromium end its helper processes, which a
		// kill of the main one leaves writing to the profile.
		if ws, err := websocket.Dial(browserWS, "", "http://127.0.0.1/"); err == nil {
			_ = websocket.JSON.Send(ws, map[string]any{"id": 1, "method": "Browser.close"})
			select {
			case <-exited:
			case <-time.After(10 * time.Second): // a safety net
			}
			ws.Close()
		}
		cancel()
		<-exited
		_ = os.RemoveAll(profile) // best effort: a helper may still be going
	})

	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if m := devToolsURL.FindStringSubmatch(sc.Text()); m != nil {
				select {
				case found <- m[1]:
				default:
				}
			}
		}
	}()
	select {
	case browserWS = <-found:
	case <-time.After(30 * time.Second): // a safety net for a broken browser, not a timing assertion
		t.Fatal("chromium did not print its DevTools address")
	}
	// The browser's endpoint lists the page started with about:blank.
	host := strings.TrimPrefix(browserWS, "ws://")
	host = host[:strings.IndexByte(host, '/')]
	resp, err := http.Get("http://" + host + "/json/list")
	require.NoError(t, err)
	defer resp.Body.Close()
	var targets []struct {
		Type string `json:"type"`
		WS   string `json:"webSocketDebuggerUrl"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&targets))
	var pageWS string
	for _, tg := range targets {
		if tg.Type == "page" {
			pageWS = tg.WS
			break
		}
	}
	require.NotEmpty(t, pageWS, "no page target in %+v", targets)
	ws, err := websocket.Dial(pageWS, "", "http://127.0.0.1/")
	require.NoError(t, err)
	ws.MaxPayloadBytes = 64 << 20 // screenshots
	c := &cdp{t: t, ws: ws, wait: map[int]chan cdpReply{}, evs: make(chan cdpEvent, 256)}
	t.Cleanup(func() { ws.Close() })
	go c.read()
	c.call("Page.enable", nil)
	c.call("Runtime.enable", nil)
	c.call("Log.enable", nil) // CSP violations and failed loads are reported here
	return c
}

// read dispatches the browser's messages: replies to their callers,
// events to evs (dropped when nobody waits for them), console output to
// the log.
func (c *cdp) read() {
	for {
		var msg struct {
			ID int `json:"id"`
			cdpReply
			cdpEvent
		}
		if err := websocket.JSON.Receive(c.ws, &msg); err != nil {
			c.mu.Lock()
			for id, ch := range c.wait {
				close(ch)
				delete(c.wait, id)
			}
			c.mu.Unlock()
			return
		}
		if msg.ID != 0 {
			c.mu.Lock()
			ch := c.wait[msg.ID]
			delete(c.wait, msg.ID)
			c.mu.Unlock()
			if ch != nil {
				ch <- msg.cdpReply
			}
			continue
		}
		switch msg.Method {
		case "Runtime.consoleAPICalled", "Runtime.exceptionThrown", "Log.entryAdded":
			c.mu.Lock()
			fmt.Fprintf(&c.logs, "%s %s\n", msg.Method, msg.Params)
			c.mu.Unlock()
		}
		select {
		case c.evs <- msg.cdpEvent:
		default:
		}
	}
}

// call sends one command and returns its result.
func (c *cdp) call(method string, params any) json.RawMessage {
	c.t.Helper()
	res, err := c.try(method, params)
	require.NoError(c.t, err, "%s\npage log:\n%s", method, c.log())
	return res
}

func (c *cdp) try(method string, params any) (json.RawMessage, error) {
	c.mu.Lock()
	c.next++
	id := c.next
	ch := make(chan cdpReply, 1)
	c.wait[id] = ch
	c.mu.Unlock()
	if params == nil {
		params = struct{}{}
	}
	if err := websocket.JSON.Send(c.ws, map[string]any{"id": id, "method": method, "params": params}); err != nil {
		return nil, err
	}
	select {
	case r, ok := <-ch:
		if !ok {
			return nil, io.ErrUnexpectedEOF
		}
		if r.Error != nil {
			return nil, errors.New(method + ": " + r.Error.Message)
		}
		return r.Result, nil
	case <-time.After(30 * time.Second): // a safety net, not a timing assertion
		return nil, errors.New(method + ": no reply from chromium")
	}
}

func (c *cdp) log() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.logs.String()
}

// navigate loads url and returns once its load event fired.
func (c *cdp) navigate(url string) {
	c.t.Helper()
	for len(c.evs) > 0 { // earlier pages' events
		<-c.evs
	}
	c.call("Page.navigate", map[string]any{"url": url})
	deadline := time.After(30 * time.Second) // a safety net
	for {
		select {
		case ev := <-c.evs:
			if ev.Method == "Page.loadEventFired" {
				return
			}
		case <-deadline:
			c.t.Fatalf("%s did not load\npage log:\n%s", url, c.log())
		}
	}
}

// eval evaluates a JavaScript expression in the page (awaiting a promise)
// and decodes its value into out, when out is not nil.
func (c *cdp) eval(expr string, out any) {
	c.t.Helper()
	res := c.call("Runtime.evaluate", map[string]any{"expression": expr, "awaitPromise": true, "returnByValue": true})
	var r struct {
		Result struct {
			Value json.RawMessage `json:"value"`
		} `json:"result"`
		Exception *struct {
			Text      string `json:"text"`
			Exception struct {
				Description string `json:"description"`
			} `json:"exception"`
		} `json:"exceptionDetails"`
	}
	require.NoError(c.t, json.Unmarshal(res, &r))
	if r.Exception != nil {
		c.t.Fatalf("%s: %s %s\npage log:\n%s", expr, r.Exception.Text, r.Exception.Exception.Description, c.log())
	}
	if out != nil {
		require.NoError(c.t, json.Unmarshal(r.Result.Value, out), "%s = %s", expr, r.Result.Value)
	}
}

// waitFor returns once cond, a JavaScript expression, is true in the page:
// checked now and on every change to the page's DOM, so the test waits
// for what the page does rather than for a time. The page gives up after
// 20 s, a safety net.
func (c *cdp) waitFor(cond, what string) {
	c.t.Helper()
	c.eval(`new Promise((resolve, reject) => {
  const check = () => { try { return !!(`+cond+`); } catch (e) { return false; } };
  if (check()) { resolve(true); return; }
  const mo = new MutationObserver(() => { if (check()) { mo.disconnect(); clearTimeout(timer); resolve(true); } });
  mo.observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
  const timer = setTimeout(() => { mo.disconnect(); reject(new Error(`+jsString("waiting for "+what)+`)); }, 20000);
})`, nil)
}

// click presses the mouse on the middle of the element sel selects, as a
// person would: the page gets the real events, in order.
func (c *cdp) click(sel string) {
	c.t.Helper()
	var at struct{ X, Y float64 }
	c.eval(`(() => { const e = document.querySelector(`+jsString(sel)+`); e.scrollIntoView({block: 'center', inline: 'nearest'});
  const r = e.getBoundingClientRect(); return {X: r.x + r.width / 2, Y: r.y + r.height / 2}; })()`, &at)
	for _, typ := range []string{"mouseMoved", "mousePressed", "mouseReleased"} {
		c.call("Input.dispatchMouseEvent", map[string]any{"type": typ, "x": at.X, "y": at.Y, "button": "left", "clickCount": 1})
	}
}

// screenshot is the page as PNG.
func (c *cdp) screenshot() []byte {
	c.t.Helper()
	res := c.call("Page.captureScreenshot", map[string]any{"format": "png", "captureBeyondViewport": false})
	var r struct {
		Data string `json:"data"`
	}
	require.NoError(c.t, json.Unmarshal(res, &r))
	png, err := base64.StdEncoding.DecodeString(r.Data)
	require.NoError(c.t, err)
	return png
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
