package store

import "sync"

// Sequences counts the calls of sequence scenarios, keyed by the scenario's
// name and the value of its sequenceKey field, so each cancelPgCno (say)
// walks through the responses on its own.
type Sequences interface {
	// Next returns how many calls the key had before this one (0 first) and
	// counts this one, atomically.
	Next(scenario, key string) int
	// Reset forgets every count.
	Reset()
	// Len is the number of (scenario, key) positions held.
	Len() int
}

// MemorySequences is the in-memory Sequences.
type MemorySequences struct {
	mu     sync.Mutex
	counts map[seqKey]int
}

type seqKey struct{ scenario, key string }

// NewMemorySequences returns an empty counter store.
func NewMemorySequences() *MemorySequences {
	return &MemorySequences{counts: map[seqKey]int{}}
}

// Next implements Sequences.
func (m *MemorySequences) Next(scenario, key string) int {
	k := seqKey{scenario, key}
	m.mu.Lock()
	defer m.mu.Unlock()
	n := m.counts[k]
	m.counts[k] = n + 1
	return n
}

// Reset implements Sequences.
func (m *MemorySequences) Reset() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.counts = map[seqKey]int{}
}

// Len implements Sequences.
func (m *MemorySequences) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.counts)
}
