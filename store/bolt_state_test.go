package store_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kicc-mock/kicc-mock/store"
)

// openSequences opens the database of dir and loads its sequences.
func openSequences(t *testing.T, dir string) (*store.Persistent, *store.BoltSequences) {
	t.Helper()
	p, err := store.Open(dir)
	require.NoError(t, err)
	s, err := p.Sequences(0, store.TestNow)
	require.NoError(t, err)
	return p, s
}

func TestBoltSequencesSurviveARestart(t *testing.T) {
	dir := t.TempDir()
	p, s := openSequences(t, dir)
	assert.Equal(t, 0, store.MustNext(t, s, "pending", "A"))
	assert.Equal(t, 1, store.MustNext(t, s, "pending", "A"))
	assert.Equal(t, 0, store.MustNext(t, s, "pending", "B"))
	require.NoError(t, p.Close())

	p, s = openSequences(t, dir)
	assert.Equal(t, 2, s.Len())
	assert.Equal(t, 2, store.MustNext(t, s, "pending", "A"), "no rewind after a restart")
	assert.Equal(t, 1, store.MustNext(t, s, "pending", "B"))
	s.Reset()
	require.NoError(t, p.Close())

	p, s = openSequences(t, dir)
	defer p.Close()
	assert.Equal(t, 0, store.MustNext(t, s, "pending", "A"), "reset forgets on disk too")
}

func TestBoltDocumentsKeepOrderAndNames(t *testing.T) {
	dir := t.TempDir()
	p, err := store.Open(dir)
	require.NoError(t, err)
	d := p.Documents()
	id1, err := d.Add([]byte("one"), []string{"a", "b"})
	require.NoError(t, err)
	id2, err := d.Add([]byte("two"), []string{"c"})
	require.NoError(t, err)
	assert.Greater(t, id2, id1)
	require.NoError(t, d.SetNames(id1, []string{"b"}))
	require.NoError(t, p.Close())

	p, err = store.Open(dir)
	require.NoError(t, err)
	defer p.Close()
	d = p.Documents()
	docs, err := d.List()
	require.NoError(t, err)
	require.Len(t, docs, 2)
	assert.Equal(t, store.Document{ID: id1, Data: []byte("one"), Names: []string{"b"}}, docs[0])
	assert.Equal(t, "two", string(docs[1].Data))

	require.NoError(t, d.SetNames(id2, nil))
	docs, _ = d.List()
	assert.Len(t, docs, 1, "a document with no scenario left is dropped")
	require.NoError(t, d.Reset())
	docs, _ = d.List()
	assert.Empty(t, docs)
}

func TestBoltSequencesLastTheKSTDayOnDiskToo(t *testing.T) {
	dir := t.TempDir()
	day := store.TestNow
	tomorrow := day.Add(24 * time.Hour)
	p, s := openSequences(t, dir)
	store.MustNext(t, s, "pending", "A")
	store.MustNext(t, s, "pending", "A")
	store.MustNext(t, s, "pending", "B")

	// The first call of a new day drops the day before on disk: back on
	// that day, nothing of it is left.
	n, err := s.Next(tomorrow, "pending", "A")
	require.NoError(t, err)
	assert.Equal(t, 0, n)
	require.NoError(t, p.Close())
	p, s = openSequences(t, dir)
	assert.Equal(t, 0, s.Len())
	store.MustNext(t, s, "pending", "B")
	require.NoError(t, p.Close())

	// A start on a later day does not load them, and drops them too.
	p, err = store.Open(dir)
	require.NoError(t, err)
	s, err = p.Sequences(0, tomorrow)
	require.NoError(t, err)
	assert.Equal(t, 0, s.Len(), "yesterday's positions are not loaded")
	require.NoError(t, p.Close())
	p, s = openSequences(t, dir)
	defer p.Close()
	assert.Equal(t, 0, s.Len())
}

func TestBoltSequencesLoadAtMostTheirMaximum(t *testing.T) {
	dir := t.TempDir()
	p, s := openSequences(t, dir)
	for _, k := range []string{"A", "B", "C"} {
		store.MustNext(t, s, "pending", k)
	}
	require.NoError(t, p.Close())
	p, err := store.Open(dir)
	require.NoError(t, err)
	defer p.Close()
	s, err = p.Sequences(2, store.TestNow)
	require.NoError(t, err)
	assert.Equal(t, 2, s.Len())
	_, err = s.Next(store.TestNow, "pending", "D")
	assert.ErrorIs(t, err, store.ErrSequencesFull)
}

// After a reset, positions are kept on the day of the calls that make
// them, so that a restart that day finds them, even when the clock was on
// a later day before the reset set it back.
func TestBoltSequencesAfterAResetSurviveARestartThatDay(t *testing.T) {
	dir := t.TempDir()
	p, s := openSequences(t, dir)
	_, err := s.Next(store.TestNow.Add(24*time.Hour), "pending", "A")
	require.NoError(t, err)
	s.Reset()
	store.MustNext(t, s, "pending", "A")
	store.MustNext(t, s, "pending", "A")
	require.NoError(t, p.Close())

	p, s = openSequences(t, dir)
	defer p.Close()
	assert.Equal(t, 2, store.MustNext(t, s, "pending", "A"), "no rewind after a restart")
}
