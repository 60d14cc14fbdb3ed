package scenarios

import (
	"slices"
	"time"

	"github.com/kicc-mock/kicc-mock/fault"
)

// Endpoint names a KICC operation a scenario can answer.
type Endpoint string

// The endpoints. FindCancel and FindPayment are the two inquiries that share
// POST /api/trades/wechatpay/find; Create and Revise are reserved for the
// endpoints still to come, so files written today keep working then.
const (
	FindCancel  Endpoint = "find-cancel"
	FindPayment Endpoint = "find-payment"
	Create      Endpoint = "create"
	Revise      Endpoint = "revise"
)

// Endpoints lists every endpoint in documentation order.
var Endpoints = []Endpoint{FindCancel, FindPayment, Create, Revise}

// Known reports whether e is one of Endpoints.
func (e Endpoint) Known() bool { return slices.Contains(Endpoints, e) }

// Source says where a scenario came from.
type Source string

// The sources, in the order their layers are stacked: a later layer replaces
// a scenario of the same name from an earlier one.
const (
	SourceBuiltin Source = "builtin"
	SourceFile    Source = "file"
	SourceRuntime Source = "runtime"
)

// The built-in faults' names. Package fault registers every fault, these
// and any added later; the parser, schema.json and the documentation read
// the names from its registry.
const (
	FaultReset     = "reset"     // the TCP connection is reset (RST): ECONNRESET
	FaultEmpty     = "empty"     // the connection closes before any byte: EOF
	FaultMalformed = "malformed" // HTTP 200 with a truncated JSON body
	FaultHang      = "hang"      // nothing is sent until the client gives up
)

// Faults lists the registered faults' names, sorted.
var Faults = fault.Names()

// Scenario is one named way of answering. It is immutable once parsed, so a
// Set can be shared by every request without locks.
type Scenario struct {
	Name        string
	Description string
	// Endpoints it answers; empty means any.
	Endpoints []Endpoint
	// Match holds the conditions of rule-based selection, all of which must
	// hold. A scenario without Match is chosen only by name (header, magic
	// id, default).
	Match    []Condition
	Priority int
	// SequenceKey is the request field whose value keys the sequence of
	// Responses; empty means one sequence for all requests.
	SequenceKey string
	// Responses are given one per call; the last one repeats.
	Responses []*Response
	Source    Source
	File      string
	Line      int
}

// AppliesTo reports whether s answers requests to ep.
func (s *Scenario) AppliesTo(ep Endpoint) bool {
	return len(s.Endpoints) == 0 || slices.Contains(s.Endpoints, ep)
}

// Response returns the response for the n-th call (0-based): the last one
// repeats once the list is exhausted.
func (s *Scenario) Response(n int) *Response {
	if n >= len(s.Responses) {
		n = len(s.Responses) - 1
	}
	if n < 0 {
		n = 0
	}
	return s.Responses[n]
}

// IsSequence reports whether the scenario answers differently over calls.
func (s *Scenario) IsSequence() bool { return len(s.Responses) > 1 }

// Response is one scripted answer.
type Response struct {
	// Status is the HTTP status; 0 means 200.
	Status int
	// Body holds the fields to send, in the YAML's order; nil when none were
	// given. For HTTP 200 they are laid over the realistic default answer.
	Body  *Value
	Delay Delay
	// Fault names the fault answering instead of an answer, "" for none;
	// FaultParams are its parameters as the file gives them, and FaultImpl
	// the fault built from them.
	Fault       string
	FaultParams fault.Params
	FaultImpl   fault.Fault
	// Reached, when set, says whether KICC saw a request this response
	// answers (the file's reachedKicc); see ReachedKICC.
	Reached *bool
	// Webhook scripts the webhook that follows a create or revise answered
	// by this response; nil sends it as usual.
	Webhook *Webhook
	Line    int
}

// Webhook changes how the sandbox sends the webhook of a transaction: never
// (Drop: "the cancellation webhook never arrives", so the app must fall back
// to find), only after Delay, or (Fail, revise only) as a failure: WeChat
// refused the refund, the notification carries FailResCd, and the cancel
// does not take effect.
type Webhook struct {
	Drop      bool
	Delay     time.Duration
	Fail      bool
	FailResCd string // "2001" unless given
}

// ReachedKICC reports whether a request this response answers counts as
// one KICC received, and so uses up its idempotency key. An answer a
// gateway in front of KICC gives did not get there: HTTP 502, 503 and 504,
// and the faults whose kind says so (a reset, an empty reply). The file's
// reachedKicc overrides.
func (r *Response) ReachedKICC() bool {
	switch {
	case r.Reached != nil:
		return *r.Reached
	case r.FaultImpl != nil:
		k, _ := fault.Lookup(r.Fault)
		return k.ReachedKICC
	}
	switch r.Status {
	case 502, 503, 504:
		return false
	}
	return true
}

// HTTPStatus is Status with its default applied.
func (r *Response) HTTPStatus() int {
	if r.Status == 0 {
		return 200
	}
	return r.Status
}

// Delay is how long to wait before answering: Min when Max equals it,
// otherwise a uniform pick in [Min, Max].
type Delay struct {
	Min, Max time.Duration
}

// Pick chooses a duration; rnd(n) returns a uniform number in [0, n).
func (d Delay) Pick(rnd func(n int64) int64) time.Duration {
	if d.Max <= d.Min {
		return d.Min
	}
	return d.Min + time.Duration(rnd(int64(d.Max-d.Min)+1))
}
