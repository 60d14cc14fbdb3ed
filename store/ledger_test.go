package store_test

import (
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kicc-mock/kicc-mock/kicc"
	"github.com/kicc-mock/kicc-mock/store"
)

var noon = time.Date(2026, 11, 25, 12, 0, 0, 0, kicc.KST)

func TestClaimOnceADay(t *testing.T) {
	l := store.NewMemory(0)
	c, err := l.Claim(noon, "T0000001", "k", 7)
	require.NoError(t, err)
	assert.True(t, c.First)
	c, _ = l.Claim(noon.Add(time.Hour), "T0000001", "k", 8)
	assert.False(t, c.First, "same key, same mall, same day")
	assert.Equal(t, uint64(7), c.Fingerprint, "the first claim's fingerprint is kept")
	c, _ = l.Claim(noon, "T0000002", "k", 0)
	assert.True(t, c.First, "keys are per mallId")
	assert.Equal(t, 2, l.Len())
}

func TestKeyExpiresAtKSTMidnight(t *testing.T) {
	l := store.NewMemory(0)
	used := time.Date(2026, 11, 25, 23, 59, 59, 0, kicc.KST)
	c, _ := l.Claim(used, "T0000001", "k", 0)
	require.True(t, c.First)
	c, _ = l.Claim(used.Add(500*time.Millisecond), "T0000001", "k", 0)
	assert.False(t, c.First, "refused at 23:59:59.5")
	c, _ = l.Claim(used.Add(time.Second), "T0000001", "k", 0)
	assert.True(t, c.First, "accepted at 00:00:00")
}

func TestExpiredDaysAreDropped(t *testing.T) {
	l := store.NewMemory(0)
	for d := 0; d < 5; d++ {
		for i := 0; i < 100; i++ {
			_, err := l.Claim(noon.AddDate(0, 0, d), "T0000001", strconv.Itoa(i), 0)
			require.NoError(t, err)
		}
		assert.LessOrEqual(t, l.Len(), 200, "at most today's and yesterday's keys")
	}
	// A clock set back by days starts afresh instead of keeping future days.
	c, _ := l.Claim(noon, "T0000001", "0", 0)
	assert.True(t, c.First)
	assert.LessOrEqual(t, l.Len(), 101)
}

func TestLateClaimJustBeforeMidnightStillCounts(t *testing.T) {
	l := store.NewMemory(0)
	before := time.Date(2026, 11, 25, 23, 59, 59, 900e6, kicc.KST)
	c, _ := l.Claim(before.Add(time.Second), "T0000001", "new-day", 0) // the day rolls over
	require.True(t, c.First)
	c, _ = l.Claim(before, "T0000001", "old", 0) // a request stamped before midnight arrives late
	require.True(t, c.First)
	c, _ = l.Claim(before, "T0000001", "old", 0)
	assert.False(t, c.First, "the previous day is still held")
	c, _ = l.Claim(before.Add(time.Second), "T0000001", "new-day", 0)
	assert.False(t, c.First, "the new day was not dropped")
}

func TestSettleKeepsTheFirstAnswer(t *testing.T) {
	l := store.NewMemory(0)
	_, _ = l.Claim(noon, "T0000001", "k", 1)
	c, _ := l.Claim(noon, "T0000001", "k", 1)
	assert.Nil(t, c.Response, "in flight")
	l.Settle(noon, "T0000001", "k", []byte(`{"resCd":"0000"}`))
	c, _ = l.Claim(noon, "T0000001", "k", 1)
	assert.JSONEq(t, `{"resCd":"0000"}`, string(c.Response))
}

func TestFullLedgerRefuses(t *testing.T) {
	l := store.NewMemory(2)
	for i := 0; i < 2; i++ {
		_, err := l.Claim(noon, "T0000001", strconv.Itoa(i), 0)
		require.NoError(t, err)
	}
	_, err := l.Claim(noon, "T0000001", "x", 0)
	assert.ErrorIs(t, err, store.ErrFull)
	c, err := l.Claim(noon, "T0000001", "0", 0)
	assert.NoError(t, err, "a known key is still answered as a duplicate")
	assert.False(t, c.First)
	l.Reset()
	assert.Equal(t, 0, l.Len())
	_, err = l.Claim(noon, "T0000001", "x", 0)
	assert.NoError(t, err)
}

// TestOneOfAThousandConcurrentClaimsWins: 1,000 goroutines claim one key at
// once; exactly one may proceed.
func TestOneOfAThousandConcurrentClaimsWins(t *testing.T) {
	l := store.NewMemory(0)
	var first atomic.Int32
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := 0; i < 1000; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			if c, _ := l.Claim(noon, "T0000001", "same", 0); c.First {
				first.Add(1)
			}
		}()
	}
	close(start)
	wg.Wait()
	assert.Equal(t, int32(1), first.Load())
}

// BenchmarkClaimParallel: check-and-record under parallel load, unique keys.
func BenchmarkClaimParallel(b *testing.B) {
	l := store.NewMemory(0)
	var n atomic.Uint64
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			key := "4CC44FEA352B461890F6E465C5" + strconv.FormatUint(n.Add(1), 16)
			if c, _ := l.Claim(noon, "T0000001", key, 0); !c.First {
				b.Fatal("unique key refused")
			}
		}
	})
}

// BenchmarkLedgerMemoryPerKey holds 1,000,000 keys of 32 hex characters (the
// shape real clients send) and reports the heap they take, per key.
func BenchmarkLedgerMemoryPerKey(b *testing.B) {
	const keys = 1_000_000
	ids := make([]string, keys)
	for i := range ids {
		ids[i] = "4CC44FEA352B461890F6E465" + strconv.FormatUint(uint64(0x10000000+i), 16)
	}
	for i := 0; i < b.N; i++ {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		l := store.NewMemory(0)
		for _, id := range ids {
			_, _ = l.Claim(noon, "T0000001", id, 0)
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/keys, "B/key")
		runtime.KeepAlive(l)
	}
}

// BenchmarkClaimHeldKeys is check-and-record of new keys into a ledger that
// already holds what a load run leaves in it (500,000 keys): there the map's
// working set is far larger than the CPU's caches. Keys are made up front.
func BenchmarkClaimHeldKeys(b *testing.B) {
	const held = 500_000
	l := store.NewMemory(0)
	for i := range held {
		_, _ = l.Claim(noon, "T0000001", "held-4CC44FEA352B461890F6E465"+strconv.Itoa(i), 0)
	}
	keys := make([]string, 1<<20)
	for i := range keys {
		keys[i] = "4CC44FEA352B461890F6E465C5BB" + strconv.Itoa(i)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if i&(len(keys)-1) == 0 && i > 0 {
			b.StopTimer()
			l.Reset()
			for k := range held {
				_, _ = l.Claim(noon, "T0000001", "held-4CC44FEA352B461890F6E465"+strconv.Itoa(k), 0)
			}
			b.StartTimer()
		}
		if c, _ := l.Claim(noon, "T0000001", keys[i&(len(keys)-1)], 0); !c.First {
			b.Fatal("unique key refused")
		}
	}
}
