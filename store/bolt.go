package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/kicc-mock/kicc-mock/kicc"
)

// DBFile is the file --data-dir keeps the mock's state in.
const DBFile = "kicc-mock.db"

// Persistent is the embedded database (bbolt) behind --data-dir. Writes are
// not fsynced: what the mock promises is that a restart, even after kill -9,
// neither forgets a key nor rewinds a sequence, and the kernel keeps written
// pages across a process crash. A power failure may lose the last writes;
// that is a fair trade for a test double that answers in microseconds.
type Persistent struct {
	db   *bolt.DB
	path string
	// writeFault, when set (by tests), fails every write transaction after
	// its work is done, as a full disk fails its commit.
	writeFault atomic.Pointer[error]
}

// Close closes the database.
func (p *Persistent) Close() error { return p.db.Close() }

// update runs fn in a write transaction: nothing of it is kept when fn or
// the commit fails.
func (p *Persistent) update(fn func(*bolt.Tx) error) error {
	return p.db.Update(func(tx *bolt.Tx) error {
		if err := fn(tx); err != nil {
			return err
		}
		if err := p.writeFault.Load(); err != nil {
			return *err
		}
		return nil
	})
}

// Bolt is a Ledger that keeps its keys in memory for the check and writes
// every first claim through to the database before the request proceeds, so
// a key answered 0000 is a duplicate after any restart the same day. Memory
// never holds what the database does not: a key or answer whose write
// failed is not held either, so a restart finds the keys as they were.
type Bolt struct {
	mem *Memory
	p   *Persistent
	// day is the newest KST day written; when a claim opens a newer one,
	// buckets of days the memory ledger no longer holds are dropped in the
	// same transaction, so the file does not grow across days either.
	day atomic.Int64
}

var _ Ledger = (*Bolt)(nil)

// ledgerBucket is the bucket of one KST day: "ledger-<day number>".
func ledgerBucket(day int64) []byte { return []byte("ledger-" + strconv.FormatInt(day, 10)) }

// responseBucket holds replay-mode answers of the day.
func responseBucket(day int64) []byte { return []byte("replay-" + strconv.FormatInt(day, 10)) }

// Ledger loads the keys of now's KST day and the day before into a ledger
// of at most max keys, and drops other days from the database. Loading
// only reads: on a full disk the mock still starts, with its keys, and the
// days it could not drop are dropped at a later start.
func (p *Persistent) Ledger(max int, now time.Time) (l *Bolt, err error) {
	defer guard(p.path, &err)()
	l = &Bolt{mem: NewMemory(max), p: p}
	today := kicc.Day(now)
	l.day.Store(today)
	// Only today and yesterday count; a clock set back drops later days.
	stale := func(d int64) bool { return d < today-1 || d > today }
	dropped := false
	err = p.db.View(func(tx *bolt.Tx) error {
		return tx.ForEach(func(name []byte, b *bolt.Bucket) error {
			day, kind, ok := parseBucket(name)
			if !ok {
				return nil
			}
			if stale(day) {
				dropped = true
				return nil
			}
			at := time.Unix((day*86400)-9*3600, 0) // any instant of that KST day
			return b.ForEach(func(k, v []byte) error {
				mall, key, ok := splitKey(k)
				if !ok {
					return nil
				}
				if kind == "ledger" {
					var fp uint64
					if len(v) == 8 {
						fp = binary.BigEndian.Uint64(v)
					}
					_, err := l.mem.Claim(at, mall, key, fp)
					if errors.Is(err, ErrFull) {
						return nil // over the cap: the rest is refused anyway
					}
					return err
				}
				return l.mem.Settle(at, mall, key, append([]byte(nil), v...))
			})
		})
	})
	if err != nil {
		return nil, fmt.Errorf("loading the idempotency ledger: %w", err)
	}
	if dropped {
		_ = p.update(func(tx *bolt.Tx) error { return deleteDays(tx, stale) }) // kept for a later start when it fails
	}
	return l, nil
}

