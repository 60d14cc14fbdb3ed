package journal

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kicc-mock/kicc-mock/kicc"
)

func TestJournalRing(t *testing.T) {
	j := New(3)
	assert.Empty(t, j.NewestFirst())
	for i := range 10 {
		j.Record(&Record{Status: i}, nil)
		want := []int{}
		for k := i; k >= 0 && k > i-3; k-- {
			want = append(want, k)
		}
		got := []int{}
		for _, e := range j.NewestFirst() {
			got = append(got, e.Status)
		}
		require.Equal(t, want, got, "after %d appends", i+1)
	}
	assert.Equal(t, 3, j.Clear())
	assert.Empty(t, j.NewestFirst())
	j.Record(&Record{Status: 42}, nil)
	assert.Equal(t, 42, j.NewestFirst()[0].Status)
}

// TestJournalKeepsEveryPartOfAnEntry records entries through the encoded
// slots and reads each part back, also after the slots' buffers have been
// traded and reused by later entries.
func TestJournalKeepsEveryPartOfAnEntry(t *testing.T) {
	j := New(2)
	at := time.Date(2026, 12, 1, 23, 59, 59, 123456789, kicc.KST)
	var spare []byte
	rec := func(i int) Record {
		return Record{
			Time:      at.Add(time.Duration(i) * time.Second),
			Duration:  time.Duration(i) * time.Millisecond,
			RequestID: fmt.Sprint("km-", i),
			Method:    http.MethodPost,
			Path:      kicc.PathFind,
			Query:     fmt.Sprint("a=", i),
			Header: http.Header{"Content-Type": {"application/json; charset=utf-8"}, "X-Many": {"one", fmt.Sprint("two-", i)},
				"X-Empty": {""}},
			Body:          []byte(`{"mallId":"T0001997","shopTransactionId":"` + fmt.Sprint("k", i) + `","pgCno":"P"}`),
			BodyTruncated: i%2 == 1,
			Scenario:      fmt.Sprint("scenario-", i),
			Status:        200 + i,
			Response:      []byte(fmt.Sprintf(`{"resCd":"%04d"}`, i)),
		}
	}
	for i := range 7 {
		r := rec(i)
		spare = j.Record(&r, spare)
	}
	got := j.NewestFirst()
	require.Len(t, got, 2)
	for k, e := range got {
		r := rec(6 - k)
		assert.True(t, r.Time.Equal(e.Time), "time %v, want %v", e.Time, r.Time)
		assert.Equal(t, r.Duration, e.Duration)
		assert.Equal(t, r.RequestID, e.RequestID)
		assert.Equal(t, r.Method, e.Method)
		assert.Equal(t, r.Path, e.Path)
		assert.Equal(t, r.Query, e.Query)
		assert.Equal(t, r.Scenario, e.Scenario)
		assert.Equal(t, r.Status, e.Status)
		assert.Equal(t, r.BodyTruncated, e.BodyTruncated)
		assert.Equal(t, string(r.Body), string(e.Body))
		assert.Equal(t, string(r.Response), string(e.Response))
		header := http.Header{}
		for i := 0; i+1 < len(e.Header); i += 2 {
			header[e.Header[i]] = append(header[e.Header[i]], e.Header[i+1])
		}
		assert.Equal(t, r.Header, header)
	}
	// What a reader got is a copy: later entries do not change it.
	before := string(got[0].Body)
	for i := range 4 {
		r := rec(100 + i)
		spare = j.Record(&r, spare)
	}
	assert.Equal(t, before, string(got[0].Body))
}

// TestJournalDropsLargeSpareBuffers: an entry with a large body must not
// leave its buffer pinned in a pooled recorder once the ring moves past it.
func TestJournalDropsLargeSpareBuffers(t *testing.T) {
	j := New(1)
	big := Record{Body: make([]byte, 2*maxSpareJournalBuffer)}
	j.Record(&big, nil)
	small := Record{Body: []byte("{}")}
	assert.Nil(t, j.Record(&small, nil), "the big entry's buffer is not offered for reuse")
	spare := j.Record(&small, nil)
	assert.NotZero(t, cap(spare), "a small entry's buffer is")
	assert.Len(t, spare, 0)
}

// BenchmarkJournalRecord is the journal's share of a find request: encoding
// the request's headers, ids and both bodies, and the swap into the ring
// under its lock.
func BenchmarkJournalRecord(b *testing.B) {
	j := New(DefaultSize)
	r := Record{
		Time:      time.Now(),
		RequestID: "km-2n9c",
		Method:    http.MethodPost,
		Path:      kicc.PathFind,
		Header: http.Header{"Content-Type": {"application/json; charset=utf-8"}, "User-Agent": {"Go-http-client/1.1"},
			"Content-Length": {"137"}, "Accept-Encoding": {"gzip"}},
		Body:     []byte(`{"mallId":"T0001997","shopTransactionId":"4CC44FEA352B461890F6E465C5BB20BB","pgCno":"25122722034810122119"}`),
		Status:   http.StatusOK,
		Response: []byte(`{"resCd":"0000","resMsg":"정상처리","shopTransactionId":"4CC44FEA352B461890F6E465C5BB20BB","mallId":"T0000001","pgCno":"25122722034810122119","cancelPgCno":"25122722044210122121","transactionDate":"20261126030034","cancelStatus":"TS02","amountInfo":{"currency":"KRW","totAmount":306800}}`),
	}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		var spare []byte
		for pb.Next() {
			spare = j.Record(&r, spare)
		}
	})
}

