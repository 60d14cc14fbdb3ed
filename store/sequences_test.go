package store_test

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kicc-mock/kicc-mock/store"
)

func TestSequencesCountEachKeyOnItsOwn(t *testing.T) {
	s := store.NewMemorySequences(0)
	assert.Equal(t, 0, store.MustNext(t, s, "a", "1"))
	assert.Equal(t, 1, store.MustNext(t, s, "a", "1"))
	assert.Equal(t, 0, store.MustNext(t, s, "a", "2"))
	assert.Equal(t, 0, store.MustNext(t, s, "b", "1"))
	s.Reset()
	assert.Equal(t, 0, store.MustNext(t, s, "a", "1"))
}

func TestSequencesGiveEachConcurrentCallItsOwnNumber(t *testing.T) {
	s := store.NewMemorySequences(0)
	var wg sync.WaitGroup
	seen := make([]bool, 100)
	var mu sync.Mutex
	for range 100 {
		wg.Go(func() {
			n := store.MustNext(t, s, "a", "k")
			mu.Lock()
			seen[n] = true
			mu.Unlock()
		})
	}
	wg.Wait()
	for i, ok := range seen {
		assert.True(t, ok, "number %d never given", i)
	}
}

func TestSequencesPastTheCapRefuseNewKeysOnly(t *testing.T) {
	s := store.NewMemorySequences(2)
	assert.Equal(t, 0, store.MustNext(t, s, "a", "1"))
	assert.Equal(t, 0, store.MustNext(t, s, "a", "2"))
	_, err := s.Next(store.TestNow, "a", "3")
	require.ErrorIs(t, err, store.ErrSequencesFull)
	_, err = s.Next(store.TestNow, "b", "1")
	require.ErrorIs(t, err, store.ErrSequencesFull, "the cap is over every scenario")
	assert.Equal(t, 1, store.MustNext(t, s, "a", "1"), "a position already held goes on")
	assert.Equal(t, 2, s.Len())
	s.Reset()
	assert.Equal(t, 0, s.Len())
	assert.Equal(t, 0, store.MustNext(t, s, "a", "3"), "reset makes room")
}

// kst is a wall time in Korea.
func kst(day, hour, minute, second int) time.Time {
	return time.Date(2025, 11, day, hour, minute, second, 0, time.FixedZone("KST", 9*3600))
}

func TestSequencesStartAgainAtKSTMidnight(t *testing.T) {
	s := store.NewMemorySequences(2)
	next := func(now time.Time, key string) int {
		n, err := s.Next(now, "seq", key)
		require.NoError(t, err)
		return n
	}
	before := kst(25, 23, 59, 59)
	assert.Equal(t, 0, next(before, "A"))
	assert.Equal(t, 1, next(before, "A"))
	assert.Equal(t, 0, next(before, "B"))
	_, err := s.Next(before, "seq", "C")
	require.ErrorIs(t, err, store.ErrSequencesFull)

	after := kst(26, 0, 0, 0)
	assert.Equal(t, 0, next(after, "A"), "a new KST day, a new sequence")
	assert.Equal(t, 1, s.Len(), "yesterday's positions are dropped")
	assert.Equal(t, 0, next(after, "C"), "and their room is free")
	assert.Equal(t, 1, next(before, "A"), "a call stamped before midnight counts in the new day, never wiping it")
	assert.Equal(t, 2, s.Len())

	assert.Equal(t, 0, next(kst(20, 12, 0, 0), "A"), "a clock set back days starts again too")
	assert.Equal(t, 1, s.Len())
}

// A reset (which also sets the admin clock back) after the clock was moved
// to a later day: the calls after it count on their own day, so that the
// next midnight starts them again.
func TestSequencesAfterAResetCountOnTheirOwnDay(t *testing.T) {
	s := store.NewMemorySequences(0)
	today, tomorrow := kst(25, 12, 0, 0), kst(26, 12, 0, 0)
	next := func(now time.Time) int {
		n, err := s.Next(now, "seq", "A")
		require.NoError(t, err)
		return n
	}
	assert.Equal(t, 0, next(tomorrow))
	s.Reset()
	assert.Equal(t, 0, next(today))
	assert.Equal(t, 1, next(today))
	assert.Equal(t, 0, next(tomorrow), "a new KST day, a new sequence")
}

// The admin clock moved to the next day and back: the calls on the day it
// is back on count on that day, so that its next midnight starts them
// again (and --data-dir keeps them for that day).
func TestSequencesAfterTheClockIsSetBackADay(t *testing.T) {
	s := store.NewMemorySequences(0)
	today, tomorrow := kst(25, 12, 0, 0), kst(26, 12, 0, 0)
	next := func(now time.Time) int {
		n, err := s.Next(now, "seq", "A")
		require.NoError(t, err)
		return n
	}
	assert.Equal(t, 0, next(tomorrow))
	assert.Equal(t, 1, next(tomorrow))
	assert.Equal(t, 0, next(today), "the day the clock is back on has its own sequence")
	assert.Equal(t, 1, next(today))
	assert.Equal(t, 0, next(tomorrow), "a new KST day, a new sequence")
}
