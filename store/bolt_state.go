package store

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/kicc-mock/kicc-mock/kicc"
)

// Bucket names of the state that is not per day.
var (
	sequencesBucket = []byte("sequences")
	documentsBucket = []byte("runtime-scenarios")
)

// BoltSequences is a Sequences that counts in memory and writes every count
// through to the database before returning it, so a restart does not rewind
// a sequence: the call after the restart gets the next response. Each
// position on disk carries its KST day; the first call of a new day drops
// the bucket, so the file holds one day of positions, as memory does.
type BoltSequences struct {
	mem *MemorySequences
	p   *Persistent
}

var _ Sequences = (*BoltSequences)(nil)

// A position on disk: the count, then the KST day it belongs to, both
// big-endian. A value of 8 bytes (the count alone) was written before
// positions had a day.
const (
	positionSize       = 16
	legacyPositionSize = 8
)

// Sequences loads the sequence positions of now's KST day kept in the
// database, at most max of them (0: no limit). Positions of other days
// are skipped and then dropped on disk, as the ledger drops its past days
// at a start: a mock started every day never reaches a midnight, which
// would drop them too. Positions written before they had a day are taken
// as today's (a restart never rewinds) and stamped with it, so they end
// with it. Loading only reads; the dropping and stamping that follow are
// done again at a later start when the disk refuses them.
func (p *Persistent) Sequences(max int, now time.Time) (s *BoltSequences, err error) {
	defer guard(p.path, &err)()
	mem := NewMemorySequences(max)
	mem.day = kicc.Day(now)
	s = &BoltSequences{mem: mem, p: p}
	tidy := false
	err = p.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(sequencesBucket)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			scenario, key, ok := splitKey(k)
			switch {
			case !ok:
			case len(v) == positionSize && int64(binary.BigEndian.Uint64(v[8:])) == mem.day,
				len(v) == legacyPositionSize:
				tidy = tidy || len(v) == legacyPositionSize
				if !mem.load(scenario, key, binary.BigEndian.Uint64(v)) {
					tidy = true // what was not read may be of other days
					return errStopLoading
				}
			case len(v) == positionSize:
				tidy = true
			}
			return nil
		})
	})
	if err != nil && !errors.Is(err, errStopLoading) {
		return nil, fmt.Errorf("loading sequence positions: %w", err)
	}
	if tidy {
		_ = p.update(func(tx *bolt.Tx) error { return keepPositionsOf(tx, mem.day) })
	}
	return s, nil
}

