package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kicc-mock/kicc-mock/clock"
	"github.com/kicc-mock/kicc-mock/kicc"
	"github.com/kicc-mock/kicc-mock/scenarios"
	"github.com/kicc-mock/kicc-mock/server"
)

// These tests hold the served OpenAPI document to the server's real traffic:
// every request is sent to an in-process server, and both the request and
// the answer (status, Content-Type, body) are checked against the document
// by kin-openapi's openapi3filter. A request the server rejects must break
// the document too, where the document can say so; an answer must always
// match it, except the malformed-json fault's, which is broken on purpose.

const (
	apiToken  = "openapi-check"  // the admin token of these servers
	apiSecret = "openapi-secret" // their --secret-key, for msgAuthValue
	apiMall   = "T0000001"       // in their --mall-ids
	apiOther  = "T0000099"       // not in them: 1030
	apiToday  = "20251125"       // the fake clock's KST day
	headerLim = 4 << 10          // the servers' --max-header-bytes
)

// The payment pages are HTML; kin-openapi decodes no text/html by itself.
// The dashboard's files are text too.
func init() {
	for _, ct := range []string{"text/html", "text/javascript", "text/css"} {
		openapi3filter.RegisterBodyDecoder(ct, openapi3filter.PlainBodyDecoder)
	}
}

// apiCheck is a server and the document it serves.
type apiCheck struct {
	srv    *server.Server
	url    string
	clock  *clock.Fake
	client *http.Client
	doc    *openapi3.T
	router routers.Router
	opts   *openapi3filter.Options
	seq    atomic.Int64
}

// newAPICheck starts a server with cfg on a fake clock, an admin token, a
// secret key and a one-merchant allow-list, so that 401, 1040 and 1030 can
// be provoked, and loads the document it serves.
func newAPICheck(t *testing.T, cfg server.Config) *apiCheck {
	t.Helper()
	fake := clock.NewFake(time.Date(2025, 11, 25, 3, 0, 0, 0, time.UTC))
	cfg.Clock = fake
	cfg.AdminToken = apiToken
	cfg.SecretKey = apiSecret
	cfg.MallIDs = []string{apiMall}
	cfg.MaxHeaderBytes = headerLim
	srv, err := server.New(cfg)
	require.NoError(t, err)
	// The server's own http.Server, so that its header limit (431) is the
	// one in force.
	hs := httptest.NewUnstartedServer(srv)
	hs.Config = srv.HTTPServer("")
	hs.Start()
	t.Cleanup(func() {
		srv.Close()
		hs.Close()
	})
	// A connection per request: the 431 and the faults close theirs.
	a := &apiCheck{srv: srv, url: hs.URL, clock: fake,
		client: &http.Client{Transport: &http.Transport{DisableKeepAlives: true,
			// Oversized bodies go with Expect: 100-continue, as a careful client
			// sends them: the 413 comes before the body, instead of racing it.
			ExpectContinueTimeout: 5 * time.Second}}}
	a.opts = &openapi3filter.Options{
		IncludeResponseStatus: true, // an undocumented status is an error
		MultiError:            true,
		AuthenticationFunc:    checkAdminToken,
	}
	a.loadDocument(t)
	return a
}

// checkAdminToken is the document's adminToken scheme as the server applies
// it.
func checkAdminToken(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	if in.SecuritySchemeName != "adminToken" {
		return fmt.Errorf("unknown security scheme %q", in.SecuritySchemeName)
	}
	if in.RequestValidationInput.Request.Header.Get("Authorization") != "Bearer "+apiToken {
		return errors.New("no admin token")
	}
	return nil
}

// loadDocument fetches the document the way a user does, checks that it is
// valid OpenAPI and points its server at this one.
func (a *apiCheck) loadDocument(t *testing.T) {
	t.Helper()
	r := a.send(t, apiCall{method: http.MethodGet, path: "/__admin/openapi.yaml"})
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(r.body)
	require.NoError(t, err)
	require.NoError(t, doc.Validate(loader.Context), "the document is not valid OpenAPI")
	doc.Servers = openapi3.Servers{{URL: a.url}}
	a.doc = doc
	a.router, err = gorillamux.NewRouter(doc)
	require.NoError(t, err)
}

// apiCall is one request and what the document must say about it.
type apiCall struct {
	name         string
	method, path string
	body         string
	// header holds name, value pairs. A JSON Content-Type and, on /__admin,
	// the admin token are added unless given; an empty value removes one.
	header []string
	status int
	// want holds field, value pairs the answer's top level must carry.
	want []string
	// badRequest: the document rejects the request, as the server does.
	badRequest bool
	// badAnswer: the document rejects the answer (a fault's, on purpose).
	badAnswer bool
}

type apiAnswer struct {
	status int
	header http.Header
	body   []byte
}

func (a *apiCheck) request(t *testing.T, c apiCall) *http.Request {
	t.Helper()
	var body io.Reader
	if c.body != "" {
		body = strings.NewReader(c.body)
	}
	req, err := http.NewRequest(c.method, a.url+c.path, body)
	require.NoError(t, err)
	if c.body != "" {
		req.Header.Set("Content-Type", server.ContentTypeJSON)
	}
	if strings.HasPrefix(c.path, "/__admin/") {
		req.Header.Set("Authorization", "Bearer "+apiToken)
	}
	for i := 0; i+1 < len(c.header); i += 2 {
		if c.header[i+1] == "" {
			req.Header.Del(c.header[i])
		} else {
			req.Header.Set(c.header[i], c.header[i+1])
		}
	}
	return req
}

