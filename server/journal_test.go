package server

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kicc-mock/kicc-mock/kicc"
)

func TestJournalRing(t *testing.T) {
	j := newJournal(3)
	assert.Empty(t, j.newestFirst())
	for i := range 10 {
		j.record(&journalRecord{status: i}, nil)
		want := []int{}
		for k := i; k >= 0 && k > i-3; k-- {
			want = append(want, k)
		}
		got := []int{}
		for _, e := range j.newestFirst() {
			got = append(got, e.status)
		}
		require.Equal(t, want, got, "after %d appends", i+1)
	}
	assert.Equal(t, 3, j.clear())
	assert.Empty(t, j.newestFirst())
	j.record(&journalRecord{status: 42}, nil)
	assert.Equal(t, 42, j.newestFirst()[0].status)
}

// TestJournalUnderConcurrentWritersAndReaders runs 50 clients sending find
// requests while 50 others list, count and clear the journal; run it with
// -race. The ring must stay within its size throughout and, once quiet, hold
// exactly the newest requests.
func TestJournalUnderConcurrentWritersAndReaders(t *testing.T) {
	const workers, perWorker, size = 50, 20, 64
	srv, _ := newAdminTestServer(t, Config{JournalSize: size})
	var wg sync.WaitGroup
	start := make(chan struct{})
	for w := range workers {
		wg.Go(func() {
			<-start
			for i := range perWorker {
				rec := call(srv, http.MethodPost, kicc.PathFind, findBody(fmt.Sprintf("w%d-%d", w, i), fmt.Sprint("P", w)))
				assert.Equal(t, http.StatusOK, rec.Code)
			}
		})
		wg.Go(func() {
			<-start
			for i := range perWorker {
				var rec *httptest.ResponseRecorder
				switch {
				case i%3 == 1:
					rec = call(srv, http.MethodPost, "/__admin/requests/count", `{"body":{"mallId":"T0001997"}}`)
				case i%3 == 2 && w%10 == 0:
					rec = call(srv, http.MethodDelete, "/__admin/requests", "")
				default:
					rec = call(srv, http.MethodGet, "/__admin/requests?pgCno=P1&limit=5", "")
				}
				assert.Equal(t, http.StatusOK, rec.Code, "body: %s", rec.Body)
				assert.LessOrEqual(t, srv.journal.len(), size)
			}
		})
	}
	close(start)
	wg.Wait()

	// Quiet now: the ring holds exactly the newest size requests.
	call(srv, http.MethodDelete, "/__admin/requests", "")
	for i := range 2 * size {
		call(srv, http.MethodPost, kicc.PathFind, findBody(fmt.Sprint("after-", i), "P"))
	}
	got := decode[listed](t, call(srv, http.MethodGet, "/__admin/requests", ""))
	require.Len(t, got.Requests, size)
	assert.Equal(t, fmt.Sprint("after-", 2*size-1), bodyOf(t, got.Requests[0]).ShopTransactionID)
	assert.Equal(t, fmt.Sprint("after-", size), bodyOf(t, got.Requests[size-1]).ShopTransactionID)
}

// TestJournalKeepsEveryPartOfAnEntry records entries through the encoded
// slots and reads each part back, also after the slots' buffers have been
// traded and reused by later entries.
func TestJournalKeepsEveryPartOfAnEntry(t *testing.T) {
	j := newJournal(2)
	at := time.Date(2026, 12, 1, 23, 59, 59, 123456789, kicc.KST)
	var spare []byte
	rec := func(i int) journalRecord {
		return journalRecord{
			time:      at.Add(time.Duration(i) * time.Second),
			duration:  time.Duration(i) * time.Millisecond,
			requestID: fmt.Sprint("km-", i),
			method:    http.MethodPost,
			path:      kicc.PathFind,
			query:     fmt.Sprint("a=", i),
			header: http.Header{"Content-Type": {ContentTypeJSON}, "X-Many": {"one", fmt.Sprint("two-", i)},
				"X-Empty": {""}},
			body:          []byte(findBody(fmt.Sprint("k", i), "P")),
			bodyTruncated: i%2 == 1,
			scenario:      fmt.Sprint("scenario-", i),
			status:        200 + i,
			response:      []byte(fmt.Sprintf(`{"resCd":"%04d"}`, i)),
		}
	}
	for i := range 7 {
		r := rec(i)
		spare = j.record(&r, spare)
	}
	got := j.newestFirst()
	require.Len(t, got, 2)
	for k, e := range got {
		r := rec(6 - k)
		assert.True(t, r.time.Equal(e.time), "time %v, want %v", e.time, r.time)
		assert.Equal(t, r.duration, e.duration)
		assert.Equal(t, r.requestID, e.requestID)
		assert.Equal(t, r.method, e.method)
		assert.Equal(t, r.path, e.path)
		assert.Equal(t, r.query, e.query)
		assert.Equal(t, r.scenario, e.scenario)
		assert.Equal(t, r.status, e.status)
		assert.Equal(t, r.bodyTruncated, e.bodyTruncated)
		assert.Equal(t, string(r.body), string(e.body))
		assert.Equal(t, string(r.response), string(e.response))
		header := http.Header{}
		for i := 0; i+1 < len(e.header); i += 2 {
			header[e.header[i]] = append(header[e.header[i]], e.header[i+1])
		}
		assert.Equal(t, r.header, header)
	}
	// What a reader got is a copy: later entries do not change it.
	before := string(got[0].body)
	for i := range 4 {
		r := rec(100 + i)
		spare = j.record(&r, spare)
	}
	assert.Equal(t, before, string(got[0].body))
}

// TestJournalDropsLargeSpareBuffers: an entry with a large body must not
// leave its buffer pinned in a pooled recorder once the ring moves past it.
func TestJournalDropsLargeSpareBuffers(t *testing.T) {
	j := newJournal(1)
	big := journalRecord{body: make([]byte, 2*maxSpareJournalBuffer)}
	j.record(&big, nil)
	small := journalRecord{body: []byte("{}")}
	assert.Nil(t, j.record(&small, nil), "the big entry's buffer is not offered for reuse")
	spare := j.record(&small, nil)
	assert.NotZero(t, cap(spare), "a small entry's buffer is")
	assert.Len(t, spare, 0)
}

// BenchmarkJournalRecord is the journal's share of a find request: encoding
// the request's headers, ids and both bodies, and the swap into the ring
// under its lock.
func BenchmarkJournalRecord(b *testing.B) {
	j := newJournal(DefaultJournalSize)
	r := journalRecord{
		time:      time.Now(),
		requestID: "km-2n9c",
		method:    http.MethodPost,
		path:      kicc.PathFind,
		header: http.Header{"Content-Type": {ContentTypeJSON}, "User-Agent": {"Go-http-client/1.1"},
			"Content-Length": {"137"}, "Accept-Encoding": {"gzip"}},
		body:     []byte(findBody("4CC44FEA352B461890F6E465C5BB20BB", "25122722034810122119")),
		status:   http.StatusOK,
		response: []byte(`{"resCd":"0000","resMsg":"정상처리","shopTransactionId":"4CC44FEA352B461890F6E465C5BB20BB","mallId":"T0000001","pgCno":"25122722034810122119","cancelPgCno":"25122722044210122121","transactionDate":"20261126030034","cancelStatus":"TS02","amountInfo":{"currency":"KRW","totAmount":306800}}`),
	}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		var spare []byte
		for pb.Next() {
			spare = j.record(&r, spare)
		}
	})
}
