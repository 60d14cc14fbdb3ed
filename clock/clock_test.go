package clock_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kicc-mock/kicc-mock/clock"
)

var t0 = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

func TestFakeFiresWaitersWhenDue(t *testing.T) {
	f := clock.NewFake(t0)
	ch5 := f.After(5 * time.Second)
	ch1 := f.After(time.Second)
	f.Advance(time.Second)
	assert.Equal(t, t0.Add(time.Second), <-ch1)
	select {
	case <-ch5:
		t.Fatal("5 s waiter fired after 1 s")
	default:
	}
	assert.Equal(t, 1, f.Waiters())
	f.Set(t0.Add(time.Minute))
	<-ch5
	assert.Equal(t, 0, f.Waiters())
	assert.Equal(t, t0.Add(time.Minute), f.Now())
}

func TestSleepEndsWhenTheContextEnds(t *testing.T) {
	f := clock.NewFake(t0)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- clock.Sleep(ctx, f, 30*time.Second) }()
	f.BlockUntil(1)
	cancel()
	assert.ErrorIs(t, <-done, context.Canceled)
}

func TestSleepReturnsWhenTheClockAdvances(t *testing.T) {
	f := clock.NewFake(t0)
	done := make(chan error)
	go func() { done <- clock.Sleep(context.Background(), f, 30*time.Second) }()
	f.BlockUntil(1)
	f.Advance(30 * time.Second)
	assert.NoError(t, <-done)
}

func TestAdjustableShiftsNowAndKeepsRunning(t *testing.T) {
	f := clock.NewFake(t0)
	a := clock.NewAdjustable(f)
	target := time.Date(2026, 11, 25, 23, 59, 59, 0, time.FixedZone("KST", 9*3600))
	a.Set(target)
	require.True(t, a.Now().Equal(target))
	f.Advance(time.Second) // time keeps running from the set point
	assert.True(t, a.Now().Equal(target.Add(time.Second)))
	a.Advance(90 * time.Minute)
	assert.True(t, a.Now().Equal(target.Add(time.Second+90*time.Minute)))
	a.Reset()
	assert.True(t, a.Now().Equal(f.Now()))
	assert.Equal(t, time.Duration(0), a.Offset())
}

func TestAdjustableSinceIsNowMinusT(t *testing.T) {
	f := clock.NewFake(t0)
	a := clock.NewAdjustable(f)
	a.Advance(time.Hour)
	start := a.Now()
	f.Advance(3 * time.Second)
	assert.Equal(t, 3*time.Second, a.Since(start))
	a.Advance(time.Minute)
	assert.Equal(t, time.Minute+3*time.Second, a.Since(start), "an offset moved meanwhile counts, as in Now().Sub")

	r := clock.NewAdjustable(clock.Real{})
	r.Advance(-48 * time.Hour)
	start = r.Now()
	r.Advance(time.Hour)
	got := r.Since(start)
	assert.GreaterOrEqual(t, got, time.Hour)
	assert.Less(t, got, time.Hour+time.Minute, "the real clock's Since: elapsed time plus the offset's move, %v", got)
}
