package server

import (
	"encoding/binary"
	"net/http"
	"sync"
	"time"
)

// DefaultJournalSize is how many requests the journal keeps when
// Config.JournalSize is 0.
const DefaultJournalSize = 1000

// journalEntry is one request to a KICC endpoint and its answer, as the
// admin API reads it back from the journal. Parsing bodies, finding unknown
// fields and formatting times happen when the admin API reads the journal,
// so recording stays cheap. Entries are copies: readers may keep them.
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

// journalRecord is what the request path hands the journal: views into the
// request and its recorder, read only during record.
type journalRecord struct {
	time          time.Time
	duration      time.Duration
	requestID     string
	method        string
	path          string
	query         string
	header        http.Header
	body          []byte
	bodyTruncated bool
	scenario      string
	status        int
	response      []byte
}

// journal is a fixed-size ring of the newest entries.
//
// A slot holds its entry's variable-length parts (ids, headers, both
// bodies) encoded in one byte buffer, which the slot and the recorders trade
// back and forth: record encodes into a spare buffer outside the lock, and
// under the lock swaps it with the oldest slot's, whose buffer becomes the
// next spare. So recording allocates nothing once the ring has filled, and
// the ring holds one pointer per slot, to memory the garbage collector never
// scans. The earlier design kept each entry as strings, a header slice and
// body copies: a dozen heap objects per request to allocate, and ten
// thousand live pointers for every GC cycle to mark, which profiling showed
// as the largest single cost of a find request.
type journal struct {
	mu    sync.Mutex
	slots []slot // len == capacity
	next  int    // slot of the next append
	n     int    // entries held, at most len(slots)
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

func newJournal(size int) *journal {
	if size <= 0 {
		size = DefaultJournalSize
	}
	return &journal{slots: make([]slot, size)}
}

// record appends r, dropping the oldest entry when the ring is full. spare
// is a buffer to encode into (its contents are discarded); record returns the
// buffer to offer next time, possibly nil.
func (j *journal) record(r *journalRecord, spare []byte) []byte {
	if spare == nil {
		// One allocation, room for a typical entry's headers included,
		// rather than append's doublings.
		spare = make([]byte, 0, len(r.body)+len(r.response)+len(r.path)+len(r.query)+512)
	}
	data := encodeEntry(spare[:0], r)
	j.mu.Lock()
	s := &j.slots[j.next]
	old := s.data
	*s = slot{unixNano: r.time.UnixNano(), duration: r.duration, status: r.status, bodyTruncated: r.bodyTruncated, data: data}
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
// the response, then each header name and value to the end (so one pass over
// the header map does).
func encodeEntry(b []byte, r *journalRecord) []byte {
	b = appendField(b, r.requestID)
	b = appendField(b, r.method)
	b = appendField(b, r.path)
	b = appendField(b, r.query)
	b = appendField(b, r.scenario)
	b = appendField(b, r.body)
	b = appendField(b, r.response)
	for k, vs := range r.header {
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
func decodeEntry(s *slot) journalEntry {
	d := s.data
	next := func() []byte {
		n, k := binary.Uvarint(d)
		v := d[k : k+int(n) : k+int(n)]
		d = d[k+int(n):]
		return v
	}
	e := journalEntry{
		time:          time.Unix(0, s.unixNano),
		duration:      s.duration,
		requestID:     string(next()),
		method:        string(next()),
		path:          string(next()),
		query:         string(next()),
		scenario:      string(next()),
		body:          next(), // the bodies stay in s.data, a copy of the slot's
		response:      next(),
		status:        s.status,
		bodyTruncated: s.bodyTruncated,
	}
	for len(d) > 0 {
		e.header = append(e.header, string(next()), string(next()))
	}
	return e
}

// newestFirst returns the entries held, newest first.
func (j *journal) newestFirst() []journalEntry {
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
	out := make([]journalEntry, len(held))
	for i := range held {
		out[i] = decodeEntry(&held[i])
	}
	return out
}

// clear forgets every entry and returns how many there were.
func (j *journal) clear() int {
	j.mu.Lock()
	defer j.mu.Unlock()
	n := j.n
	clear(j.slots) // let the buffers be collected
	j.next, j.n = 0, 0
	return n
}

// len is the number of entries held.
func (j *journal) len() int {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.n
}
