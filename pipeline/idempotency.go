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

// keyOutcome is what the ledger decided about one request.
type keyOutcome struct {
	proceed bool
	replay  []byte // replay mode: the first answer, sent as is
	resCd   string // when neither: the KICC error to answer
	detail  string // named in resMsg
}

// claimKey checks and records the request's idempotency key. It runs only
// after validation: a rejected request does not use up its key.
func (p *Pipeline) claimKey(call *Call, ep Endpoint) keyOutcome {
	if p.Mode == ModeOff {
		return keyOutcome{proceed: true}
	}
	fp := p.fingerprint(call, ep)
	claim, err := p.Ledger.Claim(call.Now, call.Req.Merchant(), call.Req.Key(), fp)
	switch {
	case errors.Is(err, store.ErrFull):
		return keyOutcome{resCd: kicc.ResSystem, detail: "idempotency ledger full; raise --max-keys or reset"}
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

// settleKey keeps the answer of a first request for replay mode.
func (p *Pipeline) settleKey(call *Call, response []byte) {
	if p.Mode == ModeReplay {
		p.Ledger.Settle(call.Now, call.Req.Merchant(), call.Req.Key(), append([]byte(nil), response...))
	}
}

// fingerprint identifies a request's content for replay mode: the path and
// the decoded fields, so re-encoding the same JSON differently is still "the
// same body". Only replay mode compares fingerprints, so the other modes
// skip the hashing.
func (p *Pipeline) fingerprint(call *Call, ep Endpoint) uint64 {
	if p.Mode != ModeReplay {
		return 0
	}
	h := uint64(14695981039346656037) // FNV-1a
	add := func(str string) {
		h *= 1099511628211 // a NUL between fields (FNV-1a of a zero byte)
		for i := 0; i < len(str); i++ {
			h = (h ^ uint64(str[i])) * 1099511628211
		}
	}
	add(call.HTTP.URL.Path)
	add(call.Req.Merchant())
	add(call.Req.Key())
	ep.Fingerprint(call.Req, add)
	return h
}
