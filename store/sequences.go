package store

import (
	"errors"
	"hash/maphash"
	"math"
	"sync"
	"time"

	"github.com/kicc-mock/kicc-mock/kicc"
)

// ErrSequencesFull is returned by Next for a new key when the positions
// held are at their configured maximum.
var ErrSequencesFull = errors.New("sequence positions are full")

// Sequences counts the calls of sequence scenarios, keyed by the scenario's
// name and the value of its sequenceKey field, so each cancelPgCno (say)
// walks through the responses on its own. Positions last the KST day, as
// idempotency keys do: at 00:00 KST every sequence starts again.
type Sequences interface {
	// Next returns how many calls the key had before this one on now's KST
	// day (0 first) and counts this one, atomically. A new key past the
	// maximum gets ErrSequencesFull and is not counted.
	Next(now time.Time, scenario, key string) (int, error)
	// Reset forgets every count.
	Reset()
	// Len is the number of (scenario, key) positions held.
	Len() int
}

// DefaultMaxSequences bounds the positions held: 35 to 70 MiB at the cap,
// depending on where the map is between two growths.
const DefaultMaxSequences = 1_000_000

// MemorySequences is the in-memory Sequences. A position is a 128-bit hash
// of (scenario, key) and a count, about 35 bytes: the strings themselves
// are not kept (the key is a slice of the request that would stay alive
// with it), and a pointer-free map costs the collector nothing to mark.
type MemorySequences struct {
	max   int // 0 = unbounded
	seeds [2]maphash.Seed

	mu     sync.Mutex
	day    int64 // the KST day counts holds
	counts map[keyHash]uint32
}

// NewMemorySequences returns an empty store of at most max positions (0:
// no limit).
func NewMemorySequences(max int) *MemorySequences {
	return &MemorySequences{max: max, seeds: [2]maphash.Seed{maphash.MakeSeed(), maphash.MakeSeed()}, counts: map[keyHash]uint32{}}
}

func (m *MemorySequences) hash(scenario, key string) keyHash {
	var buf [128]byte
	joined := appendPair(buf[:0], scenario, key)
	return keyHash{maphash.Bytes(m.seeds[0], joined), maphash.Bytes(m.seeds[1], joined)}
}

// lateCall is how long before midnight a call counted after it may have
// arrived: its time is its arrival, and its body may take the server's
// 15 s read timeout to come.
const lateCall = time.Minute

// newDay reports whether a call at now, on day, starts a new generation of
// positions: a later day, or a clock set back. A call stamped just before
// midnight that is counted after it (day is the one before) counts in the
// current day, so it cannot wipe the new one; one stamped earlier on the
// day before is a clock set back a day (the admin clock moved to the next
// day and back), whose calls would otherwise count in a day that is not
// theirs, kept on disk for it and never started again at its midnight.
func (m *MemorySequences) newDay(now time.Time, day int64) bool {
	if day == m.day-1 {
		// now is on the day before m.day: its next midnight starts m.day.
		return now.Before(kicc.NextMidnight(now).Add(-lateCall))
	}
	return day > m.day || day < m.day-1
}

// Next implements Sequences.
func (m *MemorySequences) Next(now time.Time, scenario, key string) (int, error) {
	return m.next(now, scenario, key, nil)
}

// next is Next; record, when not nil, makes the new count durable first,
// with the lock held, told the day the count belongs to and whether it
// starts that day. When record fails nothing changes: the call is answered
// at its position but not counted.
func (m *MemorySequences) next(now time.Time, scenario, key string, record func(count uint64, day int64, fresh bool) error) (int, error) {
	d := kicc.Day(now)
	k := m.hash(scenario, key)
	m.mu.Lock()
	defer m.mu.Unlock()
	counts, day, fresh := m.counts, m.day, m.newDay(now, d)
	if fresh {
		counts, day = nil, d
	}
	n, held := counts[k]
	if !held && m.max > 0 && len(counts) >= m.max {
		return 0, ErrSequencesFull
	}
	if record != nil {
		if err := record(uint64(n)+1, day, fresh); err != nil {
			return int(n), nil
		}
	}
	if fresh {
		m.counts, m.day = map[keyHash]uint32{}, d
	}
	if n < math.MaxUint32 { // past the last response long before
		m.counts[k] = n + 1
	}
	return int(n), nil
}

// load puts a position read from the database of day in.
func (m *MemorySequences) load(scenario, key string, count uint64) bool {
	if m.max > 0 && len(m.counts) >= m.max {
		return false
	}
	m.counts[m.hash(scenario, key)] = uint32(min(count, math.MaxUint32))
	return true
}

// Reset implements Sequences. A new map, not the old one emptied: a Go map
// keeps the memory of its largest size.
func (m *MemorySequences) Reset() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.reset()
}

// reset forgets the counts and their day, so that the next call starts a
// generation on its own day: a reset also sets the admin clock back, and
// calls of the day before the one counts were held for would count in it,
// never to start again at the next midnight; m.mu is held.
func (m *MemorySequences) reset() {
	m.counts, m.day = map[keyHash]uint32{}, 0
}

// Len implements Sequences.
func (m *MemorySequences) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.counts)
}
