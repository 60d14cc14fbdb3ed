package store

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"sync"

	bolt "go.etcd.io/bbolt"
)

// Bucket names of the state that is not per day.
var (
	sequencesBucket = []byte("sequences")
	documentsBucket = []byte("runtime-scenarios")
)

// BoltSequences is a Sequences that counts in memory and writes every count
// through to the database before returning it, so a restart does not rewind
// a sequence: the call after the restart gets the next response.
type BoltSequences struct {
	mu     sync.Mutex
	counts map[seqKey]int
	p      *Persistent
}

var _ Sequences = (*BoltSequences)(nil)

// Sequences loads the sequence positions kept in the database.
func (p *Persistent) Sequences() (s *BoltSequences, err error) {
	defer guard(p.path, &err)()
	s = &BoltSequences{counts: map[seqKey]int{}, p: p}
	err = p.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(sequencesBucket)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			scenario, key, ok := splitKey(k)
			if ok && len(v) == 8 {
				s.counts[seqKey{scenario, key}] = int(binary.BigEndian.Uint64(v))
			}
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("loading sequence positions: %w", err)
	}
	return s, nil
}

// Next implements Sequences. The count is written before it advances in
// memory, and when the write fails (a full disk) it does not advance at
// all: the call is answered but not counted, so the sequence waits where
// it is, and a restart finds it there too, instead of rewinding to where
// the disk last kept it.
func (s *BoltSequences) Next(scenario, key string) int {
	k := seqKey{scenario, key}
	s.mu.Lock()
	defer s.mu.Unlock()
	n := s.counts[k]
	var v [8]byte
	binary.BigEndian.PutUint64(v[:], uint64(n+1))
	err := s.p.update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(sequencesBucket)
		if err != nil {
			return err
		}
		return b.Put(joinKey(scenario, key), v[:])
	})
	if err == nil {
		s.counts[k] = n + 1
	}
	return n
}

// Len is the number of (scenario, key) positions held.
func (s *BoltSequences) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.counts)
}

// Reset implements Sequences, on disk too.
func (s *BoltSequences) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.counts = map[seqKey]int{}
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
