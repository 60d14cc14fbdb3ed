package store

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kicc-mock/kicc-mock/kicc"
)

// TestBoltDropsPastDaysWhileRunning: a mock whose clock crosses midnights
// (for real, or moved by the admin API) keeps only today's and yesterday's
// keys on disk, not only in memory.
func TestBoltDropsPastDaysWhileRunning(t *testing.T) {
	p, err := Open(t.TempDir())
	require.NoError(t, err)
	defer p.Close()
	day0 := time.Date(2026, 11, 25, 12, 0, 0, 0, kicc.KST)
	l, err := p.Ledger(0, day0)
	require.NoError(t, err)
	for d := 0; d < 5; d++ {
		_, err := l.Claim(day0.AddDate(0, 0, d), "T0000001", "k", 0)
		require.NoError(t, err)
	}
	last := kicc.Day(day0.AddDate(0, 0, 4))
	assert.ElementsMatch(t, []string{string(metaBucket), string(ledgerBucket(last - 1)), string(ledgerBucket(last))}, p.buckets())
}