// keepPositionsOf deletes the positions of days other than day and stamps
// those without a day with it. Keys are collected first: bbolt forbids
// changing a bucket while iterating it.
func keepPositionsOf(tx *bolt.Tx, day int64) error {
	b := tx.Bucket(sequencesBucket)
	if b == nil {
		return nil
	}
	var stale, undated [][]byte
	err := b.ForEach(func(k, v []byte) error {
		switch {
		case len(v) == legacyPositionSize:
			undated = append(undated, append([]byte(nil), k...))
		case len(v) == positionSize && int64(binary.BigEndian.Uint64(v[8:])) != day:
			stale = append(stale, append([]byte(nil), k...))
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, k := range stale {
		if err := b.Delete(k); err != nil {
			return err
		}
	}
	for _, k := range undated {
		var v [positionSize]byte
		copy(v[:8], b.Get(k))
		binary.BigEndian.PutUint64(v[8:], uint64(day))
		if err := b.Put(k, v[:]); err != nil {
			return err
		}
	}
	return nil
}

var errStopLoading = errors.New("the maximum is reached")

// Next implements Sequences. The count is written before it advances in
// memory, and when the write fails (a full disk) it does not advance at
// all: the call is answered but not counted, so the sequence waits where
// it is, and a restart finds it there too, instead of rewinding to where
// the disk last kept it.
func (s *BoltSequences) Next(now time.Time, scenario, key string) (int, error) {
	return s.mem.next(now, scenario, key, func(count uint64, day int64, fresh bool) error {
		var v [positionSize]byte
		binary.BigEndian.PutUint64(v[:8], count)
		binary.BigEndian.PutUint64(v[8:], uint64(day))
		return s.p.update(func(tx *bolt.Tx) error {
			if fresh {
				if err := deleteBucket(tx, sequencesBucket); err != nil {
					return err
				}
			}
			b, err := tx.CreateBucketIfNotExists(sequencesBucket)
			if err != nil {
				return err
			}
			return b.Put(joinKey(scenario, key), v[:])
		})
	})
}

// Len implements Sequences.
func (s *BoltSequences) Len() int { return s.mem.Len() }

// Reset implements Sequences, on disk too.
func (s *BoltSequences) Reset() {
	s.mem.mu.Lock()
	defer s.mem.mu.Unlock()
	s.mem.reset()
	_ = s.p.update(func(tx *bolt.Tx) error { return deleteBucket(tx, sequencesBucket) })
}

func deleteBucket(tx *bolt.Tx, name []byte) error {
	if tx.Bucket(name) == nil {
		return nil
	}
	return tx.DeleteBucket(name)
}

// Document is one scenario file added at runtime (POST /__admin/scenarios)
// and the names of its scenarios still in force: a later file may replace
// some of them, and DELETE removes them one by one.
type Document struct {
	ID    uint64   `json:"-"`
	Data  []byte   `json:"data"`
	Names []string `json:"names"`
}

// Documents keeps runtime scenario files across restarts, in the order they
// were added, so that loading them again in that order restores the same
// scenarios.
type Documents interface {
	// Add stores a new document and returns its id, larger than any before.
	Add(data []byte, names []string) (uint64, error)
	// SetNames records which of a document's scenarios are still in force;
	// none deletes the document.
	SetNames(id uint64, names []string) error
	// List returns every document, oldest first.
	List() ([]Document, error)
	// Reset deletes every document.
	Reset() error
}

// BoltDocuments is the Documents of a --data-dir database.
type BoltDocuments struct{ p *Persistent }

var _ Documents = BoltDocuments{}

// Documents is the runtime scenario store of the database.
func (p *Persistent) Documents() BoltDocuments { return BoltDocuments{p: p} }

func docKey(id uint64) []byte {
	var k [8]byte
	binary.BigEndian.PutUint64(k[:], id)
	return k[:]
}

// Add implements Documents.
func (d BoltDocuments) Add(data []byte, names []string) (uint64, error) {
	var id uint64
	err := d.p.update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(documentsBucket)
		if err != nil {
			return err
		}
		if id, err = b.NextSequence(); err != nil {
			return err
		}
		v, err := json.Marshal(Document{Data: data, Names: names})
		if err != nil {
			return err
		}
		return b.Put(docKey(id), v)
	})
	if err != nil {
		return 0, fmt.Errorf("storing runtime scenarios: %w", err)
	}
	return id, nil
}

// SetNames implements Documents.
func (d BoltDocuments) SetNames(id uint64, names []string) error {
	err := d.p.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(documentsBucket)
		if b == nil {
			return nil
		}
		v := b.Get(docKey(id))
		if v == nil {
			return nil
		}
		if len(names) == 0 {
			return b.Delete(docKey(id))
		}
		var doc Document
		if err := json.Unmarshal(v, &doc); err != nil {
			return err
		}
		doc.Names = names
		nv, err := json.Marshal(doc)
		if err != nil {
			return err
		}
		return b.Put(docKey(id), nv)
	})
	if err != nil {
		return fmt.Errorf("updating runtime scenarios: %w", err)
	}
	return nil
}

// List implements Documents.
func (d BoltDocuments) List() (out []Document, err error) {
	defer guard(d.p.path, &err)()
	err = d.p.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(documentsBucket)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			var doc Document
			if len(k) != 8 {
				return nil
			}
			if err := json.Unmarshal(v, &doc); err != nil {
				return fmt.Errorf("document %x: %w", k, err)
			}
			doc.ID = binary.BigEndian.Uint64(k)
			out = append(out, doc)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("reading runtime scenarios: %w", err)
	}
	return out, nil
}

// Reset implements Documents.
func (d BoltDocuments) Reset() error {
	return d.p.update(func(tx *bolt.Tx) error { return deleteBucket(tx, documentsBucket) })
}
