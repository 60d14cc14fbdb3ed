package server

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kicc-mock/kicc-mock/kicc"
)

func TestHTTPDateIsFormattedOnceASecond(t *testing.T) {
	at := time.Date(2026, 12, 1, 23, 59, 59, 100, kicc.KST)
	first := httpDate(at)
	assert.Equal(t, []string{"Tue, 01 Dec 2026 14:59:59 GMT"}, first, "RFC 9110 IMF-fixdate, in GMT")
	same := httpDate(at.Add(800 * time.Millisecond))
	assert.Same(t, &first[0], &same[0], "the same second shares one value")
	assert.Equal(t, []string{"Tue, 01 Dec 2026 15:00:00 GMT"}, httpDate(at.Add(time.Second)))
}

func TestFindAnswersCarryADate(t *testing.T) {
	srv, _ := newAdminTestServer(t, Config{})
	before := time.Now().Add(-time.Second)
	rec := call(srv, http.MethodPost, kicc.PathFind, findBody("date-1", "P1"))
	require.Equal(t, http.StatusOK, rec.Code)
	d, err := http.ParseTime(rec.Header().Get("Date"))
	require.NoError(t, err, "Date %q", rec.Header().Get("Date"))
	assert.WithinRange(t, d, before.Truncate(time.Second), time.Now().Add(time.Second))
	assert.Len(t, rec.Header().Values("Date"), 1)
}
