package store

import (
	"encoding/binary"
	"errors"
	"hash/maphash"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/kicc-mock/kicc-mock/kicc"
)

// ErrFull is returned by Claim when the ledger holds its configured maximum of
// keys: the mock answers a clear error instead of exhausting memory.
var ErrFull = errors.New("idempotency ledger is full")

// ErrNotRecorded is wrapped by the errors of a Ledger that could not write a
// key or an answer durably (a full disk): the key was not used.
var ErrNotRecorded = errors.New("not recorded")

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
	// Settle stores the answer of a First claim, for replay mode. When the
	// answer cannot be recorded (an error wrapping ErrNotRecorded) it is not
	// kept and the key stays used without an answer, as it would be found
	// after a restart.
	Settle(now time.Time, mallID, key string, response []byte) error
	// Release forgets a key claimed by a request that was then refused, so
	// that a retry is a first request again. When that cannot be recorded
	// the key stays used.
	Release(now time.Time, mallID, key string) error
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
// takes a fraction of the memory. Two distinct keys collide with
// probability about n^2/2^128: 10^-25 for ten million keys.
type keyHash [2]uint64

// shard is one lock's worth of the ledger: an open-addressing hash table
// of key hashes with linear probing. The keys are hashes already, so their
// bits index the table directly, and a lookup reads one 64-byte cache line
// (four keys) where a Go map of the same keys reads a control word and a
// slot in different lines (BENCHMARKS.md has what that saves). Padded to
// whole cache lines, shards next to each other in a generation do not
// share one, so cores claiming keys of different shards do not contend.
type shard struct {
	shardData
	_ [(cacheLine - unsafe.Sizeof(shardData{})%cacheLine) % cacheLine]byte
}

type shardData struct {
	mu    sync.Mutex
	slots []keyHash // len is 0 or a power of two; the zero keyHash is an empty slot
	n     int       // keys held
	// extra holds what replay mode needs of a key: its request's
	// fingerprint and, once settled, its answer. Other modes record neither.
	extra map[keyHash]replayState
}

// cacheLine is the cache line size of the CPUs the mock runs on (amd64,
// arm64).
const cacheLine = 64

type replayState struct {
	fingerprint uint64
	response    []byte
}

const minShardSlots = 64

// find returns the slot of k, or of the empty slot where k would go (-1
// while the table is unallocated).
func (s *shard) find(k keyHash) (int, bool) {
	if len(s.slots) == 0 {
		return -1, false
	}
	mask := len(s.slots) - 1
	for i := int(k[1]) & mask; ; i = (i + 1) & mask {
		switch s.slots[i] {
		case k:
			return i, true
		case keyHash{}:
			return i, false
		}
	}
}

// insert adds k, which is not held, at slot i that find returned for it;
// past 3/4 full the table grows first and k's slot is found anew.
func (s *shard) insert(i int, k keyHash) {
	if (s.n+1)*4 > len(s.slots)*3 {
		s.grow()
		i, _ = s.find(k)
	}
	s.slots[i] = k
	s.n++
}

// remove empties slot i, which holds a key, by backward shift: later keys of
// its probe run move up so that find, which stops at the first empty slot,
// still reaches each of them (a tombstone would be the alternative, and
// would need clearing).
func (s *shard) remove(i int) {
	mask := len(s.slots) - 1
	for j := (i + 1) & mask; s.slots[j] != (keyHash{}); j = (j + 1) & mask {
		// The key at j may fill the hole at i unless its home slot lies
		// cyclically in (i, j]: then moving it before its home would hide it.
		if home := int(s.slots[j][1]) & mask; (j-home)&mask >= (j-i)&mask {
			s.slots[i] = s.slots[j]
			i = j
		}
	}
	s.slots[i] = keyHash{}
	s.n--
}

func (s *shard) grow() {
	old := s.slots
	s.slots = make([]keyHash, max(2*len(old), minShardSlots))
	for _, k := range old {
		if k != (keyHash{}) {
			i, _ := s.find(k)
			s.slots[i] = k
		}
	}
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
		n += s.n
		s.mu.Unlock()
	}
	return n
}