func (a *apiCheck) send(t *testing.T, c apiCall) apiAnswer {
	t.Helper()
	resp, err := a.client.Do(a.request(t, c))
	require.NoError(t, err)
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return apiAnswer{status: resp.StatusCode, header: resp.Header, body: data}
}

// sendAsync sends c in the background, for answers that wait on the clock.
func (a *apiCheck) sendAsync(t *testing.T, c apiCall) <-chan apiAnswer {
	ch := make(chan apiAnswer, 1)
	req := a.request(t, c)
	go func() {
		resp, err := a.client.Do(req)
		if err != nil {
			ch <- apiAnswer{body: []byte(err.Error())}
			return
		}
		defer resp.Body.Close()
		data, _ := io.ReadAll(resp.Body)
		ch <- apiAnswer{status: resp.StatusCode, header: resp.Header, body: data}
	}()
	return ch
}

// validate checks c and its answer r against the document. A request to a
// path or method the document lacks gets routers.ErrPathNotFound or
// ErrMethodNotAllowed, and its answer is checked against the document's
// generic NotFound or MethodNotAllowed response.
func (a *apiCheck) validate(t *testing.T, c apiCall, r apiAnswer) (reqErr, respErr error) {
	t.Helper()
	req := a.request(t, c)
	ctx := context.Background()
	route, params, err := a.router.FindRoute(req)
	if err != nil {
		reqErr = err
		route = a.genericRoute(t, err, c.method)
	}
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route, Options: a.opts}
	if reqErr == nil {
		reqErr = openapi3filter.ValidateRequest(ctx, in)
	}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: r.status, Header: r.header, Options: a.opts}
	out.SetBodyBytes(r.body)
	return reqErr, openapi3filter.ValidateResponse(ctx, out)
}

// genericRoute is an operation made of the document's response for a
// request outside it: 404 for an unknown path, 405 for a wrong method.
func (a *apiCheck) genericRoute(t *testing.T, err error, method string) *routers.Route {
	t.Helper()
	status, name := http.StatusNotFound, "NotFound"
	if errors.Is(err, routers.ErrMethodNotAllowed) {
		status, name = http.StatusMethodNotAllowed, "MethodNotAllowed"
	} else {
		require.ErrorIs(t, err, routers.ErrPathNotFound)
	}
	resp := a.doc.Components.Responses[name]
	require.NotNil(t, resp, "the document has no components/responses/%s for requests outside it", name)
	return &routers.Route{Spec: a.doc, Method: method,
		Operation: &openapi3.Operation{Responses: openapi3.NewResponses(openapi3.WithStatus(status, resp))}}
}

// check sends c, checks its status and holds both sides to the document.
func (a *apiCheck) check(t *testing.T, c apiCall) apiAnswer {
	t.Helper()
	return a.checkAnswer(t, c, a.send(t, c))
}

func (a *apiCheck) checkAnswer(t *testing.T, c apiCall, r apiAnswer) apiAnswer {
	t.Helper()
	require.Equal(t, c.status, r.status, "%s %s answered %s", c.method, c.path, r.body)
	if len(c.want) > 0 {
		got := apiObject(t, r.body)
		for i := 0; i+1 < len(c.want); i += 2 {
			assert.Equal(t, c.want[i+1], got[c.want[i]], "%s in %s", c.want[i], r.body)
		}
	}
	reqErr, respErr := a.validate(t, c, r)
	if c.badRequest {
		assert.Error(t, reqErr, "the server rejects this request; the document should too")
	} else {
		assert.NoError(t, reqErr, "request %s", c.body)
	}
	if c.badAnswer {
		assert.Error(t, respErr, "answer %s", r.body)
	} else {
		assert.NoError(t, respErr, "answer %s", r.body)
	}
	return r
}

func (a *apiCheck) checkAll(t *testing.T, calls []apiCall) {
	t.Helper()
	for _, c := range calls {
		t.Run(c.name, func(t *testing.T) { a.check(t, c) })
	}
}

func (a *apiCheck) key() string { return fmt.Sprintf("oa-%d", a.seq.Add(1)) }

func apiJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func apiObject(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(b, &m), "%s", b)
	return m
}

// findCancel is a cancellation-status inquiry; extra fields are laid over it.
func (a *apiCheck) findCancel(pgCno, cancelPgCno string, extra ...any) string {
	return apiJSON(withFields(map[string]any{"mallId": apiMall, "shopTransactionId": a.key(),
		"pgCno": pgCno, "cancelPgCno": cancelPgCno}, extra))
}

// findPayment is a payment-status inquiry.
func (a *apiCheck) findPayment(pgCno string, extra ...any) string {
	return apiJSON(withFields(map[string]any{"mallId": apiMall, "shopTransactionId": a.key(), "pgCno": pgCno}, extra))
}

// create is a Create Transaction request. Its notifyUrl refuses
// connections: approval webhooks are journaled as retrying, on the fake
// clock, and nothing waits for them.
func (a *apiCheck) create(shopOrderNo, tradeType string, extra ...any) string {
	return apiJSON(withFields(map[string]any{"mallId": apiMall, "shopTransactionId": a.key(), "shopOrderNo": shopOrderNo,
		"goodsName": "Sample Product", "returnUrl": "https://merchant.example/return", "tradeType": tradeType,
		"notifyUrl": "http://127.0.0.1:1/notify", "amountInfo": map[string]any{"currency": "KRW", "totalAmount": 10000},
		"customerInfo": map[string]any{"customerName": "Hong", "customerContactNo": "01012345678"}}, extra))
}

