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

// DefaultMaxBytes bounds the memory the entries hold together: a thousand
// KICC requests are well under 2 MiB, while a thousand hostile ones (64 KiB
// bodies, 60 KB of headers) would take 125 MB without it.
const DefaultMaxBytes = 32 << 20

// DefaultEntryPartBytes is how much of each part of an entry (request body,
// answer, headers) the journal keeps; a KICC request or answer is under
// 1 KiB, and a part cut short says so in the entry.
const DefaultEntryPartBytes = 16 << 10

// Limits bound a journal: zero fields take their defaults.
type Limits struct {
	Entries   int // how many entries (DefaultSize)
	Bytes     int // how many bytes all entries hold together (DefaultMaxBytes); the newest entry is always kept
	PartBytes int // how many bytes of each request body, answer and header block (DefaultEntryPartBytes)
}

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
	// ResponseTruncated and HeaderTruncated say the journal kept only the
	// first Limits.PartBytes of the answer or of the headers.
	ResponseTruncated bool
	HeaderTruncated   bool
	// Seq numbers entries in arrival order from 1; the admin API's cursor.
	Seq uint64
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

// Journal is a fixed-size ring of the newest entries, bounded in bytes too.
//
// A slot holds its entry's variable-length parts (ids, headers, both
// bodies) encoded in one byte buffer, which the slot and the recorders trade
// back and forth: record encodes into a spare buffer outside the lock, and
// under the lock swaps it with the oldest slot's, whose buffer becomes the
// next spare. So recording allocates nothing once the ring has filled, and
// the ring holds one pointer per slot, to memory the garbage collector never
// scans (BENCHMARKS.md has what that saved).
//
// Past Limits.Bytes the oldest entries go first, as they do past
// Limits.Entries; bytes are counted by the capacity of the slots' buffers,
// which is what they hold on to.
type Journal struct {
	mu        sync.Mutex
	slots     []slot // len == capacity
	next      int    // slot of the next append
	n         int    // entries held, at most len(slots)
	bytes     int    // cap of every held slot's data
	seq       uint64 // Seq of the newest entry; 0 before the first
	maxBytes  int
	partBytes int
	subs      subscribers // subscribe.go
}

// slot is one ring position: the fixed-size fields, and the rest in data
// (see encodeEntry).
type slot struct {
	unixNano  int64
	duration  time.Duration
	seq       uint64
	status    int32
	truncated truncation
	data      []byte
}

// truncation says which parts of an entry were cut short.
type truncation uint8

const (
	bodyCut truncation = 1 << iota
	responseCut
	headerCut
)

// maxSpareJournalBuffer bounds the buffers the recorders keep for the
// journal between requests: a find entry is well under 1 KiB, and the rare
// entry with a large body should not pin its buffer in a pooled recorder.
const maxSpareJournalBuffer = 8 << 10

// New returns an empty journal of size entries (DefaultSize when 0) and
// the default byte limits.
func New(size int) *Journal { return NewLimited(Limits{Entries: size}) }

// NewLimited returns an empty journal bounded by l.
func NewLimited(l Limits) *Journal {
	if l.Entries <= 0 {
		l.Entries = DefaultSize
	}
	if l.Bytes <= 0 {
		l.Bytes = DefaultMaxBytes
	}
	if l.PartBytes <= 0 {
		l.PartBytes = DefaultEntryPartBytes
	}
	return &Journal{slots: make([]slot, l.Entries), maxBytes: l.Bytes, partBytes: l.PartBytes}
}

// Size is how many entries the journal keeps.
func (j *Journal) Size() int { return len(j.slots) }

// Record appends r, dropping the oldest entries when the ring is full or
// holds more than its bytes. spare is a buffer to encode into (its contents
// are discarded); record returns the buffer to offer next time, possibly nil.
func (j *Journal) Record(r *Record, spare []byte) []byte {
	body, cut := cutPart(r.Body, j.partBytes, bodyCut)
	if r.BodyTruncated {
		cut |= bodyCut
	}
	resp, respCut := cutPart(r.Response, j.partBytes, responseCut)
	cut |= respCut
	if spare == nil {
		// One allocation, room for a typical entry's headers included,
		// rather than append's doublings.
		spare = make([]byte, 0, len(body)+len(resp)+len(r.Path)+len(r.Query)+512)
	}
	data, headersCut := encodeEntry(spare[:0], r, body, resp, j.partBytes)
	if headersCut {
		cut |= headerCut
	}
	j.mu.Lock()
	s := &j.slots[j.next]
	old := s.data
	if j.n == len(j.slots) {
		j.bytes -= cap(old)
	} else {
		j.n++
	}
	j.seq++
	*s = slot{unixNano: r.Time.UnixNano(), duration: r.Duration, seq: j.seq, status: int32(r.Status), truncated: cut, data: data}
	j.bytes += cap(data)
	pub := j.capture(s) // subscribe.go: a copy for live views, nil when none
	j.next = (j.next + 1) % len(j.slots)
	for j.bytes > j.maxBytes && j.n > 1 {
		// The oldest entry goes; its buffer is the collector's.
		o := &j.slots[(j.next-j.n+len(j.slots))%len(j.slots)]
		j.bytes -= cap(o.data)
		*o = slot{}
		j.n--
	}
	j.mu.Unlock()
	j.publish(pub)
	if cap(old) > maxSpareJournalBuffer {
		return nil
	}
	return old[:0]
}

