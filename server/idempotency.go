package server

import (
	"errors"
	"fmt"
	"time"

	"github.com/kicc-mock/kicc-mock/kicc"
	"github.com/kicc-mock/kicc-mock/store"
)

// IdempotencyMode selects how a reused shopTransactionId is answered.
type IdempotencyMode string

// The modes of --idempotency.
const (
	// IdempotencyKICC is KICC's documented rule: a key reused by the same
	// mallId before the next 00:00 KST gets resCd 1010, never a replay.
	IdempotencyKICC IdempotencyMode = "kicc"
	// IdempotencyReplay is Stripe's rule, for clients written against it: the
	// same key with the same request answers the first response byte for
	// byte; with a different request, 1010.
	IdempotencyReplay IdempotencyMode = "replay"
	// IdempotencyOff accepts every key.
	IdempotencyOff IdempotencyMode = "off"
)

// Validate reports an unknown mode.
func (m IdempotencyMode) Validate() error {
	switch m {
	case IdempotencyKICC, IdempotencyReplay, IdempotencyOff:
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
func (s *Server) claimKey(now time.Time, mallID, key string, fingerprint uint64) keyOutcome {
	if s.cfg.Idempotency == IdempotencyOff {
		return keyOutcome{proceed: true}
	}
	claim, err := s.ledger.Claim(now, mallID, key, fingerprint)
	switch {
	case errors.Is(err, store.ErrFull):
		return keyOutcome{resCd: kicc.ResSystem, detail: "idempotency ledger full; raise --max-keys or reset"}
	case err != nil:
		s.log.Error("idempotency ledger", "error", err)
		return keyOutcome{resCd: kicc.ResSystem, detail: "idempotency ledger error"}
	case claim.First:
		return keyOutcome{proceed: true}
	case s.cfg.Idempotency == IdempotencyReplay && claim.Fingerprint == fingerprint && claim.Response != nil:
		return keyOutcome{replay: claim.Response}
	}
	return keyOutcome{resCd: kicc.ResDuplicate, detail: "shopTransactionId"}
}

// settleKey keeps the answer of a first request for replay mode.
func (s *Server) settleKey(now time.Time, mallID, key string, response []byte) {
	if s.cfg.Idempotency == IdempotencyReplay {
		s.ledger.Settle(now, mallID, key, response)
	}
}

// fingerprint identifies a request's content for replay mode: the endpoint
// and the decoded fields, so re-encoding the same JSON differently is still
// "the same body". Only replay mode compares fingerprints, so the other modes
// skip the hashing.
func (s *Server) fingerprint(path string, fields ...string) uint64 {
	if s.cfg.Idempotency != IdempotencyReplay {
		return 0
	}
	h := uint64(14695981039346656037) // FNV-1a, inline: no allocation
	add := func(str string) {
		for i := 0; i < len(str); i++ {
			h = (h ^ uint64(str[i])) * 1099511628211
		}
	}
	add(path)
	for _, f := range fields {
		h *= 1099511628211 // a NUL between fields (FNV-1a of a zero byte)
		add(f)
	}
	return h
}
