package pipeline

import (
	"errors"
	"fmt"

	"github.com/kicc-mock/kicc-mock/kicc"
	"github.com/kicc-mock/kicc-mock/store"
)

// Mode selects how a reused shopTransactionId is answered.
type Mode string

// The modes of --idempotency.
const (
	// ModeKICC is KICC's documented rule: a key reused by the same mallId
	// before the next 00:00 KST gets resCd 1010, never a replay.
	ModeKICC Mode = "kicc"
	// ModeReplay is Stripe's rule, for clients written against it: the same
	// key with the same request answers the first response byte for byte;
	// with a different request, 1010.
	ModeReplay Mode = "replay"
	// ModeOff accepts every key.
	ModeOff Mode = "off"
)

// Validate reports an unknown mode.
func (m Mode) Validate() error {
	switch m {
	case ModeKICC, ModeReplay, ModeOff:
		return nil
	}
	return fmt.Errorf("unknown idempotency mode %q (want kicc, replay or off)", string(m))
}

// What resMsg names (after 시스템 오류) when the ledger's database could not
// record a key or an answer: whether the key was used decides what a retry
// gets, so it says.
const (
	keyNotRecorded           = "shopTransactionId could not be recorded (%s); it is not used, retry later"
	answerNotRecorded        = "the answer could not be recorded (%s); shopTransactionId is not used, retry later"
	answerNotRecordedKeyUsed = "the answer could not be recorded (%s); shopTransactionId stays used"
)

// keyOutcome is what the ledger decided about one request.
type keyOutcome struct {
	proceed bool
	replay  []byte // replay mode: the first answer, sent as is
	resCd   string // when neither: the KICC error to answer
	detail  string // named in resMsg
}

// claimKey checks and records the request's idempotency key. It runs only
// after validation: a rejected request does not use up its key. A key the
// ledger could not record durably is not used: the request is refused
// (9999), and a retry is a first request again, before a restart or after.
func (p *Pipeline) claimKey(call *Call, ep Endpoint) keyOutcome {
	if p.Mode == ModeOff {
		return keyOutcome{proceed: true}
	}
	fp := p.fingerprint(call, ep)
	claim, err := p.Ledger.Claim(call.Now, call.Req.Merchant(), call.Req.Key(), fp)
	switch {
	case errors.Is(err, store.ErrFull):
		return keyOutcome{resCd: kicc.ResSystem, detail: "idempotency ledger full; raise --max-keys or reset"}
	case errors.Is(err, store.ErrNotRecorded):
		p.Log.Error("idempotency key not recorded; refused", "mallId", call.Req.Merchant(), "shopTransactionId", call.Req.Key(), "error", err)
		return keyOutcome{resCd: kicc.ResSystem, detail: fmt.Sprintf(keyNotRecorded, rootCause(err))}
	case err != nil:
		p.Log.Error("idempotency ledger", "error", err)
		return keyOutcome{resCd: kicc.ResSystem, detail: "idempotency ledger error"}
	case claim.First:
		call.claimed = true
		return keyOutcome{proceed: true}
	case p.Mode == ModeReplay && claim.Fingerprint == fp && claim.Response != nil:
		return keyOutcome{replay: claim.Response}
	}
	return keyOutcome{resCd: kicc.ResDuplicate, detail: "shopTransactionId"}
}

// settleKey keeps the answer of a first request for replay mode. When the
// answer cannot be recorded the ledger keeps the key used without an
// answer, as a restart would find it, and settleKey returns the error.
func (p *Pipeline) settleKey(call *Call, response []byte) error {
	if p.Mode != ModeReplay {
		return nil
	}
	err := p.Ledger.Settle(call.Now, call.Req.Merchant(), call.Req.Key(), append([]byte(nil), response...))
	if err != nil {
		p.Log.Error("replay answer not recorded", "mallId", call.Req.Merchant(), "shopTransactionId", call.Req.Key(), "error", err)
	}
	return err
}

// refuseUnsettled releases the key of a request whose answer settleKey
// could not record, which is refused instead of answered, and returns the
// detail of the refusal (9999): released, a retry is a first request again.
func (p *Pipeline) refuseUnsettled(call *Call, err error) string {
	if !p.releaseKey(call) {
		return fmt.Sprintf(answerNotRecordedKeyUsed, rootCause(err))
	}
	return fmt.Sprintf(answerNotRecorded, rootCause(err))
}

// releaseKey forgets the key this call claimed, so that a retry is a first
// request again; false when the ledger could not (the key stays used).
func (p *Pipeline) releaseKey(call *Call) bool {
	if !call.claimed {
		return true
	}
	if err := p.Ledger.Release(call.Now, call.Req.Merchant(), call.Req.Key()); err != nil {
		p.Log.Error("idempotency key not released; it stays used", "mallId", call.Req.Merchant(), "shopTransactionId", call.Req.Key(), "error", err)
		return false
	}
	call.claimed = false
	return true
}

// rootCause is the innermost error of err's chain ("no space left on
// device"), short enough for a resMsg.
func rootCause(err error) string {
	for {
		switch u := err.(type) {
		case interface{ Unwrap() []error }:
			if errs := u.Unwrap(); len(errs) > 0 {
				err = errs[len(errs)-1]
				continue
			}
		case interface{ Unwrap() error }:
			if next := u.Unwrap(); next != nil {
				err = next
				continue
			}
		}
		return err.Error()
	}
}

// fingerprint identifies a request's content for replay mode: the path and
// the decoded fields, so re-encoding the same JSON differently is still "the
// same body". Only replay mode compares fingerprints, so the other modes
// skip the hashing.
//
// The fields are hashed NUL-separated, with NUL and 0x01 inside a field
// escaped (0x01 0x01 and 0x01 0x02), so that no byte a field holds can pass
// for a separator: ("a\x00", "b") and ("a", "\x00b") differ. Fields free of
// both bytes hash as they did before the escaping, so the fingerprints a
// --data-dir holds from an earlier version still match.
func (p *Pipeline) fingerprint(call *Call, ep Endpoint) uint64 {
	if p.Mode != ModeReplay {
		return 0
	}
	const prime = 1099511628211
	h := uint64(14695981039346656037) // FNV-1a
	first := true
	add := func(str string) {
		if !first {
			h *= prime // the NUL between fields (FNV-1a of a zero byte)
		}
		first = false
		for i := 0; i < len(str); i++ {
			c := str[i]
			if c <= 1 {
				h = (h ^ 1) * prime
				c++
			}
			h = (h ^ uint64(c)) * prime
		}
	}
	add(call.HTTP.URL.Path)
	add(call.Req.Merchant())
	add(call.Req.Key())
	ep.Fingerprint(call.Req, add)
	return h
}
