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

// What resMsg names (after 시스템 오류) when the ledger's database could not
// record a key or an answer: whether the key was used decides what a
// retry gets, so it says.
const (
	keyNotRecorded           = "shopTransactionId could not be recorded (%s); it is not used, retry later"
	answerNotRecorded        = "the answer could not be recorded (%s); shopTransactionId is not used, retry later"
	answerNotRecordedKeyUsed = "the answer could not be recorded (%s); shopTransactionId stays used"
)

// claimKey checks and records the request's idempotency key. It runs only
// after validation: a rejected request does not use up its key. A key the
// ledger could not record durably is not used: the request is refused
// (9999), and a retry is a first request again, before a restart or after.
func (s *Server) claimKey(now time.Time, mallID, key string, fingerprint uint64) keyOutcome {
	if s.cfg.Idempotency == IdempotencyOff {
		return keyOutcome{proceed: true}
	}
	claim, err := s.ledger.Claim(now, mallID, key, fingerprint)
	switch {
	case errors.Is(err, store.ErrFull):
		return keyOutcome{resCd: kicc.ResSystem, detail: "idempotency ledger full; raise --max-keys or reset"}
	case errors.Is(err, store.ErrNotRecorded):
		s.log.Error("idempotency key not recorded; refused", "mallId", mallID, "shopTransactionId", key, "error", err)
		return keyOutcome{resCd: kicc.ResSystem, detail: fmt.Sprintf(keyNotRecorded, rootCause(err))}
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

// settleKey keeps the answer of a first request for replay mode. When the
// answer cannot be recorded the ledger keeps the key used without an
// answer, as a restart would find it, and settleKey returns the error: a
// caller that has not answered yet refuses the request with refuseUnsettled
// instead; one that has (its answer is out) leaves it at that, and a retry
// gets 1010 before and after a restart alike.
func (s *Server) settleKey(now time.Time, mallID, key string, response []byte) error {
	if s.cfg.Idempotency != IdempotencyReplay {
		return nil
	}
	err := s.ledger.Settle(now, mallID, key, response)
	if err != nil {
		s.log.Error("replay answer not recorded", "mallId", mallID, "shopTransactionId", key, "error", err)
	}
	return err
}

// refuseUnsettled releases the key of a request whose answer settleKey
// could not record, which is refused instead of answered, and returns the
// detail of the refusal (9999): released, a retry is a first request again.
func (s *Server) refuseUnsettled(now time.Time, mallID, key string, err error) string {
	if rerr := s.ledger.Release(now, mallID, key); rerr != nil {
		s.log.Error("idempotency key not released; it stays used", "mallId", mallID, "shopTransactionId", key, "error", rerr)
		return fmt.Sprintf(answerNotRecordedKeyUsed, rootCause(err))
	}
	return fmt.Sprintf(answerNotRecorded, rootCause(err))
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

// fingerprint identifies a request's content for replay mode: the endpoint
// and the decoded fields, so re-encoding the same JSON differently is still
// "the same body". Only replay mode compares fingerprints, so the other modes
// skip the hashing.
//
// The fields are hashed NUL-separated, with NUL and 0x01 inside a field
// escaped (0x01 0x01 and 0x01 0x02), so that no byte a field holds can pass
// for a separator: ("a\x00", "b") and ("a", "\x00b") differ. Fields free of
// both bytes hash as they did before the escaping, so the fingerprints a
// --data-dir holds from an earlier version still match.
func (s *Server) fingerprint(path string, fields ...string) uint64 {
	if s.cfg.Idempotency != IdempotencyReplay {
		return 0
	}
	const prime = 1099511628211
	h := uint64(14695981039346656037) // FNV-1a, inline: no allocation
	add := func(str string) {
		for i := 0; i < len(str); i++ {
			c := str[i]
			if c <= 1 {
				h = (h ^ 1) * prime
				c++
			}
			h = (h ^ uint64(c)) * prime
		}
	}
	add(path)
	for _, f := range fields {
		h *= prime // the NUL between fields (FNV-1a of a zero byte)
		add(f)
	}
	return h
}