// revise is a full cancel (40) of pgCno with a valid msgAuthValue; a
// partial one passes reviseTypeCode and amountInfo in extra.
func (a *apiCheck) revise(pgCno string, extra ...any) string {
	key := a.key()
	return apiJSON(withFields(map[string]any{"mallId": apiMall, "shopTransactionId": key, "pgCno": pgCno,
		"reviseTypeCode": "40", "cancelReqDate": apiToday, "msgAuthValue": kicc.MsgAuthValue(apiSecret, pgCno, key),
		"memo": "Customer Request"}, extra))
}

// withFields sets extra's name, value pairs in m; a nil value deletes the name,
// and the value "null" sends JSON null.
func withFields(m map[string]any, extra []any) map[string]any {
	for i := 0; i+1 < len(extra); i += 2 {
		k := extra[i].(string)
		switch v := extra[i+1]; v {
		case nil:
			delete(m, k)
		case "null":
			m[k] = nil
		default:
			m[k] = v
		}
	}
	return m
}

func apiPost(name, path, body string, status int) apiCall {
	return apiCall{name: name, method: http.MethodPost, path: path, body: body, status: status}
}

func apiGet(name, path string, status int) apiCall {
	return apiCall{name: name, method: http.MethodGet, path: path, status: status}
}

func (c apiCall) rejected() apiCall              { c.badRequest = true; return c }
func (c apiCall) withHeader(h ...string) apiCall { c.header = append(c.header, h...); return c }
func (c apiCall) code(resCd string) apiCall      { return c.expect("resCd", resCd) }
func (c apiCall) expect(kv ...string) apiCall {
	c.want = append(c.want, kv...)
	return c
}
func (c apiCall) answering(status int) apiCall          { c.status = status; return c }
func (c apiCall) named(format string, v ...any) apiCall { c.name = fmt.Sprintf(format, v...); return c }

func TestFindTrafficMatchesTheOpenAPIDocument(t *testing.T) {
	a := newAPICheck(t, server.Config{})
	const pg, cpg = "25112512000010000001", "25112512300010000002"
	dup := a.findPayment(pg)
	a.checkAll(t, []apiCall{
		apiPost("a cancel inquiry's default answer (TS02)", kicc.PathFind, a.findCancel(pg, cpg), 200).expect("resCd", "0000", "cancelStatus", "TS02"),
		apiPost("a payment inquiry's default answer (TS01)", kicc.PathFind, a.findPayment(pg), 200).expect("resCd", "0000", "statusCd", "TS01"),
		apiPost("an empty cancelPgCno asks for the payment", kicc.PathFind, a.findPayment(pg, "cancelPgCno", ""), 200).expect("statusCd", "TS01"),
		apiPost("a null cancelPgCno asks for the payment", kicc.PathFind, a.findPayment(pg, "cancelPgCno", "null"), 200).expect("statusCd", "TS01"),
		apiPost("unknown request fields are ignored", kicc.PathFind, a.findCancel(pg, cpg, "extra", 1), 200),
		apiPost("a scenario chosen by header", kicc.PathFind, a.findCancel(pg, cpg), 200).withHeader(server.ScenarioHeader, "cancel-partial").expect("cancelStatus", "TS06"),
		apiPost("an unknown scenario header is a 400 listing the known ones", kicc.PathFind, a.findCancel(pg, cpg), 400).withHeader(server.ScenarioHeader, "nope"),
		apiPost("a header scenario of the other inquiry is a 400", kicc.PathFind, a.findCancel(pg, cpg), 400).withHeader(server.ScenarioHeader, "payment-full"),

		apiPost("1001 a missing mallId", kicc.PathFind, a.findPayment(pg, "mallId", nil), 200).rejected().code("1001"),
		apiPost("1001 an empty pgCno", kicc.PathFind, a.findPayment(""), 200).rejected().code("1001"),
		apiPost("1001 a null shopTransactionId", kicc.PathFind, a.findPayment(pg, "shopTransactionId", "null"), 200).rejected().code("1001"),
		apiPost("1002 a mallId of 9 bytes", kicc.PathFind, a.findPayment(pg, "mallId", "T00000001"), 200).rejected().code("1002"),
		apiPost("1002 a cancelPgCno of 61 bytes", kicc.PathFind, a.findCancel(pg, strings.Repeat("9", 61)), 200).rejected().code("1002"),
		// Three Hangul syllables are 9 bytes of UTF-8 but 3 characters:
		// JSON Schema's maxLength counts characters, so the document cannot
		// reject this one (its descriptions say so).
		apiPost("1002 a mallId of 3 characters and 9 bytes passes the schema", kicc.PathFind, a.findPayment(pg, "mallId", "가나다"), 200).code("1002"),
		apiPost("1003 a forbidden character", kicc.PathFind, a.findPayment(pg, "mallId", "T0'00001"), 200).rejected().code("1003"),
		apiPost("1003 a raw ampersand", kicc.PathFind, a.findCancel(pg, "a&b"), 200).rejected().code("1003"),
		apiPost("1003 a number for a string", kicc.PathFind, a.findPayment(pg, "pgCno", 25112512), 200).rejected().code("1003"),
		apiPost("1003 an object for cancelPgCno", kicc.PathFind, a.findCancel(pg, cpg, "cancelPgCno", map[string]any{}), 200).rejected().code("1003"),
		apiPost("the first use of a key", kicc.PathFind, dup, 200).code("0000"),
		apiPost("1010 a key reused the same KST day", kicc.PathFind, dup, 200).code("1010"),
		apiPost("1030 a mallId outside the allow-list", kicc.PathFind, a.findPayment(pg, "mallId", apiOther), 200).code("1030"),

		apiPost("400 malformed JSON", kicc.PathFind, `{"mallId":`, 400).rejected(),
		apiPost("400 a JSON array", kicc.PathFind, `[1,2]`, 400).rejected(),
		apiPost("400 an empty body", kicc.PathFind, "", 400).rejected().withHeader("Content-Type", server.ContentTypeJSON),
		apiPost("413 a body over the 64 KiB limit", kicc.PathFind, a.findPayment(strings.Repeat("1", server.DefaultBodyLimit)), 413).rejected().withHeader("Expect", "100-continue"),
		apiPost("415 a text/plain body", kicc.PathFind, a.findPayment(pg), 415).rejected().withHeader("Content-Type", "text/plain"),
		apiPost("415 no Content-Type", kicc.PathFind, a.findPayment(pg), 415).rejected().withHeader("Content-Type", ""),
		apiPost("431 headers over --max-header-bytes", kicc.PathFind, a.findPayment(pg), 431).withHeader("X-Padding", strings.Repeat("x", 2*headerLim+4096)),
		apiPost("404 an unknown KICC path", "/api/trades/wechatpay/fnd", a.findPayment(pg), 404).rejected(),
		apiGet("405 GET on find", kicc.PathFind, 405).rejected(),
		apiPost("a bare application/json is accepted", kicc.PathFind, a.findPayment(pg), 200).withHeader("Content-Type", "application/json"),
	})
}

