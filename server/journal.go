package server

import (
	"net/http"
	"sync"
	"time"
)

// DefaultJournalSize is how many requests the journal keeps when
// Config.JournalSize is 0.
const DefaultJournalSize = 1000

// journalEntry is one request to a KICC endpoint and its answer, as
// recorded on the request path. It holds raw bytes only: parsing bodies,
// finding unknown fields and formatting times happen when the admin API
// reads the journal, so recording stays cheap. An entry is never modified
// once appended, so readers may keep it after releasing the lock.
type journalEntry struct {
	time          time.Time // when the request arrived, on the server's clock
	duration      time.Duration
	requestID     string
	method        string
	path          string
	query         string
	header        []string // name, value, name, value...; Authorization is left out when rendered
	body          []byte
	bodyTruncated bool
	scenario      string // "" when no scenario decided the answer
	status        int
	response      []byte
}

// journal is a fixed-size ring of the newest entries. A mutex guards it: an
// append is a struct copy under the lock, far cheaper than the request that
// produced it, so a lock-free design would buy nothing measurable.
type journal struct {
	mu      sync.Mutex
	entries []journalEntry // len == capacity once allocated
	next    int            // slot of the next append
	n       int            // entries held, at most len(entries)
}

func newJournal(size int) *journal {
	if size <= 0 {
		size = DefaultJournalSize
	}
	return &journal{entries: make([]journalEntry, size)}
}

// flatHeader copies h as name/value pairs in one allocation (a cloned
// http.Header costs a map and more; the journal only reads it back).
func flatHeader(h http.Header) []string {
	n := 0
	for _, vs := range h {
		n += len(vs)
	}
	flat := make([]string, 0, 2*n)
	for k, vs := range h {
		for _, v := range vs {
			flat = append(flat, k, v)
		}
	}
	return flat
}

// cloneBoth copies a and b into one allocation.
func cloneBoth(a, b []byte) ([]byte, []byte) {
	both := make([]byte, len(a)+len(b))
	n := copy(both, a)
	copy(both[n:], b)
	return both[:n:n], both[n:]
}

// append records e, dropping the oldest entry when the ring is full.
func (j *journal) append(e journalEntry) {
	j.mu.Lock()
	j.entries[j.next] = e
	j.next = (j.next + 1) % len(j.entries)
	if j.n < len(j.entries) {
		j.n++
	}
	j.mu.Unlock()
}

// newestFirst returns the entries held, newest first.
func (j *journal) newestFirst() []journalEntry {
	j.mu.Lock()
	defer j.mu.Unlock()
	out := make([]journalEntry, j.n)
	for i := range out {
		k := j.next - 1 - i
		if k < 0 {
			k += len(j.entries)
		}
		out[i] = j.entries[k]
	}
	return out
}

// clear forgets every entry and returns how many there were.
func (j *journal) clear() int {
	j.mu.Lock()
	defer j.mu.Unlock()
	n := j.n
	clear(j.entries) // let the bodies be collected
	j.next, j.n = 0, 0
	return n
}

// len is the number of entries held.
func (j *journal) len() int {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.n
}