// TestJournalIsBoundedInBytes: past Limits.Bytes the oldest entries go, the
// newest always stays, and Bytes counts what is held.
func TestJournalIsBoundedInBytes(t *testing.T) {
	j := NewLimited(Limits{Entries: 100, Bytes: 10_000, PartBytes: 4000})
	body := make([]byte, 900)
	for i := range 50 {
		j.Record(&Record{Status: i, Body: body}, nil)
		require.LessOrEqual(t, j.Bytes(), 10_000, "after %d", i)
	}
	assert.Less(t, j.Len(), 12, "about ten 900-byte entries fit in 10,000 bytes")
	assert.Greater(t, j.Len(), 5)
	got := j.NewestFirst()
	assert.Equal(t, 49, got[0].Status)
	for i := 1; i < len(got); i++ {
		assert.Equal(t, got[i-1].Status-1, got[i].Status, "the oldest go first, the rest stay in order")
	}

	j.Record(&Record{Status: 99, Body: make([]byte, 3900)}, nil)
	j2 := NewLimited(Limits{Bytes: 1, PartBytes: 4000})
	j2.Record(&Record{Status: 7, Body: body}, nil)
	require.Equal(t, 1, j2.Len(), "the newest entry is kept even past the bound")
	assert.Equal(t, 7, j2.NewestFirst()[0].Status)
	j2.Record(&Record{Status: 8, Body: body}, nil)
	assert.Equal(t, 1, j2.Len())
	assert.Equal(t, 8, j2.NewestFirst()[0].Status)
	assert.Equal(t, 1, j2.Clear())
	assert.Zero(t, j2.Bytes())
}

// TestJournalCutsEachPartAndSaysSo: a body, an answer or headers past
// Limits.PartBytes are kept only up to it, and the entry says which.
func TestJournalCutsEachPartAndSaysSo(t *testing.T) {
	j := NewLimited(Limits{PartBytes: 100})
	long := []byte(strings.Repeat("x", 150))
	j.Record(&Record{Body: long, Response: []byte("short"), Header: http.Header{"A": {"1"}}}, nil)
	j.Record(&Record{Body: []byte("b"), Response: long, Header: http.Header{"A": {"1"}, "X-Pad": {string(long)}}}, nil)
	j.Record(&Record{Body: []byte("b"), BodyTruncated: true}, nil)
	got := j.NewestFirst()
	require.Len(t, got, 3)
	assert.True(t, got[0].BodyTruncated, "a body the recorder cut stays flagged")
	assert.False(t, got[0].ResponseTruncated || got[0].HeaderTruncated)

	assert.Equal(t, "b", string(got[1].Body))
	assert.False(t, got[1].BodyTruncated)
	assert.Len(t, got[1].Response, 100)
	assert.True(t, got[1].ResponseTruncated)
	assert.True(t, got[1].HeaderTruncated)
	assert.Equal(t, []string{"A", "1"}, got[1].Header, "headers that fit are kept, the rest left out")

	assert.Len(t, got[2].Body, 100)
	assert.True(t, got[2].BodyTruncated)
	assert.False(t, got[2].ResponseTruncated || got[2].HeaderTruncated)
	v := got[1].View()
	assert.True(t, v.ResponseTruncated)
	assert.True(t, v.HeadersTruncated)
}

// TestJournalEachWalksFromACursor: Each visits entries older than a Seq,
// newest first, across a Clear and while the ring overwrites itself.
func TestJournalEachWalksFromACursor(t *testing.T) {
	j := New(5)
	for i := range 8 {
		j.Record(&Record{Status: i}, nil)
	}
	walk := func(before uint64) (statuses []int, seqs []uint64) {
		j.Each(before, func(e *Entry) bool {
			statuses, seqs = append(statuses, e.Status), append(seqs, e.Seq)
			return true
		})
		return
	}
	st, seqs := walk(0)
	assert.Equal(t, []int{7, 6, 5, 4, 3}, st)
	assert.Equal(t, []uint64{8, 7, 6, 5, 4}, seqs)
	st, _ = walk(6)
	assert.Equal(t, []int{4, 3}, st)
	st, _ = walk(4)
	assert.Empty(t, st, "entries dropped from the ring are not visited")
	st, _ = walk(100)
	assert.Equal(t, []int{7, 6, 5, 4, 3}, st)

	var stopped []int
	j.Each(0, func(e *Entry) bool { stopped = append(stopped, e.Status); return len(stopped) < 2 })
	assert.Equal(t, []int{7, 6}, stopped)

	j.Clear()
	j.Record(&Record{Status: 42}, nil)
	st, seqs = walk(0)
	assert.Equal(t, []int{42}, st)
	assert.Equal(t, []uint64{9}, seqs, "numbering goes on after a clear")
	st, _ = walk(8)
	assert.Empty(t, st, "a cursor from before the clear finds nothing older")
}
