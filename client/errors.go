package client

import (
	"errors"
	"fmt"

	"github.com/kicc-mock/kicc-mock/kicc"
)

// Sentinels for the resCd values a caller branches on; match them with
// errors.Is(err, client.ErrDuplicate). The codes are kicc-mock's defaults
// (KICC publishes none); see the README's code table.
var (
	// ErrDuplicate: the shopTransactionId was already used today (KST). For
	// a read-only inquiry, call again with a fresh key (the client makes one
	// when ShopTransactionID is empty).
	ErrDuplicate = errors.New("kicc: duplicate shopTransactionId")
	// ErrNotFound: KICC knows no such pgCno/cancelPgCno.
	ErrNotFound = errors.New("kicc: transaction not found")
	// ErrInvalid: a field was missing, too long or malformed (1001-1003).
	ErrInvalid = errors.New("kicc: invalid request field")
)

// Error is a KICC answer at HTTP 200 whose resCd is not "0000".
type Error struct {
	ResCd  string
	ResMsg string
	// ResDetailMsg is WeChat's detail, URL-decoded (KICC sends it encoded).
	ResDetailMsg string
}

func (e *Error) Error() string {
	s := fmt.Sprintf("kicc: resCd %s: %s", e.ResCd, e.ResMsg)
	if e.ResDetailMsg != "" {
		s += " (" + e.ResDetailMsg + ")"
	}
	return s
}

// Is matches the sentinels by resCd.
func (e *Error) Is(target error) bool {
	switch target {
	case ErrDuplicate:
		return e.ResCd == kicc.ResDuplicate
	case ErrNotFound:
		return e.ResCd == kicc.ResNotFound
	case ErrInvalid:
		return e.ResCd == kicc.ResMissing || e.ResCd == kicc.ResTooLong || e.ResCd == kicc.ResFormat
	}
	return false
}

// HTTPError is an answer with an HTTP status other than 200. KICC uses 4xx
// for requests it cannot read and 5xx for its own failures; callers usually
// retry 502, 503 and 504.
type HTTPError struct {
	StatusCode int
	Body       string // the start of the body, for diagnosis
}

func (e *HTTPError) Error() string {
	return fmt.Sprintf("kicc: HTTP %d: %s", e.StatusCode, e.Body)
}

// Temporary reports whether retrying with a fresh key may succeed.
func (e *HTTPError) Temporary() bool {
	return e.StatusCode == 502 || e.StatusCode == 503 || e.StatusCode == 504
}
