package store

import (
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	bolt "go.etcd.io/bbolt"

	"github.com/kicc-mock/kicc-mock/kicc"
)

// Damaged databases: whatever the file holds, Open answers a
// *DamagedError or opens it; it never panics, and never faults on memory
// (which no recover could catch: the test binary would die).

// goodDB writes a database with enough keys for branch pages, a replay
// answer, a sequence and a document, and returns its bytes.
func goodDB(t *testing.T) []byte {
	t.Helper()
	dir := t.TempDir()
	p, err := Open(dir)
	require.NoError(t, err)
	l, err := p.Ledger(0, day0)
	require.NoError(t, err)
	for i := range 3000 {
		_, err := l.Claim(day0, "T0000001", "4CC44FEA352B461890F6E465C5"+strconv.Itoa(i), uint64(i+1))
		require.NoError(t, err)
	}
	require.NoError(t, l.Settle(day0, "T0000001", "4CC44FEA352B461890F6E465C57", []byte(`{"resCd":"0000"}`)))
	s, err := p.Sequences(0, TestNow)
	require.NoError(t, err)
	MustNext(t, s, "cancel-pending-then-full", "25010112300010000099")
	_, err = p.Documents().Add([]byte("version: 1\n"), []string{"a"})
	require.NoError(t, err)
	require.NoError(t, p.Close())
	b, err := os.ReadFile(filepath.Join(dir, DBFile))
	require.NoError(t, err)
	return b
}

// openBytes writes b as a database and opens it.
func openBytes(t *testing.T, b []byte) (*Persistent, error) {
	t.Helper()
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, DBFile), b, 0o600))
	p, err := Open(dir)
	if err == nil {
		t.Cleanup(func() { p.Close() })
	}
	return p, err
}

func requireDamaged(t *testing.T, b []byte, problem string) {
	t.Helper()
	_, err := openBytes(t, b)
	var d *DamagedError
	require.ErrorAs(t, err, &d)
	assert.True(t, strings.HasSuffix(d.Path, DBFile), d.Path)
	assert.Contains(t, d.Problem, problem)
	assert.NotContains(t, err.Error(), "\n", "one line")
}

// meta is the active header page's root and free-page list.
type meta struct{ root, freelist, pages uint64 }

func activeMeta(b []byte) meta {
	var best meta
	var txid uint64
	for _, off := range []int{16, 4096 + 16} {
		m := b[off:]
		if order.Uint32(m) != 0xED0CDAED {
			continue
		}
		if id := order.Uint64(m[48:]); id >= txid {
			txid = id
			best = meta{root: order.Uint64(m[16:]), freelist: order.Uint64(m[32:]), pages: order.Uint64(m[40:])}
		}
	}
	return best
}

func page(b []byte, id uint64) []byte { return b[id*4096 : (id+1)*4096] }

