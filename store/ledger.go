package store

import (
	"errors"
	"hash/maphash"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kicc-mock/kicc-mock/kicc"
)

// ErrFull is returned by Claim when the ledger holds its configured maximum of
// keys: the mock answers a clear error instead of exhausting memory.
var ErrFull = errors.New("idempotency ledger is full")

// Claim is the outcome of Ledger.Claim.
type Claim struct {
	// First is true when this call recorded the key: the request proceeds.
	First bool
	// Fingerprint is what the first request recorded (a hash of its body).
	Fingerprint uint64
	// Response is the first request's answer once Settle stored it; nil while
	// the first request is still being answered, and always in kicc mode.
	Response []byte
}

// Ledger is KICC's idempotency rule as state: a shopTransactionId used by a
// mallId stays used until the next 00:00 KST.
type Ledger interface {
	// Claim checks and records (mallID, key) for the KST day of now in one
	// atomic step: of concurrent calls with one key exactly one gets First.
	Claim(now time.Time, mallID, key string, fingerprint uint64) (Claim, error)
	// Settle stores the answer of a First claim, for replay mode.
	Settle(now time.Time, mallID, key string, response []byte)
	// Len is the number of keys held.
	Len() int
	// Reset forgets every key.
	Reset()
}

const shardCount = 64 // a power of two; enough to keep 2..16 cores off each other's locks

// Memory is the in-memory Ledger. It keeps one generation of keys per KST day
// and holds at most the current and the previous day, so memory does not grow
// across days: a key's life ends at midnight, and so does its storage.
type Memory struct {
	max   int // 0 = unbounded
	seeds [2]maphash.Seed
	keys  atomic.Int64

	cur  atomic.Pointer[generation] // the newest day, the fast path
	mu   sync.Mutex                 // guards gens
	gens map[int64]*generation
}

type generation struct {
	day    int64
	shards [shardCount]shard
}

// keyHash identifies (mallId, shopTransactionId): 128 bits from two
// independently seeded hashes. A pointer-free key keeps the whole ledger
// out of the garbage collector's marking work (a map of strings with a
// million keys costs every GC cycle a walk over a million pointers) and
// takes about a third of the memory. Two distinct keys collide with
// probability about n^2/2^129: 10^-26 for ten million keys.
type keyHash [2]uint64

type shard struct {
	mu        sync.Mutex
	keys      map[keyHash]uint64 // key -> body fingerprint
	responses map[keyHash][]byte // replay mode only
	_         [40]byte           // keep shards on separate cache lines
}

// NewMemory returns an empty ledger holding at most max keys (0: no limit).
func NewMemory(max int) *Memory {
	m := &Memory{max: max, seeds: [2]maphash.Seed{maphash.MakeSeed(), maphash.MakeSeed()}, gens: map[int64]*generation{}}
	return m
}

func newGeneration(day int64) *generation {
	return &generation{day: day}
}

// generationFor returns the generation of day, creating it and dropping
// stale days when the clock has moved. The clock may also move backwards (an
// admin sets an earlier date): days after the new one are dropped then too.
func (m *Memory) generationFor(day int64) *generation {
	if g := m.cur.Load(); g != nil && g.day == day {
		return g
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if g, ok := m.gens[day]; ok {
		return g
	}
	g := newGeneration(day)
	m.gens[day] = g
	newest := m.cur.Load()
	if newest == nil || day > newest.day || day < newest.day-1 {
		// A new current day: keep it and the day before (requests stamped just
		// before midnight may still be in flight), drop everything else.
		for d, old := range m.gens {
			if d != day && d != day-1 {
				m.keys.Add(-int64(old.len()))
				delete(m.gens, d)
			}
		}
		m.cur.Store(g)
	}
	return g
}

func (g *generation) len() int {
	n := 0
	for i := range g.shards {
		s := &g.shards[i]
		s.mu.Lock()
		n += len(s.keys)
		s.mu.Unlock()
	}
	return n
}

func (m *Memory) shard(now time.Time, mallID, key string) (*shard, keyHash) {
	g := m.generationFor(kicc.Day(now))
	k := keyHash{m.hash(0, mallID, key), m.hash(1, mallID, key)}
	return &g.shards[k[0]&(shardCount-1)], k
}

// hash is maphash over mallID, a NUL (which no valid mallId contains) and
// key, without building the joined string.
func (m *Memory) hash(i int, mallID, key string) uint64 {
	var h maphash.Hash
	h.SetSeed(m.seeds[i])
	h.WriteString(mallID)
	h.WriteByte(0)
	h.WriteString(key)
	return h.Sum64()
}

// Claim implements Ledger.
func (m *Memory) Claim(now time.Time, mallID, key string, fingerprint uint64) (Claim, error) {
	s, k := m.shard(now, mallID, key)
	s.mu.Lock()
	defer s.mu.Unlock()
	if fp, ok := s.keys[k]; ok {
		return Claim{Fingerprint: fp, Response: s.responses[k]}, nil
	}
	if m.max > 0 && m.keys.Load() >= int64(m.max) {
		return Claim{}, ErrFull
	}
	if s.keys == nil {
		s.keys = make(map[keyHash]uint64)
	}
	s.keys[k] = fingerprint
	m.keys.Add(1)
	return Claim{First: true, Fingerprint: fingerprint}, nil
}

// Settle implements Ledger.
func (m *Memory) Settle(now time.Time, mallID, key string, response []byte) {
	s, k := m.shard(now, mallID, key)
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.keys[k]; !ok {
		return // expired meanwhile
	}
	if s.responses == nil {
		s.responses = make(map[keyHash][]byte)
	}
	s.responses[k] = response
}

// Len implements Ledger.
func (m *Memory) Len() int { return int(m.keys.Load()) }

// Reset implements Ledger.
func (m *Memory) Reset() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.gens = map[int64]*generation{}
	m.cur.Store(nil)
	m.keys.Store(0)
}
