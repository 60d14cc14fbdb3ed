package store_test

import (
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kicc-mock/kicc-mock/store"
)

func openLedger(t *testing.T, dir string, now time.Time) (*store.Persistent, *store.Bolt) {
	t.Helper()
	p, err := store.Open(dir)
	require.NoError(t, err)
	l, err := p.Ledger(0, now)
	require.NoError(t, err)
	return p, l
}

func TestBoltLedgerSurvivesARestart(t *testing.T) {
	dir := t.TempDir()
	p, l := openLedger(t, dir, noon)
	for i := 0; i < 100; i++ {
		c, err := l.Claim(noon, "T0000001", strconv.Itoa(i), uint64(i))
		require.NoError(t, err)
		require.True(t, c.First)
	}
	l.Settle(noon, "T0000001", "7", []byte(`{"resCd":"0000"}`))
	require.NoError(t, p.Close())

	p, l = openLedger(t, dir, noon.Add(time.Hour))
	defer p.Close()
	assert.Equal(t, 100, l.Len())
	for i := 0; i < 100; i++ {
		c, err := l.Claim(noon.Add(time.Hour), "T0000001", strconv.Itoa(i), 0)
		require.NoError(t, err)
		assert.False(t, c.First, "key %d is remembered", i)
		assert.Equal(t, uint64(i), c.Fingerprint)
	}
	c, _ := l.Claim(noon, "T0000001", "7", 7)
	assert.JSONEq(t, `{"resCd":"0000"}`, string(c.Response), "replay answers survive too")
}

func TestBoltLedgerDropsPastDaysOnOpen(t *testing.T) {
	dir := t.TempDir()
	p, l := openLedger(t, dir, noon)
	_, err := l.Claim(noon, "T0000001", "old", 0)
	require.NoError(t, err)
	require.NoError(t, p.Close())

	later := noon.AddDate(0, 0, 2)
	p, l = openLedger(t, dir, later)
	defer p.Close()
	assert.Equal(t, 0, l.Len())
	c, _ := l.Claim(later, "T0000001", "old", 0)
	assert.True(t, c.First, "a key of two days ago is free")
}

func TestBoltResetForgetsOnDisk(t *testing.T) {
	dir := t.TempDir()
	p, l := openLedger(t, dir, noon)
	_, _ = l.Claim(noon, "T0000001", "k", 0)
	l.Reset()
	require.NoError(t, p.Close())
	p, l = openLedger(t, dir, noon)
	defer p.Close()
	c, _ := l.Claim(noon, "T0000001", "k", 0)
	assert.True(t, c.First)
}

func TestSecondOpenOfOneDirFails(t *testing.T) {
	dir := t.TempDir()
	p, _ := openLedger(t, dir, noon)
	defer p.Close()
	_, err := store.Open(dir)
	assert.Error(t, err, "the database is locked by the first process")
}

func BenchmarkBoltClaim(b *testing.B) {
	p, err := store.Open(b.TempDir())
	require.NoError(b, err)
	defer p.Close()
	l, err := p.Ledger(0, noon)
	require.NoError(b, err)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, err := l.Claim(noon, "T0000001", "4CC44FEA352B461890F6E465C5"+strconv.Itoa(i), 0); err != nil {
			b.Fatal(err)
		}
	}
}
