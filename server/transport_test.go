package server_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kicc-mock/kicc-mock/httpio"
	"github.com/kicc-mock/kicc-mock/kicc"
	"github.com/kicc-mock/kicc-mock/server"
)

// rawExchange writes head (the request line and headers, and any body bytes)
// on a fresh connection and reads the answer without sending anything more:
// a client that waits for "100 Continue" or sends its body slowly. The read
// deadline only keeps a broken server from hanging the test; the mock's own
// read timeout does not apply to httptest.Server, so before the fix these
// exchanges never ended.
func rawExchange(t *testing.T, m *mock, head string) (*http.Response, net.Conn) {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(m.http.URL, "http://"))
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close() })
	_, err = io.WriteString(conn, head)
	require.NoError(t, err)
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(10*time.Second)))
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	require.NoError(t, err, "no answer before the body was sent")
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	resp.Body = io.NopCloser(strings.NewReader(string(body)))
	// The connection is closed after the answer: the next read is EOF, not
	// a wait for more of the request.
	_, err = br.ReadByte()
	assert.ErrorIs(t, err, io.EOF, "the connection should be closed after the answer")
	return resp, conn
}

func TestRefusedBodiesAreAnsweredWithoutWaitingForThem(t *testing.T) {
	m := newMock(t, server.Config{BodyLimit: 1000})
	tests := []struct {
		name, head string
		status     int
	}{
		{"415 to a client waiting for 100-continue",
			"POST " + kicc.PathFind + " HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 50\r\nExpect: 100-continue\r\n\r\n",
			http.StatusUnsupportedMediaType},
		{"413 to a client waiting for 100-continue",
			"POST " + kicc.PathFind + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5000\r\nExpect: 100-continue\r\n\r\n",
			http.StatusRequestEntityTooLarge},
		{"415 to a client sending slowly",
			"POST " + kicc.PathFind + " HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 50\r\n\r\n{\"mall",
			http.StatusUnsupportedMediaType},
		{"413 to a client sending slowly",
			"POST " + kicc.PathFind + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n{\"mall",
			http.StatusRequestEntityTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, _ := rawExchange(t, m, tt.head)
			assert.Equal(t, tt.status, resp.StatusCode)
			assert.Equal(t, server.ContentTypeJSON, resp.Header.Get("Content-Type"))
			body, _ := io.ReadAll(resp.Body)
			assert.Contains(t, string(body), fmt.Sprintf(`"status":%d`, tt.status))
		})
	}
	// And the server goes on serving.
	r := m.find(t.Context(), m.paymentReq("P1"), "")
	assert.Equal(t, http.StatusOK, r.status)
}

func TestPaymentPageURLIgnoresTheHostHeader(t *testing.T) {
	m := newMock(t, sandboxConfig())
	body := `{"mallId":"T0000001","shopTransactionId":"k-host","shopOrderNo":"ORD-H","goodsName":"Sample Product",` +
		`"returnUrl":"http://127.0.0.1/return","tradeType":"mweb","notifyUrl":"http://127.0.0.1/n",` +
		`"amountInfo":{"currency":"KRW","totalAmount":1000}}`
	req, err := http.NewRequest(http.MethodPost, m.http.URL+kicc.PathCreate, strings.NewReader(body))
	require.NoError(t, err)
	req.Host = "evil.example"
	req.Header.Set("Content-Type", server.ContentTypeJSON)
	resp, err := m.client.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var created map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&created))
	require.Equal(t, kicc.ResOK, created["resCd"], created)
	assert.Equal(t, m.http.URL+"/pay/"+created["pgCno"].(string), created["paymentPageUrl"],
		"the listening address, not the Host the client sent")

	withURL := newMock(t, server.Config{SandboxConfig: server.SandboxConfig{PublicURL: "https://mock.example/", CancelCompleteAfter: -1}})
	created = withURL.create("http://127.0.0.1/n", "ORD-H2", 1000)
	assert.Equal(t, "https://mock.example/pay/"+created["pgCno"].(string), created["paymentPageUrl"])
}

func TestDialAddrReachesWildcardListenersOnLoopback(t *testing.T) {
	for in, want := range map[string]string{
		":8080": "127.0.0.1:8080", "0.0.0.0:8080": "127.0.0.1:8080", "[::]:8080": "127.0.0.1:8080",
		"10.0.0.1:80": "10.0.0.1:80", "localhost:1": "localhost:1",
	} {
		assert.Equal(t, want, httpio.DialAddr(in), in)
	}
}

func TestHeadAnswersAsGetWithoutABody(t *testing.T) {
	m := newMock(t, server.Config{})
	for _, path := range []string{"/__admin/health", "/__admin/stats", "/__admin/scenarios", "/__admin/openapi.yaml"} {
		t.Run(path, func(t *testing.T) {
			get, err := m.client.Get(m.http.URL + path)
			require.NoError(t, err)
			getBody, _ := io.ReadAll(get.Body)
			get.Body.Close()
			head, err := m.client.Head(m.http.URL + path)
			require.NoError(t, err)
			headBody, _ := io.ReadAll(head.Body)
			head.Body.Close()
			assert.Equal(t, get.StatusCode, head.StatusCode)
			assert.Equal(t, get.Header.Get("Content-Type"), head.Header.Get("Content-Type"))
			assert.NotEmpty(t, getBody)
			assert.Empty(t, headBody)
		})
	}
	resp, err := m.client.Head(m.http.URL + kicc.PathFind)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode, "POST routes do not answer HEAD")
}