func (m *Memory) shard(now time.Time, mallID, key string) (*shard, keyHash) {
	g := m.generationFor(kicc.Day(now))
	// maphash over the length of mallID, mallID and key, joined in a stack
	// buffer: maphash.Bytes is one runtime call, where the streaming
	// maphash.Hash costs several per key. The length, not a separator,
	// marks where mallID ends, so no byte a field holds can move that
	// boundary ("T1\x00"+"K" and "T1"+"\x00K" are different keys).
	var buf [96]byte // a valid mallId (8 bytes) and key (60) fit
	joined := appendPair(buf[:0], mallID, key)
	k := keyHash{maphash.Bytes(m.seeds[0], joined), maphash.Bytes(m.seeds[1], joined)}
	k[0] |= 1 << 63 // never the empty slot's zero value; the shard comes from k[0]'s low bits
	return &g.shards[k[0]&(shardCount-1)], k
}

// appendPair appends the unambiguous encoding of (a, b) to dst: the length
// of a as a uvarint, a, then b. The database's keys use it too.
func appendPair(dst []byte, a, b string) []byte {
	if len(a) < 0x80 {
		dst = append(dst, byte(len(a))) // the uvarint of a short length, inline
	} else {
		dst = binary.AppendUvarint(dst, uint64(len(a)))
	}
	return append(append(dst, a...), b...)
}

// splitPair decodes what appendPair wrote.
func splitPair(k []byte) (a, b string, ok bool) {
	n, w := binary.Uvarint(k)
	if w <= 0 || n > uint64(len(k)-w) {
		return "", "", false
	}
	rest := k[w:]
	return string(rest[:n]), string(rest[n:]), true
}

// Claim implements Ledger.
func (m *Memory) Claim(now time.Time, mallID, key string, fingerprint uint64) (Claim, error) {
	return m.claim(now, mallID, key, fingerprint, nil)
}

// claim is Claim; record, when not nil, makes a new key durable before it
// counts. It runs with the key's shard locked, so no other claim of the key
// sees it before record has succeeded, and when record fails the key is not
// held: the request is refused without using it.
func (m *Memory) claim(now time.Time, mallID, key string, fingerprint uint64, record func() error) (Claim, error) {
	s, k := m.shard(now, mallID, key)
	s.mu.Lock()
	defer s.mu.Unlock()
	i, held := s.find(k)
	if held {
		r := s.extra[k]
		return Claim{Fingerprint: r.fingerprint, Response: r.response}, nil
	}
	if m.max > 0 && m.keys.Load() >= int64(m.max) {
		return Claim{}, ErrFull
	}
	if record != nil {
		if err := record(); err != nil {
			return Claim{}, err
		}
	}
	s.insert(i, k) // the slot find chose: one probe per claim
	if fingerprint != 0 {
		if s.extra == nil {
			s.extra = make(map[keyHash]replayState)
		}
		s.extra[k] = replayState{fingerprint: fingerprint}
	}
	m.keys.Add(1)
	return Claim{First: true, Fingerprint: fingerprint}, nil
}

// Settle implements Ledger; in memory it cannot fail.
func (m *Memory) Settle(now time.Time, mallID, key string, response []byte) error {
	return m.settle(now, mallID, key, response, nil)
}

// settle is Settle; record, when not nil, makes the answer durable first,
// with the shard locked, and when it fails the answer is not kept.
func (m *Memory) settle(now time.Time, mallID, key string, response []byte, record func() error) error {
	s, k := m.shard(now, mallID, key)
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, held := s.find(k); !held {
		return nil // expired meanwhile
	}
	if record != nil {
		if err := record(); err != nil {
			return err
		}
	}
	if s.extra == nil {
		s.extra = make(map[keyHash]replayState)
	}
	r := s.extra[k]
	r.response = response
	s.extra[k] = r
	return nil
}

// Release implements Ledger; in memory it cannot fail.
func (m *Memory) Release(now time.Time, mallID, key string) error {
	return m.release(now, mallID, key, nil)
}

// release is Release; record, when not nil, deletes the key durably first,
// with the shard locked, and when it fails the key stays held.
func (m *Memory) release(now time.Time, mallID, key string, record func() error) error {
	s, k := m.shard(now, mallID, key)
	s.mu.Lock()
	defer s.mu.Unlock()
	i, held := s.find(k)
	if !held {
		return nil
	}
	if record != nil {
		if err := record(); err != nil {
			return err
		}
	}
	s.remove(i)
	delete(s.extra, k)
	m.keys.Add(-1)
	return nil
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