func TestDamagedFilesAreRefusedByName(t *testing.T) {
	good := goodDB(t)
	m := activeMeta(good)
	require.Less(t, m.pages*4096, uint64(len(good))+1)
	edit := func(f func(b []byte)) []byte {
		b := append([]byte(nil), good...)
		f(b)
		return b
	}
	var ledgerRoot uint64
	p, err := openBytes(t, good)
	require.NoError(t, err)
	require.NoError(t, p.db.View(func(tx *bolt.Tx) error {
		ledgerRoot = uint64(tx.Bucket(ledgerBucket(kicc.Day(day0))).RootPage())
		return nil
	}))
	require.Equal(t, uint16(branchPage), order.Uint16(page(good, ledgerRoot)[8:]), "the ledger bucket is big enough for a branch page")

	t.Run("empty", func(t *testing.T) { requireDamaged(t, nil, "is empty (0 bytes)") })
	t.Run("a text file", func(t *testing.T) {
		requireDamaged(t, []byte("these are not the pages you are looking for\n"), "is not a database")
	})
	t.Run("random bytes", func(t *testing.T) {
		r := rand.New(rand.NewPCG(1, 2))
		b := make([]byte, 64<<10)
		for i := range b {
			b[i] = byte(r.Uint32())
		}
		requireDamaged(t, b, "is not a database")
	})
	for _, size := range []int{4096, 8192, 8193, len(good) / 2, int(m.pages*4096) - 1} {
		t.Run("truncated to "+strconv.Itoa(size), func(t *testing.T) {
			_, err := openBytes(t, good[:size])
			var d *DamagedError
			require.ErrorAs(t, err, &d)
		})
	}
	t.Run("truncated past the pages in use", func(t *testing.T) {
		requireDamaged(t, good[:len(good)/2], "truncated to "+strconv.Itoa(len(good)/2)+" bytes, its pages need "+strconv.Itoa(int(m.pages*4096)))
	})
	t.Run("a zeroed page", func(t *testing.T) {
		requireDamaged(t, edit(func(b []byte) { clear(page(b, ledgerRoot)) }), "says it is page 0")
	})
	t.Run("a branch naming itself", func(t *testing.T) {
		requireDamaged(t, edit(func(b []byte) { order.PutUint64(page(b, ledgerRoot)[16+8:], ledgerRoot) }), "is named twice")
	})
	t.Run("a branch naming a page past the end", func(t *testing.T) {
		requireDamaged(t, edit(func(b []byte) { order.PutUint64(page(b, ledgerRoot)[16+8:], 1<<40) }), "past the high-water mark")
	})
	t.Run("a key outside its page", func(t *testing.T) {
		requireDamaged(t, edit(func(b []byte) { order.PutUint32(page(b, ledgerRoot)[16:], 1<<31) }), "lies outside it")
	})
	t.Run("more elements than fit", func(t *testing.T) {
		requireDamaged(t, edit(func(b []byte) { order.PutUint16(page(b, ledgerRoot)[10:], 0xffff) }), "more than fit")
	})
	t.Run("a page listed as free and in use", func(t *testing.T) {
		// The list's first id becomes the ledger's root: a write would
		// reuse (overwrite) a page the tree still needs.
		requireDamaged(t, edit(func(b []byte) { order.PutUint64(page(b, m.freelist)[16:], ledgerRoot) }), "in use and listed as free")
	})
	t.Run("a free page the list lost", func(t *testing.T) {
		require.Greater(t, order.Uint16(page(good, m.freelist)[10:]), uint16(1))
		requireDamaged(t, edit(func(b []byte) {
			fl := page(b, m.freelist)
			order.PutUint16(fl[10:], order.Uint16(fl[10:])-1)
		}), "is neither in use nor free")
	})
	t.Run("the free-page list overwritten", func(t *testing.T) {
		requireDamaged(t, edit(func(b []byte) { copy(page(b, m.freelist), strings.Repeat("garbage!", 512)) }), "reading it failed")
	})
	t.Run("both header pages overwritten", func(t *testing.T) {
		requireDamaged(t, edit(func(b []byte) { copy(b[:8192], strings.Repeat("garbage!", 1024)) }), "is not a database")
	})
	for _, id := range []uint64{0, 1} {
		t.Run("header page "+strconv.Itoa(int(id))+" overwritten is survived", func(t *testing.T) {
			// bbolt keeps two header pages for this: a torn write of one.
			p, err := openBytes(t, edit(func(b []byte) { copy(page(b, id), strings.Repeat("garbage!", 512)) }))
			require.NoError(t, err)
			l, err := p.Ledger(0, day0)
			require.NoError(t, err)
			assert.Equal(t, 3000, l.Len())
		})
	}
}

// TestRandomPagesNeverPanic overwrites each page in turn with random bytes,
// and then random runs of bytes anywhere: Open either refuses the file
// with a *DamagedError or opens it, and every page of the tree is missed.
func TestRandomPagesNeverPanic(t *testing.T) {
	good := goodDB(t)
	m := activeMeta(good)
	p, err := openBytes(t, good)
	require.NoError(t, err)
	var treePages int
	require.NoError(t, p.db.View(func(tx *bolt.Tx) error {
		st := tx.Cursor().Bucket().Stats()
		treePages = st.BranchPageN + st.BranchOverflowN + st.LeafPageN + st.LeafOverflowN
		return nil
	}))
	r := rand.New(rand.NewPCG(13, 7))
	noise := func(b []byte) {
		for i := range b {
			b[i] = byte(r.Uint32())
		}
	}
	refused := 0
	for id := uint64(2); id < m.pages; id++ {
		b := append([]byte(nil), good...)
		noise(page(b, id))
		p, err := openBytes(t, b)
		var d *DamagedError
		switch {
		case errors.As(err, &d):
			refused++
		case err != nil:
			t.Fatalf("page %d: %v", id, err)
		default:
			_, err := p.Ledger(0, day0)
			require.NoError(t, err, "page %d: an opened database loads", id)
		}
	}
	assert.GreaterOrEqual(t, refused, treePages, "every page of the tree is missed when it is overwritten")
	t.Logf("%d of %d pages overwritten: %d refused (%d pages in the tree)", m.pages-2, m.pages, refused, treePages)

	refused = 0
	for range 300 {
		b := append([]byte(nil), good...)
		for range 1 + r.IntN(4) {
			at := r.IntN(int(m.pages * 4096))
			noise(b[at:min(len(b), at+1+r.IntN(48))])
		}
		if _, err := openBytes(t, b); err != nil {
			var d *DamagedError
			require.ErrorAs(t, err, &d)
			refused++
		}
	}
	t.Logf("300 files with random runs of bytes: %d refused", refused)
}

