// Package client is a Go client for KICC's (EasyPay) WeChat Pay API, usable
// in production against KICC and in tests against kicc-mock. It follows the
// spec's rules: a 30 s timeout, a fresh shopTransactionId for every call (KICC
// refuses a reused one until midnight), and a typed *Error for every answer
// whose resCd is not "0000".
package client

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/kicc-mock/kicc-mock/kicc"
)

// KICC's hosts for the /api/trades family.
const (
	SandboxURL    = "https://testpgapi.easypay.co.kr"
	ProductionURL = "https://pgapi.easypay.co.kr"
)

// DefaultTimeout is the spec's: "Since retrieving the final status takes
// time, you must set the timeout to 30 seconds."
const DefaultTimeout = 30 * time.Second

// maxResponse caps how much of an answer is read; KICC's largest field is
// 1,024 bytes.
const maxResponse = 1 << 20

// Client calls KICC for one merchant (mallId). It is safe for concurrent use.
type Client struct {
	baseURL string
	mallID  string
	http    *http.Client
	newKey  func() string
	secret  string
}

// Option configures a Client.
type Option func(*Client)

// WithHTTPClient uses hc instead of a client with DefaultTimeout.
func WithHTTPClient(hc *http.Client) Option { return func(c *Client) { c.http = hc } }

// WithTimeout sets the timeout of the default HTTP client.
func WithTimeout(d time.Duration) Option {
	return func(c *Client) { c.http = &http.Client{Timeout: d} }
}

// WithKeyFunc replaces the shopTransactionId generator (32 upper-case hex
// characters from crypto/rand by default).
func WithKeyFunc(f func() string) Option { return func(c *Client) { c.newKey = f } }

// WithSecretKey sets the merchant's secret key, with which CancelPayment
// computes msgAuthValue.
func WithSecretKey(key string) Option { return func(c *Client) { c.secret = key } }

// New returns a client for the KICC API at baseURL (SandboxURL,
// ProductionURL or a kicc-mock URL) acting as merchant mallID.
func New(baseURL, mallID string, opts ...Option) *Client {
	c := &Client{
		baseURL: strings.TrimRight(baseURL, "/"),
		mallID:  mallID,
		http:    &http.Client{Timeout: DefaultTimeout},
		newKey:  NewTransactionID,
	}
	for _, o := range opts {
		o(c)
	}
	return c
}

// MallID is the merchant this client acts for.
func (c *Client) MallID() string { return c.mallID }

// NewTransactionID returns a fresh shopTransactionId: 32 upper-case hex
// characters, the shape seen in real KICC traffic.
func NewTransactionID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	return strings.ToUpper(hex.EncodeToString(b[:]))
}

// FindCancellationRequest asks for a cancellation's status.
type FindCancellationRequest struct {
	PgCno       string // the payment's id, from Create Transaction
	CancelPgCno string // the cancellation's id, from Cancel Payment
	// ShopTransactionID is this inquiry's idempotency key; empty means a
	// fresh one. Reusing a key the same KST day answers ErrDuplicate.
	ShopTransactionID string
}

// FindPaymentRequest asks for a payment's status.
type FindPaymentRequest struct {
	PgCno             string
	ShopTransactionID string // empty means a fresh key
}

// FindCancellation calls Check Cancellation Status. On resCd "0000" it
// returns the answer; otherwise an *Error.
func (c *Client) FindCancellation(ctx context.Context, r FindCancellationRequest) (*kicc.CancelStatusResponse, error) {
	if r.CancelPgCno == "" {
		return nil, errors.New("kicc client: FindCancellation needs CancelPgCno (without it KICC answers the payment's status)")
	}
	req := kicc.FindRequest{MallID: c.mallID, ShopTransactionID: c.key(r.ShopTransactionID), PgCno: r.PgCno, CancelPgCno: r.CancelPgCno}
	var resp kicc.CancelStatusResponse
	if err := c.post(ctx, kicc.PathFind, &req, &resp, &resp.ResCd, &resp.ResMsg, &resp.ResDetailMsg); err != nil {
		return nil, err
	}
	return &resp, nil
}

// FindPayment calls Check Payment Status.
func (c *Client) FindPayment(ctx context.Context, r FindPaymentRequest) (*kicc.PaymentStatusResponse, error) {
	req := kicc.FindRequest{MallID: c.mallID, ShopTransactionID: c.key(r.ShopTransactionID), PgCno: r.PgCno}
	var resp kicc.PaymentStatusResponse
	if err := c.post(ctx, kicc.PathFind, &req, &resp, &resp.ResCd, &resp.ResMsg, &resp.ResDetailMsg); err != nil {
		return nil, err
	}
	return &resp, nil
}

func (c *Client) key(k string) string {
	if k != "" {
		return k
	}
	return c.newKey()
}

// post sends in as JSON and decodes the answer into out. resCd, resMsg and
// resDetailMsg point into out, so the envelope is checked without decoding
// twice.
func (c *Client) post(ctx context.Context, path string, in, out any, resCd, resMsg, resDetail *string) error {
	body, err := json.Marshal(in)
	if err != nil {
		return fmt.Errorf("kicc client: encoding request: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.baseURL+path, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("kicc client: %w", err)
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("Accept", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("kicc client: POST %s: %w", path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if err != nil {
		return fmt.Errorf("kicc client: POST %s: reading answer: %w", path, err)
	}
	if resp.StatusCode != http.StatusOK {
		// KICC sends resCd/resMsg only with HTTP 200; other statuses are
		// transport-level failures.
		return &HTTPError{StatusCode: resp.StatusCode, Body: truncate(data, 512)}
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("kicc client: POST %s: answer is not KICC JSON: %w (body %q)", path, err, truncate(data, 200))
	}
	if *resCd == "" {
		return fmt.Errorf("kicc client: POST %s: answer has no resCd (body %q)", path, truncate(data, 200))
	}
	if *resCd != kicc.ResOK {
		e := &Error{ResCd: *resCd, ResMsg: *resMsg, ResDetailMsg: *resDetail}
		if d, err := url.QueryUnescape(*resDetail); err == nil {
			e.ResDetailMsg = d
		}
		return e
	}
	return nil
}

func truncate(b []byte, n int) string {
	if len(b) > n {
		return string(b[:n]) + "…"
	}
	return string(b)
}