func TestSandboxTrafficMatchesTheOpenAPIDocument(t *testing.T) {
	a := newAPICheck(t, server.Config{SandboxConfig: server.SandboxConfig{CancelCompleteAfter: -1}})
	pgCno := func(c apiCall) string {
		r := a.check(t, c)
		id, _ := apiObject(t, r.body)["pgCno"].(string)
		require.NotEmpty(t, id, "%s", r.body)
		return id
	}
	native := pgCno(apiPost("create native", kicc.PathCreate, a.create("ORD-1", "native"), 200))
	mweb := pgCno(apiPost("create mweb", kicc.PathCreate, a.create("ORD-2", "mweb"), 200))
	unpaid := pgCno(apiPost("create, left unpaid", kicc.PathCreate, a.create("ORD-3", "native"), 200))
	abandoned := pgCno(apiPost("create, to be abandoned", kicc.PathCreate, a.create("ORD-4", "mweb"), 200))
	a.checkAll(t, []apiCall{
		apiPost("create without customerInfo", kicc.PathCreate, a.create("ORD-5", "native", "customerInfo", nil), 200).code("0000"),
		apiPost("create 1001 without goodsName", kicc.PathCreate, a.create("ORD-6", "native", "goodsName", nil), 200).rejected().code("1001"),
		apiPost("create 1001 without amountInfo", kicc.PathCreate, a.create("ORD-6", "native", "amountInfo", nil), 200).rejected().code("1001"),
		apiPost("create 1002 a shopOrderNo of 41 bytes", kicc.PathCreate, a.create(strings.Repeat("O", 41), "native"), 200).rejected().code("1002"),
		apiPost("create 1003 a goodsName in Korean", kicc.PathCreate, a.create("ORD-6", "native", "goodsName", "상품"), 200).rejected().code("1003"),
		apiPost("create 1003 a tradeType of app", kicc.PathCreate, a.create("ORD-6", "app"), 200).rejected().code("1003"),
		apiPost("create 1003 a relative returnUrl", kicc.PathCreate, a.create("ORD-6", "native", "returnUrl", "/return"), 200).rejected().code("1003"),
		apiPost("create 1003 a zero amount", kicc.PathCreate, a.create("ORD-6", "native", "amountInfo", map[string]any{"currency": "KRW", "totalAmount": 0}), 200).rejected().code("1003"),
		apiPost("create 1003 currency EUR", kicc.PathCreate, a.create("ORD-6", "native", "amountInfo", map[string]any{"currency": "EUR", "totalAmount": 1}), 200).rejected().code("1003"),
		apiPost("create 1003 letters in customerContactNo", kicc.PathCreate, a.create("ORD-6", "native", "customerInfo", map[string]any{"customerContactNo": "010-1234"}), 200).rejected().code("1003"),
		apiPost("create 1011 a shopOrderNo used before", kicc.PathCreate, a.create("ORD-1", "native"), 200).code("1011"),
		apiPost("create 1030 a mallId outside the allow-list", kicc.PathCreate, a.create("ORD-6", "native", "mallId", apiOther), 200).code("1030"),
		apiPost("create 400 malformed JSON", kicc.PathCreate, `{`, 400).rejected(),
		apiPost("create 413", kicc.PathCreate, a.create(strings.Repeat("O", server.DefaultBodyLimit), "native"), 413).rejected().withHeader("Expect", "100-continue"),
		apiPost("create 415", kicc.PathCreate, a.create("ORD-6", "native"), 415).rejected().withHeader("Content-Type", "text/xml"),
		apiPost("create 400 an unknown scenario header", kicc.PathCreate, a.create("ORD-6", "native"), 400).withHeader(server.ScenarioHeader, "nope"),

		apiGet("the payment page", "/pay/"+mweb, 200),
		apiGet("the payment page pressing pay itself", "/pay/"+mweb+"?press=pay", 200),
		apiGet("the payment page of an unknown payment", "/pay/25112512000099999999", 404),
		apiPost("the pay button", "/pay/"+mweb+"/pay", "", 200),
		apiPost("the pay button once more", "/pay/"+mweb+"/pay", "", 409),
		apiPost("the pay button of an unknown payment", "/pay/25112512000099999999/pay", "", 404),
		apiPost("the cancel button", "/pay/"+abandoned+"/cancel", "", 200),
		apiPost("the cancel button of a void payment", "/pay/"+abandoned+"/cancel", "", 409),

		apiPost("admin: the customer pays", "/__admin/transactions/"+native+"/pay", "", 200),
		apiPost("admin: pay twice", "/__admin/transactions/"+native+"/pay", "", 409),
		apiPost("admin: pay an unknown payment", "/__admin/transactions/25112512000099999999/pay", "", 404),
		apiPost("admin: void a paid payment", "/__admin/transactions/"+native+"/void", "", 409),
		apiPost("admin: void an unknown payment", "/__admin/transactions/25112512000099999999/void", "", 404),
		apiGet("admin: one transaction", "/__admin/transactions/"+native, 200),
		apiGet("admin: an unknown transaction", "/__admin/transactions/25112512000099999999", 404),

		apiPost("find a paid payment (TS01)", kicc.PathFind, a.findPayment(native), 200).expect("resCd", "0000", "statusCd", "TS01"),
		apiPost("find an unpaid payment (no statusCd yet)", kicc.PathFind, a.findPayment(unpaid), 200).code("0000"),
		apiPost("find a void payment (TS12)", kicc.PathFind, a.findPayment(abandoned), 200).expect("statusCd", "TS12"),
		apiPost("find a cancel the sandbox does not know (1020)", kicc.PathFind, a.findCancel(native, "25112512000099999999"), 200).code("1020"),

		apiPost("revise 1050 an unpaid payment", kicc.PathRevise, a.revise(unpaid), 200).code("1050"),
		apiPost("revise 1020 an unknown payment", kicc.PathRevise, a.revise("25112512000099999999"), 200).code("1020"),
		apiPost("revise 1040 a wrong msgAuthValue", kicc.PathRevise, a.revise(native, "msgAuthValue", "00"), 200).code("1040"),
		apiPost("revise 1051 more than was paid", kicc.PathRevise, a.revise(mweb, "reviseTypeCode", "32",
			"amountInfo", map[string]any{"currency": "KRW", "totAmount": 99999}), 200).code("1051"),
		apiPost("revise 1001 a partial cancel without amountInfo", kicc.PathRevise, a.revise(mweb, "reviseTypeCode", "32"), 200).rejected().code("1001"),
		apiPost("revise 1001 without msgAuthValue", kicc.PathRevise, a.revise(mweb, "msgAuthValue", nil), 200).rejected().code("1001"),
		apiPost("revise 1003 a reviseTypeCode of 41", kicc.PathRevise, a.revise(mweb, "reviseTypeCode", "41"), 200).rejected().code("1003"),
		apiPost("revise 1003 a cancelReqDate with dashes", kicc.PathRevise, a.revise(mweb, "cancelReqDate", "2025-1-1"), 200).rejected().code("1003"),
		apiPost("revise: a cancelReqDate after today is a lint warning, not a refusal", kicc.PathRevise, a.revise(mweb, "cancelReqDate", "20251126",
			"reviseTypeCode", "32", "amountInfo", map[string]any{"currency": "KRW", "totAmount": 100}), 200).code("0000"),
		apiPost("revise 400 malformed JSON", kicc.PathRevise, `{`, 400).rejected(),
		apiPost("revise 413", kicc.PathRevise, a.revise(strings.Repeat("1", server.DefaultBodyLimit)), 413).rejected().withHeader("Expect", "100-continue"),
		apiPost("revise 415", kicc.PathRevise, a.revise(mweb), 415).rejected().withHeader("Content-Type", "application/x-www-form-urlencoded"),
	})

	cancelPgCno := func(c apiCall) string {
		r := a.check(t, c)
		id, _ := apiObject(t, r.body)["cancelPgCno"].(string)
		require.NotEmpty(t, id, "%s", r.body)
		return id
	}
	full := cancelPgCno(apiPost("revise: a full cancel", kicc.PathRevise, a.revise(native, "notifyUrl", nil), 200))
	part := cancelPgCno(apiPost("revise: a partial cancel", kicc.PathRevise, a.revise(mweb, "reviseTypeCode", "32",
		"amountInfo", map[string]any{"currency": "KRW", "totAmount": 1000}), 200))
	a.checkAll(t, []apiCall{
		apiPost("revise 1052 an already fully cancelled payment", kicc.PathRevise, a.revise(native), 200).code("1052"),
		apiPost("find a pending cancel (TS01)", kicc.PathFind, a.findCancel(native, full), 200).expect("cancelStatus", "TS01"),
		apiPost("admin: complete the full cancel", "/__admin/transactions/"+full+"/complete", "", 200),
		apiPost("admin: complete the partial cancel", "/__admin/transactions/"+part+"/complete", "", 200),
		apiPost("admin: complete a cancel twice", "/__admin/transactions/"+full+"/complete", "", 409),
		apiPost("admin: complete an unknown cancel", "/__admin/transactions/25112512000099999999/complete", "", 404),
		apiPost("find a completed full cancel (TS02)", kicc.PathFind, a.findCancel(native, full), 200).expect("cancelStatus", "TS02"),
		apiPost("find a completed partial cancel (TS06)", kicc.PathFind, a.findCancel(mweb, part), 200).expect("cancelStatus", "TS06"),
		apiPost("find a cancel under another payment (1020)", kicc.PathFind, a.findCancel(mweb, full), 200).code("1020"),
		apiPost("find a partly cancelled payment (TS06)", kicc.PathFind, a.findPayment(mweb), 200).expect("statusCd", "TS06"),
		apiPost("find a fully cancelled payment (TS02)", kicc.PathFind, a.findPayment(native), 200).expect("statusCd", "TS02"),
		apiGet("admin: the transactions", "/__admin/transactions", 200),
		apiGet("admin: every webhook attempt", "/__admin/webhooks", 200),
		apiGet("admin: the cancel webhooks", "/__admin/webhooks?kind=cancel&cancelPgCno="+full, 200),
		apiGet("admin: one webhook attempt", "/__admin/webhooks?limit=1&pgCno="+native, 200),
		apiGet("admin: webhooks with a bad limit", "/__admin/webhooks?limit=x", 400).rejected(),
	})
}