func TestLockedDatabaseSaysSo(t *testing.T) {
	dir := t.TempDir()
	p, err := Open(dir)
	require.NoError(t, err)
	defer p.Close()
	_, err = Open(dir)
	require.ErrorIs(t, err, ErrLocked)
	assert.Contains(t, err.Error(), filepath.Join(dir, DBFile)+" is locked by another process")
}

func TestNewDatabaseAppearsWhole(t *testing.T) {
	dir := t.TempDir()
	p, err := Open(dir)
	require.NoError(t, err)
	require.NoError(t, p.Close())
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Len(t, entries, 1, "no temporary file is left")
	info, err := entries[0].Info()
	require.NoError(t, err)
	assert.Equal(t, DBFile, info.Name())
	assert.Positive(t, info.Size())
}

func TestMoveAside(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, DBFile)
	at := time.Date(2026, 11, 25, 3, 4, 5, 0, time.UTC)
	var moved []string
	for range 2 {
		require.NoError(t, os.WriteFile(path, nil, 0o600))
		to, err := MoveAside(path, at)
		require.NoError(t, err)
		moved = append(moved, filepath.Base(to))
	}
	assert.Equal(t, []string{DBFile + ".damaged-20261125T030405Z", DBFile + ".damaged-20261125T030405Z-2"}, moved)
	_, err := os.Stat(path)
	assert.ErrorIs(t, err, os.ErrNotExist)
	p, err := Open(dir)
	require.NoError(t, err, "the next open starts empty")
	require.NoError(t, p.Close())
}

// TestVerifyPassesAfterChurn: a database that went through days, resets,
// replay answers, sequences and documents is opened again and again
// without a false alarm.
func TestVerifyPassesAfterChurn(t *testing.T) {
	dir := t.TempDir()
	for round := range 6 {
		p, err := Open(dir)
		require.NoError(t, err, "round %d", round)
		now := day0.AddDate(0, 0, round/2)
		l, err := p.Ledger(0, now)
		require.NoError(t, err)
		s, err := p.Sequences(0, TestNow)
		require.NoError(t, err)
		d := p.Documents()
		for i := range 700 {
			key := strconv.Itoa(round) + "-" + strconv.Itoa(i)
			_, err := l.Claim(now, "T0000001", key, uint64(i+1))
			require.NoError(t, err)
			if i%3 == 0 {
				require.NoError(t, l.Settle(now, "T0000001", key, []byte(strings.Repeat("x", i))))
			}
			if i%7 == 0 {
				require.NoError(t, l.Release(now, "T0000001", key))
			}
			MustNext(t, s, "seq", strconv.Itoa(i%13))
		}
		id, err := d.Add([]byte(strings.Repeat("y", 9000)), []string{"big"}) // values past a page
		require.NoError(t, err)
		if round%2 == 1 {
			require.NoError(t, d.SetNames(id, nil))
			l.Reset()
			s.Reset()
		}
		require.NoError(t, p.Close())
	}
	p, err := Open(dir)
	require.NoError(t, err)
	require.NoError(t, p.Close())
}

func TestEmptyDatabaseProblemIsExplained(t *testing.T) {
	// The error names the file and what is wrong, for main to add what to do.
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, DBFile), nil, 0o600))
	_, err := Open(dir)
	assert.EqualError(t, err, filepath.Join(dir, DBFile)+" is empty (0 bytes) where a database should be")
}
