package store_test

import (
	"fmt"
	"io/fs"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kicc-mock/kicc-mock/store"
)

// A full disk: a key, an answer or a sequence position that
// could not be written is not held in memory either, so the process and a
// restart of it tell one story.

var errDiskFull = &fs.PathError{Op: "write", Path: "kicc-mock.db", Err: syscall.ENOSPC}

func TestClaimThatCannotBeRecordedDoesNotUseTheKey(t *testing.T) {
	dir := t.TempDir()
	p, l := openLedger(t, dir, noon)
	p.SetWriteFault(errDiskFull)
	for range 2 {
		_, err := l.Claim(noon, "T0000001", "k", 1)
		require.ErrorIs(t, err, store.ErrNotRecorded)
		assert.ErrorIs(t, err, syscall.ENOSPC)
		assert.Equal(t, 0, l.Len(), "the key is not held")
	}
	p.SetWriteFault(nil)
	c, err := l.Claim(noon, "T0000001", "k", 1)
	require.NoError(t, err)
	assert.True(t, c.First, "once the disk has room, the retry is the first request")

	p.SetWriteFault(errDiskFull)
	_, err = l.Claim(noon, "T0000001", "k2", 1)
	require.ErrorIs(t, err, store.ErrNotRecorded)
	require.NoError(t, p.Close())
	p, l = openLedger(t, dir, noon)
	defer p.Close()
	c, _ = l.Claim(noon, "T0000001", "k2", 1)
	assert.True(t, c.First, "after a restart the key is as free as it was")
	c, _ = l.Claim(noon, "T0000001", "k", 1)
	assert.False(t, c.First, "and the recorded one as used")
}

func TestAnswerThatCannotBeRecordedIsNotKept(t *testing.T) {
	dir := t.TempDir()
	p, l := openLedger(t, dir, noon)
	_, err := l.Claim(noon, "T0000001", "k", 1)
	require.NoError(t, err)
	p.SetWriteFault(errDiskFull)
	err = l.Settle(noon, "T0000001", "k", []byte(`{"resCd":"0000"}`))
	require.ErrorIs(t, err, store.ErrNotRecorded)
	c, _ := l.Claim(noon, "T0000001", "k", 1)
	assert.False(t, c.First)
	assert.Nil(t, c.Response, "memory does not keep what the disk does not")

	require.ErrorIs(t, l.Release(noon, "T0000001", "k"), store.ErrNotRecorded)
	c, _ = l.Claim(noon, "T0000001", "k", 1)
	assert.False(t, c.First, "a release that could not be written leaves the key used")

	p.SetWriteFault(nil)
	require.NoError(t, l.Release(noon, "T0000001", "k"))
	assert.Equal(t, 0, l.Len())
	require.NoError(t, p.Close())
	p, l = openLedger(t, dir, noon)
	defer p.Close()
	assert.Equal(t, 0, l.Len(), "released on disk too")
	c, _ = l.Claim(noon, "T0000001", "k", 1)
	assert.True(t, c.First)
}

func TestSequencePositionThatCannotBeRecordedDoesNotAdvance(t *testing.T) {
	dir := t.TempDir()
	p, s := openSequences(t, dir)
	assert.Equal(t, 0, store.MustNext(t, s, "pending", "A"))
	p.SetWriteFault(errDiskFull)
	assert.Equal(t, 1, store.MustNext(t, s, "pending", "A"))
	assert.Equal(t, 1, store.MustNext(t, s, "pending", "A"), "not counted while it cannot be kept")
	require.NoError(t, p.Close())

	p, s = openSequences(t, dir)
	defer p.Close()
	assert.Equal(t, 1, store.MustNext(t, s, "pending", "A"), "a restart finds it where the process left it")
}

func TestDocumentThatCannotBeRecordedIsNotListed(t *testing.T) {
	p, err := store.Open(t.TempDir())
	require.NoError(t, err)
	defer p.Close()
	d := p.Documents()
	p.SetWriteFault(errDiskFull)
	_, err = d.Add([]byte("version: 1\n"), []string{"a"})
	require.ErrorIs(t, err, syscall.ENOSPC)
	p.SetWriteFault(nil)
	docs, err := d.List()
	require.NoError(t, err)
	assert.Empty(t, docs)
}

// TestConcurrentClaimsWaitForTheWrite: of claims racing for one key while
// its write fails, none proceeds and none is told it is a duplicate.
func TestConcurrentClaimsWaitForTheWrite(t *testing.T) {
	p, l := openLedger(t, t.TempDir(), noon)
	defer p.Close()
	p.SetWriteFault(errDiskFull)
	errs := make(chan error, 50)
	for range 50 {
		go func() {
			c, err := l.Claim(noon, "T0000001", "same", 0)
			if err == nil {
				err = fmt.Errorf("claim answered %+v", c)
			}
			errs <- err
		}()
	}
	for range 50 {
		assert.ErrorIs(t, <-errs, store.ErrNotRecorded)
	}
}

// TestLedgerLoadsOnAFullDisk: loading the keys only reads, so a full disk
// does not stop a start; the past days it cannot drop wait for the next.
func TestLedgerLoadsOnAFullDisk(t *testing.T) {
	dir := t.TempDir()
	p, l := openLedger(t, dir, noon.AddDate(0, 0, -3))
	_, err := l.Claim(noon.AddDate(0, 0, -3), "T0000001", "old", 0)
	require.NoError(t, err)
	_, err = l.Claim(noon, "T0000001", "today", 0)
	require.NoError(t, err)
	require.NoError(t, p.Close())

	p, err = store.Open(dir)
	require.NoError(t, err)
	p.SetWriteFault(errDiskFull)
	l, err = p.Ledger(0, noon)
	require.NoError(t, err)
	assert.Equal(t, 1, l.Len(), "today's key, not the one of three days ago")
	p.SetWriteFault(nil)
	require.NoError(t, p.Close())

	p, l = openLedger(t, dir, noon)
	defer p.Close()
	assert.Equal(t, 1, l.Len())
	c, _ := l.Claim(noon.AddDate(0, 0, -3), "T0000001", "old", 0)
	assert.True(t, c.First, "a key of three days ago is free")
}
