// Package journal keeps the newest requests to the mock's KICC endpoints
// and their answers, for tests to read back through the admin API: a
// bounded ring, the recorder every request writes through (reached from
// the request's context), and the filters and views the admin API uses.
package journal

import (
	"encoding/binary"
	"net/http"
	"sync"
	"time"
)

// DefaultSize is how many requests the journal keeps when New is given 0.
const DefaultSize = 1000

// Entry is one request to a KICC endpoint and its answer, as the admin API
// reads it back from the journal. Parsing bodies, finding unknown fields and
// formatting times happen when the admin API reads the journal, so
// recording stays cheap. Entries are copies: readers may keep them.
type Entry struct {
	Time          time.Time // when the request arrived, on the server's clock
	Duration      time.Duration
	RequestID     string
	Method        string
	Path          string
	Query         string
	Header        []string // name, value, name, value...; Authorization is left out when rendered
	Body          []byte
	BodyTruncated bool
	Scenario      string // "" when no scenario decided the answer
	Status        int
	Response      []byte
	Lint          []byte // the lint findings, a JSON array; empty when none
}

// Record is what the request path hands the journal: views into the
// request and its recorder, read only during Journal.Record.
type Record struct {
	Time          time.Time
	Duration      time.Duration
	RequestID     string
	Method        string
	Path          string
	Query         string
	Header        http.Header
	Body          []byte
	BodyTruncated bool
	Scenario      string
	Status        int
	Response      []byte
	Lint          []byte
}

// Journal is a fixed-size ring of the newest entries.
//
// A slot holds its entry's variable-length parts (ids, headers, both
// bodies) encoded in one byte buffer, which the slot and the recorders trade
// back and forth: record encodes into a spare buffer outside the lock, and
// under the lock swaps it with the oldest slot's, whose buffer becomes the
// next spare. So recording allocates nothing once the ring has filled, and
// the ring holds one pointer per slot, to memory the garbage collector never
// scans (BENCHMARKS.md has what that saved).
type Journal struct {
	mu    sync.Mutex
	slots []slot // len == capacity
	next  int    // slot of the next append
	n     int    // entries held, at most len(slots)
	subs  subscribers
}

// slot is one ring position: the fixed-size fields, and the rest in data
// (see encodeEntry).
type slot struct {
	unixNano      int64
	duration      time.Duration
	status        int
	bodyTruncated bool
	data          []byte
}

// maxSpareJournalBuffer bounds the buffers the recorders keep for the
// journal between requests: a find entry is well under 1 KiB, and the rare
// entry with a large body should not pin its buffer in a pooled recorder.
const maxSpareJournalBuffer = 8 << 10

// New returns an empty journal of size entries (DefaultSize when 0).
func New(size int) *Journal {
	if size <= 0 {
		size = DefaultSize
	}
	return &Journal{slots: make([]slot, size)}
}

// Size is how many entries the journal keeps.
func (j *Journal) Size() int { return len(j.slots) }

// Record appends r, dropping the oldest entry when the ring is full. spare
// is a buffer to encode into (its contents are discarded); record returns the
// buffer to offer next time, possibly nil.
func (j *Journal) Record(r *Record, spare []byte) []byte {
	if spare == nil {
		// One allocation, room for a typical entry's headers included,
		// rather than append's doublings.
		spare = make([]byte, 0, len(r.Body)+len(r.Response)+len(r.Path)+len(r.Query)+512)
	}
	data := encodeEntry(spare[:0], r)
	j.publish(r, data) // subscribe.go; before the swap, while data is still ours
	j.mu.Lock()
	s := &j.slots[j.next]
	old := s.data
	*s = slot{unixNano: r.Time.UnixNano(), duration: r.Duration, status: r.Status, bodyTruncated: r.BodyTruncated, data: data}
	j.next = (j.next + 1) % len(j.slots)
	if j.n < len(j.slots) {
		j.n++
	}
	j.mu.Unlock()
	if cap(old) > maxSpareJournalBuffer {
		return nil
	}
	return old[:0]
}

// encodeEntry appends r's variable-length parts to b, each as a uvarint
// length and its bytes: requestID, method, path, query, scenario, the body,
// the response, the lint findings, then each header name and value to the end (so one pass over
// the header map does).
func encodeEntry(b []byte, r *Record) []byte {
	b = appendField(b, r.RequestID)
	b = appendField(b, r.Method)
	b = appendField(b, r.Path)
	b = appendField(b, r.Query)
	b = appendField(b, r.Scenario)
	b = appendField(b, r.Body)
	b = appendField(b, r.Response)
	b = appendField(b, r.Lint)
	for k, vs := range r.Header {
		for _, v := range vs {
			b = appendField(b, k)
			b = appendField(b, v)
		}
	}
	return b
}

func appendField[T string | []byte](b []byte, v T) []byte {
	b = binary.AppendUvarint(b, uint64(len(v)))
	return append(b, v...)
}

// decodeEntry turns a slot back into an entry. The slot's data was written
// by encodeEntry in this process, so it is well formed.
func decodeEntry(s *slot) Entry {
	d := s.data
	next := func() []byte {
		n, k := binary.Uvarint(d)
		v := d[k : k+int(n) : k+int(n)]
		d = d[k+int(n):]
		return v
	}
	e := Entry{
		Time:          time.Unix(0, s.unixNano),
		Duration:      s.duration,
		RequestID:     string(next()),
		Method:        string(next()),
		Path:          string(next()),
		Query:         string(next()),
		Scenario:      string(next()),
		Body:          next(), // the bodies stay in s.data, a copy of the slot's
		Response:      next(),
		Lint:          next(),
		Status:        s.status,
		BodyTruncated: s.bodyTruncated,
	}
	for len(d) > 0 {
		e.Header = append(e.Header, string(next()), string(next()))
	}
	return e
}

// NewestFirst returns the entries held, newest first.
func (j *Journal) NewestFirst() []Entry {
	j.mu.Lock()
	held := make([]slot, j.n)
	size := 0
	for i := range held {
		k := j.next - 1 - i
		if k < 0 {
			k += len(j.slots)
		}
		held[i] = j.slots[k]
		size += len(held[i].data)
	}
	// Copy the data under the lock (a slot's buffer is reused once it is
	// overwritten), decode outside it.
	all := make([]byte, 0, size)
	for i := range held {
		start := len(all)
		all = append(all, held[i].data...)
		held[i].data = all[start:len(all):len(all)]
	}
	j.mu.Unlock()
	out := make([]Entry, len(held))
	for i := range held {
		out[i] = decodeEntry(&held[i])
	}
	return out
}

// Clear forgets every entry and returns how many there were.
func (j *Journal) Clear() int {
	defer j.Invalidate() // subscribe.go: live views read the journal again
	j.mu.Lock()
	defer j.mu.Unlock()
	n := j.n
	clear(j.slots) // let the buffers be collected
	j.next, j.n = 0, 0
	return n
}

// Len is the number of entries held.
func (j *Journal) Len() int {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.n
}
