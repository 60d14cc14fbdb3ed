package server

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kicc-mock/kicc-mock/httpio"
	"github.com/kicc-mock/kicc-mock/kicc"
)

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
				assert.LessOrEqual(t, srv.journal.Len(), size)
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

type page struct {
	Requests   []testEntry `json:"requests"`
	NextCursor string      `json:"nextCursor"`
}

// TestJournalListingIsPaged: without ?limit= a page of DefaultRequestsPage
// entries and a cursor; following the cursors visits every matching entry
// once, newest first; limit=0 is every entry in one answer.
func TestJournalListingIsPaged(t *testing.T) {
	srv, _ := newAdminTestServer(t, Config{})
	const n = 250
	for i := range n {
		pg := "P-odd"
		if i%2 == 0 {
			pg = "P-even"
		}
		call(srv, http.MethodPost, kicc.PathFind, findBody(fmt.Sprint("k", i), pg))
	}
	first := decode[page](t, call(srv, http.MethodGet, "/__admin/requests", ""))
	require.Len(t, first.Requests, DefaultRequestsPage)
	require.NotEmpty(t, first.NextCursor)
	assert.Equal(t, fmt.Sprint("k", n-1), bodyOf(t, first.Requests[0]).ShopTransactionID)

	var keys []string
	cursor := ""
	for pages := 0; ; pages++ {
		require.Less(t, pages, 10, "the cursors must end")
		path := "/__admin/requests?limit=30&pgCno=P-even"
		if cursor != "" {
			path += "&cursor=" + cursor
		}
		p := decode[page](t, call(srv, http.MethodGet, path, ""))
		for _, e := range p.Requests {
			keys = append(keys, bodyOf(t, e).ShopTransactionID)
		}
		if p.NextCursor == "" {
			assert.LessOrEqual(t, len(p.Requests), 30)
			break
		}
		require.Len(t, p.Requests, 30)
		cursor = p.NextCursor
	}
	var want []string
	for i := n - 2; i >= 0; i -= 2 {
		want = append(want, fmt.Sprint("k", i))
	}
	assert.Equal(t, want, keys, "every even entry once, newest first")

	all := decode[page](t, call(srv, http.MethodGet, "/__admin/requests?limit=0", ""))
	assert.Len(t, all.Requests, n)
	assert.Empty(t, all.NextCursor)

	exact := decode[page](t, call(srv, http.MethodGet, "/__admin/requests?limit=125&pgCno=P-odd", ""))
	assert.Len(t, exact.Requests, 125)
	assert.Empty(t, exact.NextCursor, "no cursor when the page holds the last match")

	for _, bad := range []string{"x", "0", "-1"} {
		rec := call(srv, http.MethodGet, "/__admin/requests?cursor="+bad, "")
		assert.Equal(t, http.StatusBadRequest, rec.Code, bad)
		assert.Contains(t, rec.Body.String(), "cursor must be the nextCursor")
	}
	assert.Equal(t, httpio.ContentTypeJSON, call(srv, http.MethodGet, "/__admin/requests", "").Header().Get("Content-Type"))
}

// TestJournalIsBoundedInBytesThroughTheServer: hostile requests (large
// bodies and headers) are cut per entry and flagged, and the journal's
// bytes, in /__admin/stats, stay under Config.JournalMaxBytes.
func TestJournalIsBoundedInBytesThroughTheServer(t *testing.T) {
	srv, _ := newAdminTestServer(t, Config{JournalMaxBytes: 200_000, JournalEntryBytes: 4096})
	pad := strings.Repeat("h", 5000)
	body := `{"mallId":"T0001997","shopTransactionId":"` + strings.Repeat("x", 20_000) + `"}`
	for range 100 {
		call(srv, http.MethodPost, kicc.PathFind, body, "X-Pad", pad)
	}
	var stats statsView
	require.NoError(t, json.Unmarshal(call(srv, http.MethodGet, "/__admin/stats", "").Body.Bytes(), &stats))
	assert.LessOrEqual(t, stats.JournalBytes, 200_000)
	assert.Greater(t, stats.JournalBytes, 100_000)
	assert.Less(t, stats.JournalEntries, 100, "the oldest went to keep the bytes")
	assert.Greater(t, stats.JournalEntries, 10, "an entry takes about 4 KiB of body and its headers")

	got := decode[page](t, call(srv, http.MethodGet, "/__admin/requests?limit=1", ""))
	require.Len(t, got.Requests, 1)
	e := got.Requests[0]
	assert.True(t, e.BodyTruncated)
	assert.True(t, e.HeadersTruncated, "the 5,000-byte header is past 4096")
	assert.NotContains(t, e.Headers, "X-Pad")
	assert.Contains(t, e.Headers, "Content-Type", "headers that fit are kept")
	var cut string
	require.NoError(t, json.Unmarshal(e.Body, &cut), "a cut body is kept as text")
	assert.Len(t, cut, 4096)
}
