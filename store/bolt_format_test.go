package store

import (
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	bolt "go.etcd.io/bbolt"

	"github.com/kicc-mock/kicc-mock/kicc"
)

// Keys whose parts hold NUL: ("T00001\x00", "K1") and ("T00001",
// "\x00K1") are two keys, in memory and on disk.

var day0 = time.Date(2026, 11, 25, 12, 0, 0, 0, kicc.KST)

var nulPairs = [][2]string{{"T00001\x00", "K1"}, {"T00001", "\x00K1"}, {"T00001", "K1"}, {"", "T00001K1"}}

func TestNULInAFieldDoesNotCrossMerchants(t *testing.T) {
	t.Run("in memory", func(t *testing.T) {
		l := NewMemory(0)
		for i, p := range nulPairs {
			c, err := l.Claim(day0, p[0], p[1], uint64(i+1))
			require.NoError(t, err)
			assert.True(t, c.First, "%q", p)
		}
	})
	t.Run("on disk, across a restart", func(t *testing.T) {
		dir := t.TempDir()
		p, err := Open(dir)
		require.NoError(t, err)
		l, err := p.Ledger(0, day0)
		require.NoError(t, err)
		for i, pair := range nulPairs {
			c, err := l.Claim(day0, pair[0], pair[1], uint64(i+1))
			require.NoError(t, err)
			require.True(t, c.First, "%q", pair)
			require.NoError(t, l.Settle(day0, pair[0], pair[1], []byte(strconv.Itoa(i))))
		}
		require.NoError(t, p.Close())
		p, err = Open(dir)
		require.NoError(t, err)
		defer p.Close()
		l, err = p.Ledger(0, day0)
		require.NoError(t, err)
		assert.Equal(t, len(nulPairs), l.Len())
		for i, pair := range nulPairs {
			c, err := l.Claim(day0, pair[0], pair[1], 0)
			require.NoError(t, err)
			assert.Equal(t, uint64(i+1), c.Fingerprint, "%q keeps its own fingerprint", pair)
			assert.Equal(t, strconv.Itoa(i), string(c.Response), "%q keeps its own answer", pair)
		}
	})
}

func TestPairEncodingRoundTrips(t *testing.T) {
	long := string(make([]byte, 300)) // a length past one uvarint byte
	for _, p := range append(nulPairs, [2]string{long, "k"}, [2]string{"m", long}, [2]string{"", ""}) {
		a, b, ok := splitPair(appendPair(nil, p[0], p[1]))
		require.True(t, ok)
		assert.Equal(t, p, [2]string{a, b})
	}
	for _, bad := range [][]byte{nil, {0x05, 'a'}, {0x80}} {
		_, _, ok := splitPair(bad)
		assert.False(t, ok, "%q", bad)
	}
}

// writeFormat1 writes a database the way kicc-mock wrote it before the
// format marker: no marker, pairs joined with a NUL.
func writeFormat1(t *testing.T, dir string) {
	t.Helper()
	db, err := bolt.Open(filepath.Join(dir, DBFile), 0o600, nil)
	require.NoError(t, err)
	defer db.Close()
	day := kicc.Day(day0)
	var fp [8]byte
	binary.BigEndian.PutUint64(fp[:], 42)
	var pos [8]byte
	binary.BigEndian.PutUint64(pos[:], 2)
	require.NoError(t, db.Update(func(tx *bolt.Tx) error {
		put := func(bucket []byte, k string, v []byte) {
			b, err := tx.CreateBucketIfNotExists(bucket)
			require.NoError(t, err)
			require.NoError(t, b.Put([]byte(k), v))
		}
		put(ledgerBucket(day), "T0000001\x00old-key", fp[:])
		put(ledgerBucket(day), "T0000002\x00other", fp[:])
		put(responseBucket(day), "T0000001\x00old-key", []byte(`{"resCd":"0000"}`))
		put(sequencesBucket, "cancel-pending-then-full\x0025010112300010000099", pos[:])
		put(documentsBucket, "\x00\x00\x00\x00\x00\x00\x00\x01", []byte(`{"data":"dmVyc2lvbjogMQo=","names":["a"]}`))
		return nil
	}))
}

func TestFormat1DatabaseIsUpgraded(t *testing.T) {
	dir := t.TempDir()
	writeFormat1(t, dir)
	for range 2 { // upgraded, then opened as it is
		p, err := Open(dir)
		require.NoError(t, err)
		l, err := p.Ledger(0, day0)
		require.NoError(t, err)
		assert.Equal(t, 2, l.Len())
		c, err := l.Claim(day0, "T0000001", "old-key", 42)
		require.NoError(t, err)
		assert.False(t, c.First, "a key of the old format is still used")
		assert.Equal(t, uint64(42), c.Fingerprint)
		assert.JSONEq(t, `{"resCd":"0000"}`, string(c.Response))
		c, _ = l.Claim(day0, "T0000002", "other", 0)
		assert.False(t, c.First)
		s, err := p.Sequences(0, TestNow)
		require.NoError(t, err)
		assert.Equal(t, 2, MustNext(t, s, "cancel-pending-then-full", "25010112300010000099"))
		s.Reset() // so that the second round reads 2 again
		MustNext(t, s, "cancel-pending-then-full", "25010112300010000099")
		MustNext(t, s, "cancel-pending-then-full", "25010112300010000099")
		docs, err := p.Documents().List()
		require.NoError(t, err)
		require.Len(t, docs, 1)
		assert.Equal(t, "version: 1\n", string(docs[0].Data))
		require.NoError(t, p.db.View(func(tx *bolt.Tx) error {
			f, err := readFormat(tx)
			assert.Equal(t, currentFormat, f)
			return err
		}))
		require.NoError(t, p.Close())
	}
}

func TestCurrentFormatOpensOnAFullDisk(t *testing.T) {
	dir := t.TempDir()
	p, err := Open(dir)
	require.NoError(t, err)
	p.writeFault.Store(&errFullForTest)
	require.NoError(t, p.upgrade(), "nothing to upgrade, nothing written")
	require.NoError(t, p.Close())
}

var errFullForTest error = errors.New("no space left on device")

func TestNewerFormatIsRefused(t *testing.T) {
	dir := t.TempDir()
	p, err := Open(dir)
	require.NoError(t, err)
	require.NoError(t, p.update(func(tx *bolt.Tx) error { return writeFormat(tx, currentFormat+1) }))
	require.NoError(t, p.Close())
	_, err = Open(dir)
	assert.EqualError(t, err, filepath.Join(dir, DBFile)+" has data format 3, newer than this kicc-mock's (2): use a newer kicc-mock")
	b, _ := os.ReadFile(filepath.Join(dir, DBFile))
	assert.NotEmpty(t, b, "left as it was")
}