// cutPart is b cut to limit bytes, and flag when it had to be.
func cutPart(b []byte, limit int, flag truncation) ([]byte, truncation) {
	if len(b) > limit {
		return b[:limit], flag
	}
	return b, 0
}

// encodeEntry appends r's variable-length parts to b, each as a uvarint
// length and its bytes: requestID, method, path, query, scenario, the body,
// the response, the lint findings, then each header name and value to the
// end (so one pass over the header map does), while they fit in headerLimit
// bytes; it reports whether headers were left out.
func encodeEntry(b []byte, r *Record, body, resp []byte, headerLimit int) ([]byte, bool) {
	b = appendField(b, r.RequestID)
	b = appendField(b, r.Method)
	b = appendField(b, r.Path)
	b = appendField(b, r.Query)
	b = appendField(b, r.Scenario)
	b = appendField(b, body)
	b = appendField(b, resp)
	b = appendField(b, r.Lint)
	room, cut := headerLimit, false
	for k, vs := range r.Header {
		for _, v := range vs {
			if len(k)+len(v) > room {
				cut = true // smaller headers after it may still fit
				continue
			}
			room -= len(k) + len(v)
			b = appendField(b, k)
			b = appendField(b, v)
		}
	}
	return b, cut
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
		Time:              time.Unix(0, s.unixNano),
		Duration:          s.duration,
		RequestID:         string(next()),
		Method:            string(next()),
		Path:              string(next()),
		Query:             string(next()),
		Scenario:          string(next()),
		Body:              next(), // the bodies stay in s.data, a copy of the slot's
		Response:          next(),
		Lint:              next(),
		Status:            int(s.status),
		BodyTruncated:     s.truncated&bodyCut != 0,
		ResponseTruncated: s.truncated&responseCut != 0,
		HeaderTruncated:   s.truncated&headerCut != 0,
		Seq:               s.seq,
	}
	for len(d) > 0 {
		e.Header = append(e.Header, string(next()), string(next()))
	}
	return e
}

// Each calls fn with the entries older than the one numbered before (every
// entry when before is 0), newest first, until fn returns false. It holds
// the lock for one entry at a time, copying it, so a long walk neither
// blocks requests nor needs the whole journal's memory twice; entries
// recorded meanwhile are not visited, and an entry dropped meanwhile ends
// the walk (every older one was dropped before it).
func (j *Journal) Each(before uint64, fn func(*Entry) bool) {
	var s slot
	for {
		j.mu.Lock()
		seq := j.seq
		if before != 0 {
			seq = min(seq, before-1)
		}
		back := j.seq - seq // how far behind the newest
		if seq == 0 || back >= uint64(j.n) {
			j.mu.Unlock()
			return
		}
		s = j.slots[(j.next-1-int(back)+2*len(j.slots))%len(j.slots)]
		// A slot's buffer is reused once it is overwritten: copy it under
		// the lock, decode outside it.
		s.data = append([]byte(nil), s.data...)
		j.mu.Unlock()
		e := decodeEntry(&s)
		if !fn(&e) {
			return
		}
		before = seq
	}
}

// Clear forgets every entry and returns how many there were. Numbering
// goes on, so a cursor taken before stays meaningful.
func (j *Journal) Clear() int {
	j.mu.Lock()
	n, seq := j.n, j.seq
	clear(j.slots) // let the buffers be collected
	j.next, j.n, j.bytes = 0, 0, 0
	j.mu.Unlock()
	j.cleared(seq) // subscribe.go: live views drop what they hold of it and read the journal again
	return n
}

// Len is the number of entries held.
func (j *Journal) Len() int {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.n
}

// Bytes is the memory the held entries take, as the byte limit counts it.
func (j *Journal) Bytes() int {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.bytes
}