func TestAdminTrafficMatchesTheOpenAPIDocument(t *testing.T) {
	a := newAPICheck(t, server.Config{})
	// Something to journal.
	a.check(t, apiPost("a find", kicc.PathFind, a.findCancel("25112512000010000001", "mock-cancel-void"), 200))
	a.check(t, apiPost("an unknown path", "/nowhere", `{}`, 404).rejected())
	const yamlFile = "version: 1\nscenarios:\n  - name: merchant-42-partial\n    endpoint: find-cancel\n    match: {mallId: \"T0000042\"}\n    responses:\n      - body: {cancelStatus: TS06}\n"
	jsonFile := `{"version":1,"scenarios":[{"name":"json-503","responses":[{"status":503}]}]}`
	a.checkAll(t, []apiCall{
		apiGet("health", "/__admin/health", 200),
		apiGet("health needs no token", "/__admin/health", 200).withHeader("Authorization", ""),
		apiGet("401 without the token", "/__admin/stats", 401).withHeader("Authorization", "").rejected(),
		apiGet("401 with a wrong token", "/__admin/requests", 401).withHeader("Authorization", "Bearer wrong").rejected(),
		apiGet("stats", "/__admin/stats", 200),
		apiGet("the scenarios", "/__admin/scenarios", 200),
		apiPost("add scenarios in YAML", "/__admin/scenarios", yamlFile, 200).withHeader("Content-Type", "application/yaml"),
		apiPost("add scenarios in JSON", "/__admin/scenarios", jsonFile, 200),
		apiPost("a scenario file with a mistake", "/__admin/scenarios", "version: 1\nscenarios:\n  - name: x\n    responses: [{delay: 40s}]\n", 400).
			withHeader("Content-Type", "application/yaml"),
		apiPost("a scenario file as HTML", "/__admin/scenarios", yamlFile, 415).withHeader("Content-Type", "text/html").rejected(),
		apiPost("a scenario file over 256 KiB", "/__admin/scenarios", strings.Replace(yamlFile, "endpoint:", "description: "+strings.Repeat("x", 1<<20)+"\n    endpoint:", 1), 413).withHeader("Expect", "100-continue").withHeader("Content-Type", "application/yaml"),
		apiCall{name: "delete a runtime scenario", method: http.MethodDelete, path: "/__admin/scenarios/json-503", status: 200},
		apiCall{name: "delete a built-in scenario", method: http.MethodDelete, path: "/__admin/scenarios/cancel-full", status: 400},
		apiCall{name: "delete an unknown scenario", method: http.MethodDelete, path: "/__admin/scenarios/nope", status: 404},
		apiCall{name: "set a default scenario", method: http.MethodPut, path: "/__admin/default-scenario", body: `{"endpoint":"find-cancel","name":"cancel-partial"}`, status: 200},
		apiCall{name: "set a default of an unknown endpoint", method: http.MethodPut, path: "/__admin/default-scenario", body: `{"endpoint":"refund","name":"cancel-full"}`, status: 400}.rejected(),
		apiCall{name: "set a default of another endpoint's scenario", method: http.MethodPut, path: "/__admin/default-scenario", body: `{"endpoint":"find-payment","name":"cancel-full"}`, status: 400},
		apiGet("the journal", "/__admin/requests", 200),
		apiGet("the journal, filtered", "/__admin/requests?limit=1&method=POST&path="+kicc.PathFind+"&scenario=cancel-void&pgCno=25112512000010000001&mallId="+apiMall, 200),
		// kin-openapi ignores query parameters a document does not list, so
		// this one passes it; the server refuses it.
		apiGet("the journal, an unknown filter", "/__admin/requests?pgcno=1", 400),
		apiGet("the journal, a bad limit", "/__admin/requests?limit=-1", 400).rejected(),
		apiPost("count requests", "/__admin/requests/count", `{"path":"`+kicc.PathFind+`","body":{"pgCno":"25112512000010000001"}}`, 200),
		apiPost("count every request", "/__admin/requests/count", "", 200).withHeader("Content-Type", server.ContentTypeJSON),
		apiPost("count with an unknown field", "/__admin/requests/count", `{"pgCno":"1"}`, 400).rejected(),
		apiPost("count as text", "/__admin/requests/count", `{}`, 415).withHeader("Content-Type", "text/plain").rejected(),
		apiCall{name: "clear the journal", method: http.MethodDelete, path: "/__admin/requests", status: 200},
		apiGet("the clock", "/__admin/clock", 200),
		apiCall{name: "set the clock", method: http.MethodPut, path: "/__admin/clock", body: `{"now":"2026-11-25T23:59:59+09:00"}`, status: 200},
		apiCall{name: "advance the clock", method: http.MethodPut, path: "/__admin/clock", body: `{"advance":"90m"}`, status: 200},
		apiCall{name: "a bad duration", method: http.MethodPut, path: "/__admin/clock", body: `{"advance":"soon"}`, status: 400}.rejected(),
		apiCall{name: "both now and advance", method: http.MethodPut, path: "/__admin/clock", body: `{"now":"2026-11-25T23:59:59+09:00","advance":"1m"}`, status: 400}.rejected(),
		apiCall{name: "neither now nor advance", method: http.MethodPut, path: "/__admin/clock", body: `{}`, status: 400}.rejected(),
		apiCall{name: "the clock back to real time", method: http.MethodDelete, path: "/__admin/clock", status: 200},
		apiPost("reset", "/__admin/reset", "", 200),
		apiGet("404 an unknown admin path", "/__admin/nothing", 404).rejected(),
		apiPost("405 POST on the clock", "/__admin/clock", `{}`, 405).rejected(),
		apiGet("the document itself", "/__admin/openapi.yaml", 200),
		apiGet("the metrics", "/metrics", 200).withHeader("Authorization", "Bearer "+apiToken),
		apiCall{name: "the metrics' headers", method: http.MethodHead, path: "/metrics", status: 200}.withHeader("Authorization", "Bearer "+apiToken),
		apiGet("the metrics without the token", "/metrics", 401).rejected(),
		apiGet("the dashboard", "/__admin/ui", 200),
		apiGet("the dashboard's script", "/__admin/ui/app.js", 200),
		apiGet("the dashboard's styles", "/__admin/ui/style.css", 200),
		apiGet("no such dashboard file", "/__admin/ui/nope.js", 404),
		apiGet("the dashboard without the token", "/__admin/ui", 401).withHeader("Authorization", "").rejected(),
		apiGet("the dashboard with a wrong token", "/__admin/ui?token=wrong", 401).withHeader("Authorization", "").rejected(),
		apiGet("the event stream without the token", "/__admin/events", 401).withHeader("Authorization", "").rejected(),
		apiPost("resend an unknown webhook attempt", "/__admin/webhooks/42/resend", "", 404),
		apiPost("drop an unknown webhook attempt", "/__admin/webhooks/42/drop", "", 404),
	})
}

