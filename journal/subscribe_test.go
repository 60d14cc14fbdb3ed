package journal

import (
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSubscriptionGetsNewEntries(t *testing.T) {
	j := New(2)
	j.Record(&Record{Status: 1, Path: "/before"}, nil)
	sub := j.Subscribe()
	defer j.Unsubscribe(sub)
	spare := j.Record(&Record{Status: 200, Path: "/a", RequestID: "r1", Body: []byte(`{"x":1}`),
		Header: http.Header{"X-Y": {"z"}}, Duration: time.Millisecond}, nil)
	// Later entries reuse the ring's buffers: the delivered entry must not
	// change with them.
	for range 3 {
		spare = j.Record(&Record{Status: 500, Path: "/overwrite", Body: []byte(`{"y":22222222}`)}, spare)
	}
	e := <-sub.C
	assert.Equal(t, 200, e.Status)
	assert.Equal(t, "/a", e.Path)
	assert.Equal(t, "r1", e.RequestID)
	assert.Equal(t, `{"x":1}`, string(e.Body))
	assert.Equal(t, []string{"X-Y", "z"}, e.Header)
	assert.Equal(t, time.Millisecond, e.Duration)
	assert.Equal(t, uint64(2), e.Seq, "numbered as the journal numbers it")
	for range 3 {
		assert.Equal(t, "/overwrite", (<-sub.C).Path)
	}
	assert.False(t, sub.TakeLost())
	select {
	case <-sub.Refetch:
		t.Fatal("nothing was lost, yet a refetch was asked for")
	default:
	}
}

// TestSlowSubscriberNeverBlocksRecording fills a subscription nobody reads:
// Record goes on, the overflow is dropped, and the subscriber is told to
// refetch, once.
func TestSlowSubscriberNeverBlocksRecording(t *testing.T) {
	j := New(10)
	sub := j.Subscribe()
	defer j.Unsubscribe(sub)
	for i := range SubscriptionBuffer + 50 {
		j.Record(&Record{Status: i}, nil)
	}
	assert.Len(t, sub.C, SubscriptionBuffer)
	assert.Len(t, sub.Refetch, 1)
	assert.True(t, sub.TakeLost())
	assert.False(t, sub.TakeLost(), "TakeLost forgets")
	assert.Equal(t, 0, (<-sub.C).Status, "the oldest entries are the ones kept")
}

func TestUnsubscribeAndInvalidate(t *testing.T) {
	j := New(4)
	a, b := j.Subscribe(), j.Subscribe()
	j.Unsubscribe(a)
	j.Record(&Record{Status: 7}, nil)
	assert.Empty(t, a.C)
	require.Len(t, b.C, 1)
	j.Invalidate()
	j.Invalidate()
	assert.Len(t, b.Refetch, 1, "a pending refetch is not queued twice")
	assert.Empty(t, a.Refetch)
	j.Unsubscribe(b)
	assert.Zero(t, j.subs.n.Load())
}

func TestSubscribeWhileRecording(t *testing.T) {
	j := New(8)
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			var spare []byte
			for i := range 200 {
				spare = j.Record(&Record{Status: w*1000 + i, Body: []byte("body")}, spare)
			}
		})
	}
	for range 50 {
		sub := j.Subscribe()
		select {
		case e := <-sub.C:
			assert.Equal(t, "body", string(e.Body))
		default:
		}
		j.Unsubscribe(sub)
	}
	wg.Wait()
}

// BenchmarkJournalRecordWithASubscriber is BenchmarkJournalRecord with a
// live view open that keeps up: the entry is copied and decoded once for
// it. (Without one, Record pays one atomic load.)
func BenchmarkJournalRecordWithASubscriber(b *testing.B) {
	j := New(DefaultSize)
	sub := j.Subscribe()
	defer j.Unsubscribe(sub)
	done := make(chan struct{})
	go func() {
		for {
			select {
			case <-sub.C:
			case <-done:
				return
			}
		}
	}()
	defer close(done)
	r := Record{Time: time.Now(), RequestID: "km-2n9c", Method: http.MethodPost, Path: "/api/trades/wechatpay/find",
		Header: http.Header{"Content-Type": {"application/json; charset=utf-8"}},
		Body:   []byte(`{"mallId":"T0001997","shopTransactionId":"4CC44FEA352B461890F6E465C5BB20BB","pgCno":"25122722034810122119"}`),
		Status: http.StatusOK, Response: []byte(`{"resCd":"0000"}`)}
	b.ReportAllocs()
	var spare []byte
	for b.Loop() {
		spare = j.Record(&r, spare)
	}
}

// TestClearTakesBackWhatSubscribersHaveNotRead: after Clear, a subscription
// holds no entry recorded before it, neither one waiting in C (its reader
// would show it after the refetch that Clear asks for, as the two channels
// have no order between them) nor one recorded before Clear and handed
// over after it (Record publishes outside the journal's lock).
func TestClearTakesBackWhatSubscribersHaveNotRead(t *testing.T) {
	j := New(10)
	sub := j.Subscribe()
	defer j.Unsubscribe(sub)
	j.Record(&Record{Path: "/waiting"}, nil)
	j.Record(&Record{Path: "/in-between"}, nil)
	<-sub.C
	require.Len(t, sub.C, 1)
	j.mu.Lock()
	pub := j.capture(&j.slots[(j.next-1+len(j.slots))%len(j.slots)]) // as Record does, before its publish
	j.mu.Unlock()

	j.Clear()
	j.publish(pub)
	assert.Empty(t, sub.C, "an entry of before the clear")
	assert.Len(t, sub.Refetch, 1)
	j.Record(&Record{Path: "/after"}, nil)
	require.Len(t, sub.C, 1)
	assert.Equal(t, "/after", (<-sub.C).Path)
}
