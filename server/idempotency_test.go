package server

import (
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/kicc-mock/kicc-mock/kicc"
	"github.com/kicc-mock/kicc-mock/store"
)

// faultyLedger is an in-memory ledger whose writes fail the way the
// --data-dir ledger's fail on a full disk: the step that fails changes
// nothing.
type faultyLedger struct {
	*store.Memory
	claim, settle, release bool
}

var errFull = fmt.Errorf("recording: %w: %w", store.ErrNotRecorded, &fs.PathError{Op: "write", Path: "kicc-mock.db", Err: syscall.ENOSPC})

func (l *faultyLedger) Claim(now time.Time, mallID, key string, fp uint64) (store.Claim, error) {
	if l.claim {
		return store.Claim{}, errFull
	}
	return l.Memory.Claim(now, mallID, key, fp)
}

func (l *faultyLedger) Settle(now time.Time, mallID, key string, response []byte) error {
	if l.settle {
		return errFull
	}
	return l.Memory.Settle(now, mallID, key, response)
}

func (l *faultyLedger) Release(now time.Time, mallID, key string) error {
	if l.release {
		return errFull
	}
	return l.Memory.Release(now, mallID, key)
}

func withLedger(l store.Ledger, mode IdempotencyMode) func(*Config) {
	return func(c *Config) { c.Ledger, c.Idempotency = l, mode }
}

func TestKeyThatCannotBeRecordedIsRefusedUnused(t *testing.T) {
	l := &faultyLedger{Memory: store.NewMemory(0), claim: true}
	s, _ := newTestServer(t, withLedger(l, IdempotencyKICC))
	for range 2 {
		a := find(t, s, cancelBody("k"))
		assert.Equal(t, "9999", a.body["resCd"])
		assert.Equal(t, "시스템 오류 (shopTransactionId could not be recorded (no space left on device); it is not used, retry later)", a.body["resMsg"])
		assert.Equal(t, "k", a.body["shopTransactionId"])
	}
	l.claim = false
	assert.Equal(t, "0000", find(t, s, cancelBody("k")).body["resCd"], "once the disk has room the key is free")
	assert.Equal(t, "1010", find(t, s, cancelBody("k")).body["resCd"])
}

func TestReplayAnswerThatCannotBeRecordedIsRefused(t *testing.T) {
	t.Run("the key is released", func(t *testing.T) {
		l := &faultyLedger{Memory: store.NewMemory(0), settle: true}
		s, _ := newTestServer(t, withLedger(l, IdempotencyReplay))
		a := find(t, s, cancelBody("k"))
		assert.Equal(t, "9999", a.body["resCd"])
		assert.Contains(t, a.body["resMsg"], "the answer could not be recorded (no space left on device); shopTransactionId is not used")
		assert.Equal(t, 0, l.Len())
		l.settle = false
		first := find(t, s, cancelBody("k"))
		assert.Equal(t, "0000", first.body["resCd"])
		assert.Equal(t, first.raw, find(t, s, cancelBody("k")).raw, "and replayed from then on")
	})
	t.Run("a scenario's answer too", func(t *testing.T) {
		l := &faultyLedger{Memory: store.NewMemory(0), settle: true}
		s, _ := newTestServer(t, withLedger(l, IdempotencyReplay))
		req := httptest.NewRequest(http.MethodPost, kicc.PathFind, strings.NewReader(cancelBody("k")))
		req.Header.Set("Content-Type", ContentTypeJSON)
		req.Header.Set(ScenarioHeader, "cancel-partial")
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		assert.Contains(t, rec.Body.String(), `"resCd":"9999"`)
		assert.Contains(t, rec.Body.String(), "the answer could not be recorded")
		assert.Equal(t, 0, l.Len())
	})
	t.Run("the key cannot be released either", func(t *testing.T) {
		l := &faultyLedger{Memory: store.NewMemory(0), settle: true, release: true}
		s, _ := newTestServer(t, withLedger(l, IdempotencyReplay))
		a := find(t, s, cancelBody("k"))
		assert.Equal(t, "9999", a.body["resCd"])
		assert.Contains(t, a.body["resMsg"], "shopTransactionId stays used")
		l.settle, l.release = false, false
		assert.Equal(t, "1010", find(t, s, cancelBody("k")).body["resCd"], "as the refusal said")
	})
}

// TestCreateWhoseAnswerCannotBeRecordedKeepsTheKey: a create has made its
// payment and written its answer when the answer's write fails, so it is
// not refused; its key stays used, and its retry is a duplicate.
func TestCreateWhoseAnswerCannotBeRecordedKeepsTheKey(t *testing.T) {
	l := &faultyLedger{Memory: store.NewMemory(0), settle: true}
	s, _ := newTestServer(t, withLedger(l, IdempotencyReplay))
	body := `{"mallId":"T0000001","shopTransactionId":"c1","shopOrderNo":"order-1","goodsName":"Sample","returnUrl":"http://127.0.0.1/r",` +
		`"tradeType":"mweb","notifyUrl":"http://127.0.0.1/n","amountInfo":{"currency":"KRW","totalAmount":1000}}`
	a := send(t, s, http.MethodPost, kicc.PathCreate, ContentTypeJSON, body)
	assert.Equal(t, "0000", a.body["resCd"], "%s", a.raw)
	l.settle = false
	assert.Equal(t, "1010", send(t, s, http.MethodPost, kicc.PathCreate, ContentTypeJSON, body).body["resCd"])
}
