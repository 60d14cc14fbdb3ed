package server

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

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
