package lint

import (
	"encoding/binary"
	"encoding/json"
	"hash/maphash"
	"sync"
	"time"

	"github.com/kicc-mock/kicc-mock/kicc"
)

// keyHistory remembers, for the most recent idempotency keys, which
// endpoint first used each one and whether its request ended in a
// transport error that left the key free. It is bounded: past its size the
// oldest keys are forgotten (a finding about them is missed, nothing
// else). Keys are 64-bit hashes of the merchant and the key, length-
// prefixed so that no two pairs run together.
type keyHistory struct {
	mu    sync.Mutex
	seed  maphash.Seed
	byKey map[uint64]keyUse
	order []uint64 // a ring of the keys held, oldest at next once full
	next  int
	size  int
}

type keyUse struct {
	day      int64  // KST day of the first use
	endpoint string // where it was used
	fault    string // non-empty: its request ended in this transport error, the key left free
	at       time.Time
}

// DefaultKeyHistory is how many recent keys the linter remembers.
const DefaultKeyHistory = 1 << 16

func (h *keyHistory) init(size int) {
	if size <= 0 {
		size = DefaultKeyHistory
	}
	h.seed = maphash.MakeSeed()
	h.byKey = map[uint64]keyUse{}
	h.size = size
}

func (h *keyHistory) hash(mallID, key string) uint64 {
	var b [96]byte
	buf := binary.AppendUvarint(b[:0], uint64(len(mallID)))
	buf = append(append(buf, mallID...), key...)
	return maphash.Bytes(h.seed, buf)
}

func (h *keyHistory) put(k uint64, u keyUse) {
	if _, held := h.byKey[k]; !held {
		if len(h.order) < h.size {
			h.order = append(h.order, k)
		} else {
			delete(h.byKey, h.order[h.next])
			h.order[h.next] = k
			h.next = (h.next + 1) % len(h.order)
		}
	}
	h.byKey[k] = u
}

// Claimed records that endpoint used (mallID, key) at now.
func (l *Linter) Claimed(now time.Time, mallID, key, endpoint string) {
	if !l.Enabled() {
		return
	}
	h := &l.keys
	k := h.hash(mallID, key)
	h.mu.Lock()
	defer h.mu.Unlock()
	if u, ok := h.byKey[k]; ok && u.day == kicc.Day(now) && u.fault == "" {
		return // the first use stays the one findings name
	}
	h.put(k, keyUse{day: kicc.Day(now), endpoint: endpoint, at: now})
}

// Released records that the request of (mallID, key) ended in a transport
// error (fault) that did not reach KICC, so its key was left free.
func (l *Linter) Released(now time.Time, mallID, key, endpoint, fault string) {
	if !l.Enabled() {
		return
	}
	h := &l.keys
	k := h.hash(mallID, key)
	h.mu.Lock()
	defer h.mu.Unlock()
	h.put(k, keyUse{day: kicc.Day(now), endpoint: endpoint, fault: fault, at: now})
}

func (l *Linter) checkKey(r *Request, out []Finding) []Finding {
	h := &l.keys
	k := h.hash(r.Req.Merchant(), r.Req.Key())
	h.mu.Lock()
	u, ok := h.byKey[k]
	h.mu.Unlock()
	if !ok || u.day != kicc.Day(r.Now) {
		return out
	}
	at := u.at.In(kicc.KST).Format("15:04:05")
	switch {
	case u.fault != "":
		return append(out, finding(RetryAfterFault, "shopTransactionId",
			"shopTransactionId %s was sent at %s KST and its request ended in %s, which never reached KICC, so the key is still free; had KICC answered late instead (a timeout), this retry would be a duplicate (1010)", r.Req.Key(), at, u.fault))
	case u.endpoint != r.Endpoint:
		return append(out, finding(KeyAcrossEndpoints, "shopTransactionId",
			"shopTransactionId %s was already used by this mallId on %s at %s KST; KICC's keys are unique per merchant and day across its API", r.Req.Key(), u.endpoint, at))
	}
	return out
}

// unquote reads a JSON string with escapes.
func unquote(raw []byte) (string, bool) {
	var s string
	return s, json.Unmarshal(raw, &s) == nil
}