// TestEveryBuiltinScenarioAnswersAsTheOpenAPIDocumentSays sends every
// built-in scenario, by magic id, to every endpoint it answers. Faults that
// send no HTTP answer (reset, empty, hang) have nothing to check; the
// scripted delay (slow) is served on the fake clock.
func TestEveryBuiltinScenarioAnswersAsTheOpenAPIDocumentSays(t *testing.T) {
	a := newAPICheck(t, server.Config{SandboxConfig: server.SandboxConfig{CancelCompleteAfter: -1}})
	var list struct {
		Scenarios []struct {
			Name      string               `json:"name"`
			Endpoints []scenarios.Endpoint `json:"endpoints"`
			Source    scenarios.Source     `json:"source"`
		} `json:"scenarios"`
	}
	r := a.check(t, apiGet("the scenarios", "/__admin/scenarios", 200))
	require.NoError(t, json.Unmarshal(r.body, &list))
	require.NotEmpty(t, list.Scenarios)
	for _, sc := range list.Scenarios {
		require.Equal(t, scenarios.SourceBuiltin, sc.Source)
		def := a.srv.Scenarios().Lookup(sc.Name)
		require.NotNil(t, def, sc.Name)
		for _, ep := range sc.Endpoints {
			t.Run(sc.Name+" on "+string(ep), func(t *testing.T) {
				magic := fmt.Sprintf("mock-%s-%d", sc.Name, a.seq.Add(1))
				for i, resp := range def.Responses {
					switch resp.Fault {
					case scenarios.FaultReset, scenarios.FaultEmpty, scenarios.FaultHang:
						t.Skipf("fault %s sends no HTTP answer", resp.Fault)
					}
					c := a.magicCall(ep, magic).named("response %d", i+1).answering(resp.HTTPStatus())
					c.badAnswer = resp.Fault == scenarios.FaultMalformed
					if d := max(resp.Delay.Min, resp.Delay.Max); d > 0 {
						ch := a.sendAsync(t, c)
						a.clock.BlockUntil(1)
						a.clock.Advance(d)
						a.checkAnswer(t, c, <-ch)
						continue
					}
					a.check(t, c)
				}
			})
		}
	}
}