func parseBucket(name []byte) (day int64, kind string, ok bool) {
	for _, k := range []string{"ledger-", "replay-"} {
		if len(name) > len(k) && string(name[:len(k)]) == k {
			d, err := strconv.ParseInt(string(name[len(k):]), 10, 64)
			return d, k[:len(k)-1], err == nil
		}
	}
	return 0, "", false
}

// Claim implements Ledger. A first claim is written to the database before
// it counts, with the key's shard locked (a concurrent claim of the key
// waits for the outcome): when the write fails the key is not held and the
// error wraps ErrNotRecorded, so the request is refused without using its
// key, and its retry fares the same before and after a restart. The lock
// order is shard, then database.
func (l *Bolt) Claim(now time.Time, mallID, key string, fingerprint uint64) (Claim, error) {
	day := kicc.Day(now)
	c, err := l.mem.claim(now, mallID, key, fingerprint, func() error {
		var fp [8]byte
		binary.BigEndian.PutUint64(fp[:], fingerprint)
		err := l.p.update(func(tx *bolt.Tx) error {
			if day > l.day.Load() {
				if err := dropDaysBefore(tx, day-1); err != nil {
					return err
				}
			}
			b, err := tx.CreateBucketIfNotExists(ledgerBucket(day))
			if err != nil {
				return err
			}
			return b.Put(joinKey(mallID, key), fp[:])
		})
		if err == nil {
			for cur := l.day.Load(); day > cur && !l.day.CompareAndSwap(cur, day); cur = l.day.Load() {
			}
		}
		return err
	})
	if err != nil && !errors.Is(err, ErrFull) {
		return Claim{}, fmt.Errorf("recording key: %w: %w", ErrNotRecorded, err)
	}
	return c, err
}

// Settle implements Ledger.
func (l *Bolt) Settle(now time.Time, mallID, key string, response []byte) error {
	err := l.mem.settle(now, mallID, key, response, func() error {
		return l.p.update(func(tx *bolt.Tx) error {
			b, err := tx.CreateBucketIfNotExists(responseBucket(kicc.Day(now)))
			if err != nil {
				return err
			}
			return b.Put(joinKey(mallID, key), response)
		})
	})
	if err != nil {
		return fmt.Errorf("recording the answer: %w: %w", ErrNotRecorded, err)
	}
	return nil
}

// Release implements Ledger: the key is deleted from the database first,
// and when that fails it stays held in memory too.
func (l *Bolt) Release(now time.Time, mallID, key string) error {
	day := kicc.Day(now)
	err := l.mem.release(now, mallID, key, func() error {
		return l.p.update(func(tx *bolt.Tx) error {
			k := joinKey(mallID, key)
			for _, name := range [][]byte{ledgerBucket(day), responseBucket(day)} {
				if b := tx.Bucket(name); b != nil {
					if err := b.Delete(k); err != nil {
						return err
					}
				}
			}
			return nil
		})
	})
	if err != nil {
		return fmt.Errorf("releasing key: %w: %w", ErrNotRecorded, err)
	}
	return nil
}

// Len implements Ledger.
func (l *Bolt) Len() int { return l.mem.Len() }

// Reset implements Ledger: it forgets every key, on disk too.
func (l *Bolt) Reset() {
	l.mem.Reset()
	_ = l.p.update(func(tx *bolt.Tx) error {
		return deleteDays(tx, func(int64) bool { return true })
	})
}

// dropDaysBefore deletes the ledger and replay buckets of days before first.
func dropDaysBefore(tx *bolt.Tx, first int64) error {
	return deleteDays(tx, func(d int64) bool { return d < first })
}

// deleteDays deletes the ledger and replay buckets of the days drop picks.
// Names are collected first: bbolt forbids deleting while iterating.
func deleteDays(tx *bolt.Tx, drop func(day int64) bool) error {
	var stale [][]byte
	err := tx.ForEach(func(name []byte, _ *bolt.Bucket) error {
		if d, _, ok := parseBucket(name); ok && drop(d) {
			stale = append(stale, append([]byte(nil), name...))
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, name := range stale {
		if err := tx.DeleteBucket(name); err != nil {
			return err
		}
	}
	return nil
}
