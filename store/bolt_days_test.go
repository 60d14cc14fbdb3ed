package store

import (
	"encoding/binary"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	bolt "go.etcd.io/bbolt"

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

// positionsOnDisk lists the sequence positions in the database: key, and
// the KST day stamped on it (-1 for a value without one).
func positionsOnDisk(t *testing.T, p *Persistent) map[string]int64 {
	t.Helper()
	out := map[string]int64{}
	require.NoError(t, p.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(sequencesBucket)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			_, key, _ := splitKey(k)
			out[key] = -1
			if len(v) == positionSize {
				out[key] = int64(binary.BigEndian.Uint64(v[8:]))
			}
			return nil
		})
	}))
	return out
}

// A mock started each day with the same --data-dir (and never running
// across a midnight) drops the positions of past days from the file, as
// the ledger does its keys: otherwise they pile up, read at every start.
func TestBoltSequencesOfPastDaysAreDroppedAtAStart(t *testing.T) {
	dir := t.TempDir()
	day0 := time.Date(2026, 11, 25, 12, 0, 0, 0, kicc.KST)
	for d := range 3 {
		p, err := Open(dir)
		require.NoError(t, err)
		now := day0.AddDate(0, 0, d)
		s, err := p.Sequences(0, now)
		require.NoError(t, err)
		_, err = s.Next(now, "pending", "day"+strconv.Itoa(d))
		require.NoError(t, err)
		require.NoError(t, p.Close())
	}
	p, err := Open(dir)
	require.NoError(t, err)
	defer p.Close()
	assert.Equal(t, map[string]int64{"day2": kicc.Day(day0.AddDate(0, 0, 2))}, positionsOnDisk(t, p))
}

// A position written before positions had a day is taken as the day of
// the start that finds it, and stamped with it, so that it ends with that
// day instead of coming back at every later start.
func TestBoltSequencesWithoutADayEndWithTheDayTheyAreFound(t *testing.T) {
	dir := t.TempDir()
	p, err := Open(dir)
	require.NoError(t, err)
	var v [legacyPositionSize]byte
	binary.BigEndian.PutUint64(v[:], 2)
	require.NoError(t, p.update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(sequencesBucket)
		if err != nil {
			return err
		}
		return b.Put(joinKey("pending", "A"), v[:])
	}))
	require.NoError(t, p.Close())

	day0 := time.Date(2026, 11, 25, 12, 0, 0, 0, kicc.KST)
	p, err = Open(dir)
	require.NoError(t, err)
	s, err := p.Sequences(0, day0)
	require.NoError(t, err)
	assert.Equal(t, 1, s.Len(), "a restart does not rewind")
	assert.Equal(t, map[string]int64{"A": kicc.Day(day0)}, positionsOnDisk(t, p))
	require.NoError(t, p.Close())

	next := day0.AddDate(0, 0, 1)
	p, err = Open(dir)
	require.NoError(t, err)
	defer p.Close()
	s, err = p.Sequences(0, next)
	require.NoError(t, err)
	assert.Equal(t, 0, s.Len())
	n, err := s.Next(next, "pending", "A")
	require.NoError(t, err)
	assert.Equal(t, 0, n, "the next day starts the sequence again")
}
