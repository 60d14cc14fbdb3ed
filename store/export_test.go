package store

import (
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// SetWriteFault makes every write transaction of p fail with err after its
// work is done, as a full disk fails the commit; nil ends it.
func (p *Persistent) SetWriteFault(err error) {
	if err == nil {
		p.writeFault.Store(nil)
		return
	}
	p.writeFault.Store(&err)
}

// buckets lists the database's bucket names, for the tests.
func (p *Persistent) buckets() []string {
	var out []string
	_ = p.db.View(func(tx *bolt.Tx) error {
		return tx.ForEach(func(name []byte, _ *bolt.Bucket) error {
			out = append(out, string(name))
			return nil
		})
	})
	return out
}

// TestNow is the day the sequence tests count on.
var TestNow = time.Date(2025, 11, 25, 3, 0, 0, 0, time.UTC)

// MustNext is s.Next on TestNow's day, failing t on an error.
func MustNext(t testing.TB, s Sequences, scenario, key string) int {
	t.Helper()
	n, err := s.Next(TestNow, scenario, key)
	if err != nil {
		t.Fatalf("Next(%q, %q): %v", scenario, key, err)
	}
	return n
}