// magicCall is a valid request to ep whose id selects a scenario: cancelPgCno
// or pgCno for find, shopOrderNo for create, memo for revise.
func (a *apiCheck) magicCall(ep scenarios.Endpoint, id string) apiCall {
	switch ep {
	case scenarios.FindCancel:
		return apiPost("", kicc.PathFind, a.findCancel("25112512000010000001", id), 200)
	case scenarios.FindPayment:
		return apiPost("", kicc.PathFind, a.findPayment(id), 200)
	case scenarios.Create:
		return apiPost("", kicc.PathCreate, a.create(id, "native"), 200)
	}
	return apiPost("", kicc.PathRevise, a.revise("25112512000010000001", "memo", id), 200)
}

// TestTheOpenAPIDocumentRejectsWrongAnswers: real answers, each changed in
// one way the server never answers, must fail the document. Without this,
// a document that accepts anything would pass the tests above.
func TestTheOpenAPIDocumentRejectsWrongAnswers(t *testing.T) {
	a := newAPICheck(t, server.Config{})
	cancelReq := apiPost("", kicc.PathFind, a.findCancel("25112512000010000001", "25112512300010000002"), 200)
	paymentReq := apiPost("", kicc.PathFind, a.findPayment("25112512000010000001"), 200)
	errorReq := apiPost("", kicc.PathFind, a.findPayment("mock-error-system"), 200)
	badReq := apiPost("", kicc.PathFind, `{`, 400).rejected()
	cancel, payment, kiccErr, httpErr := a.check(t, cancelReq), a.check(t, paymentReq), a.check(t, errorReq), a.check(t, badReq)

	changed := func(r apiAnswer, f func(m map[string]any)) apiAnswer {
		m := apiObject(t, r.body)
		f(m)
		return apiAnswer{status: r.status, header: r.header, body: []byte(apiJSON(m))}
	}
	set := func(path string, v any) func(map[string]any) {
		return func(m map[string]any) {
			keys := strings.Split(path, ".")
			for _, k := range keys[:len(keys)-1] {
				m = m[k].(map[string]any)
			}
			if v == nil {
				delete(m, keys[len(keys)-1])
			} else {
				m[keys[len(keys)-1]] = v
			}
		}
	}
	// branch is the schema the answer was made from, and want what the
	// error of that schema alone must name: the whole document's error
	// reports one oneOf branch only, which need not be the telling one.
	wrong := []struct {
		name         string
		req          apiCall
		r            apiAnswer
		branch, want string
	}{
		{"cancelStatus TS99", cancelReq, changed(cancel, set("cancelStatus", "TS99")), "CancelStatusResponse", `"/cancelStatus"`},
		{"statusCd TS03", paymentReq, changed(payment, set("statusCd", "TS03")), "PaymentStatusResponse", `"/statusCd"`},
		{"no resCd", cancelReq, changed(cancel, set("resCd", nil)), "CancelStatusResponse", `property "resCd" is missing`},
		{"no resMsg", paymentReq, changed(payment, set("resMsg", nil)), "PaymentStatusResponse", `property "resMsg" is missing`},
		{"a resCd of 3 characters", errorReq, changed(kiccErr, set("resCd", "999")), "KICCError", `"/resCd"`},
		{"a success without its status", cancelReq, changed(cancel, set("cancelStatus", nil)), "CancelStatusResponse", `property "cancelStatus" is missing`},
		{"a success without amountInfo.totAmount", cancelReq, changed(cancel, set("amountInfo.totAmount", nil)), "CancelStatusResponse", `property "totAmount" is missing`},
		{"a negative amount", paymentReq, changed(payment, set("amountInfo.amount", -1)), "PaymentStatusResponse", `"/amountInfo/amount"`},
		{"an amount as a string", paymentReq, changed(payment, set("amountInfo.amount", "1000")), "PaymentStatusResponse", `"/amountInfo/amount"`},
		{"currency EUR", cancelReq, changed(cancel, set("amountInfo.currency", "EUR")), "CancelStatusResponse", `"/amountInfo/currency"`},
		{"a date with dashes", cancelReq, changed(cancel, set("transactionDate", "2025-11-25 12:00:00")), "CancelStatusResponse", `"/transactionDate"`},
		{"an approvalDate of 12 digits", paymentReq, changed(payment, set("approvalDate", "251125120000")), "PaymentStatusResponse", `"/approvalDate"`},
		{"an id of 61 bytes", cancelReq, changed(cancel, set("pgCno", strings.Repeat("1", 61))), "CancelStatusResponse", `"/pgCno"`},
		{"a payment answer with a cancelStatus", paymentReq, changed(payment, set("cancelStatus", "TS02")), "PaymentStatusResponse", `"not"`},
		{"a cancel answer with a statusCd", cancelReq, changed(cancel, set("statusCd", "TS01")), "CancelStatusResponse", `"not"`},
		{"a payment answer with a cancelPgCno", paymentReq, changed(payment, set("cancelPgCno", "25112512300010000002")), "PaymentStatusResponse", `"not"`},
		{"a business error with status fields", errorReq, changed(kiccErr, set("statusCd", "TS01")), "KICCError", `"not"`},
		{"a business error with amountInfo", errorReq, changed(kiccErr, set("amountInfo", map[string]any{"currency": "KRW", "amount": 1})), "KICCError", `"not"`},
		{"a business error with resCd 0000", errorReq, changed(kiccErr, set("resCd", "0000")), "KICCError", `"/resCd"`},
		{"an error body without message", badReq, changed(httpErr, set("message", nil)), "ErrorBody", `property "message" is missing`},
		{"an error body with a resCd", badReq, changed(httpErr, set("resCd", "1003")), "ErrorBody", `"not"`},
		{"an error body with status as a string", badReq, changed(httpErr, set("status", "400")), "ErrorBody", `"/status"`},
		{"an answer without charset", cancelReq, withContentType(cancel, "application/json"), "", `Content-Type has unexpected value: "application/json"`},
		{"an answer as text", cancelReq, withContentType(cancel, "text/plain; charset=utf-8"), "", "Content-Type has unexpected value"},
		{"an undocumented status", cancelReq, apiAnswer{status: http.StatusTeapot, header: cancel.header, body: httpErr.body}, "", "status is not supported"},
	}
	for _, w := range wrong {
		t.Run(w.name, func(t *testing.T) {
			_, err := a.validate(t, w.req, w.r)
			require.Error(t, err, "answer %s", w.r.body)
			if w.branch == "" {
				assert.ErrorContains(t, err, w.want)
				return
			}
			schema := a.doc.Components.Schemas[w.branch]
			require.NotNil(t, schema, w.branch)
			var v any
			require.NoError(t, json.Unmarshal(w.r.body, &v))
			err = schema.Value.VisitJSON(v, openapi3.MultiErrors())
			require.Error(t, err, "%s accepts %s", w.branch, w.r.body)
			assert.ErrorContains(t, err, w.want)
		})
	}
}

func withContentType(r apiAnswer, ct string) apiAnswer {
	h := r.header.Clone()
	h.Set("Content-Type", ct)
	return apiAnswer{status: r.status, header: h, body: bytes.Clone(r.body)}
}
