package store

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"

	bolt "go.etcd.io/bbolt"
)

// The database's data format. Format 1 (no marker; kicc-mock before the
// marker existed) joined the two parts of a key, (mallId,
// shopTransactionId) or (scenario, sequence key), with a NUL, which a part
// holding a NUL made ambiguous: ("T1\x00", "K") and ("T1", "\x00K") were
// one key. Format 2 writes the length of the first part before it
// (appendPair). Open upgrades format 1 in place.
const currentFormat = 2

var (
	metaBucket = []byte("kicc-mock")
	formatKey  = []byte("format")
)

// readFormat returns the format the database says it is in.
func readFormat(tx *bolt.Tx) (int, error) {
	b := tx.Bucket(metaBucket)
	if b == nil {
		return 1, nil
	}
	v := b.Get(formatKey)
	n, err := strconv.Atoi(string(v))
	if err != nil || n < 1 {
		return 0, fmt.Errorf("its format marker %q is not a format", v)
	}
	return n, nil
}

func writeFormat(tx *bolt.Tx, n int) error {
	b, err := tx.CreateBucketIfNotExists(metaBucket)
	if err != nil {
		return err
	}
	return b.Put(formatKey, []byte(strconv.Itoa(n)))
}

// pairBucket tells whether the keys of bucket name are pairs.
func pairBucket(name []byte) bool {
	_, _, ok := parseBucket(name)
	return ok || bytes.Equal(name, sequencesBucket)
}

// entryCheck returns the check of the entries of bucket name in a database
// of format (nil: anything goes), so that Open calls damaged what the
// loaders would have to skip.
func entryCheck(name []byte, format int) func(k, v []byte) error {
	// pairs checks that the keys are pairs and, when sizes are given, that
	// the values (what value names) are one of them long.
	pairs := func(value string, sizes ...int) func(k, v []byte) error {
		return func(k, v []byte) error {
			if _, _, ok := splitKeyOf(format, k); !ok {
				return fmt.Errorf("key %q is not a pair", k)
			}
			if len(sizes) > 0 && !slices.Contains(sizes, len(v)) {
				want := strconv.Itoa(sizes[0])
				for _, n := range sizes[1:] {
					want += " or " + strconv.Itoa(n)
				}
				return fmt.Errorf("the %s of key %q is %d bytes, not %s", value, k, len(v), want)
			}
			return nil
		}
	}
	_, kind, isDay := parseBucket(name)
	switch {
	case isDay && kind == "ledger":
		return pairs("fingerprint", 8)
	case isDay:
		return pairs("answer") // replay answers are whatever was answered
	case bytes.Equal(name, sequencesBucket):
		return pairs("position", positionSize, legacyPositionSize)
	case bytes.Equal(name, documentsBucket):
		return func(k, v []byte) error {
			var doc Document
			if len(k) != 8 {
				return fmt.Errorf("key %q is not a document id", k)
			}
			if err := json.Unmarshal(v, &doc); err != nil {
				return fmt.Errorf("document %x: %w", k, err)
			}
			return nil
		}
	}
	return nil
}

// splitKeyOf decodes a pair key written in format.
func splitKeyOf(format int, k []byte) (string, string, bool) {
	if format == 1 {
		// As format 1 read it: up to the first NUL. A key whose first part
		// held a NUL was already merged with another; nothing tells them apart.
		if i := bytes.IndexByte(k, 0); i >= 0 {
			return string(k[:i]), string(k[i+1:]), true
		}
		return "", "", false
	}
	return splitPair(k)
}

// upgrade rewrites a database of an older format in the current one, in
// one transaction: a failure (a full disk) leaves it as it was.
func (p *Persistent) upgrade() error {
	// Read first: a database in the current format needs no write at all,
	// which a full disk might refuse.
	var format int
	err := p.db.View(func(tx *bolt.Tx) (err error) { format, err = readFormat(tx); return err })
	switch {
	case err != nil:
		return fmt.Errorf("reading the data format of %s: %w", p.path, err)
	case format == currentFormat:
		return nil
	case format > currentFormat:
		return fmt.Errorf("%s has data format %d, newer than this kicc-mock's (%d): use a newer kicc-mock", p.path, format, currentFormat)
	}
	err = p.update(func(tx *bolt.Tx) error {
		var names [][]byte
		err := tx.ForEach(func(name []byte, _ *bolt.Bucket) error {
			if pairBucket(name) {
				names = append(names, bytes.Clone(name))
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, name := range names {
			if err := rekey(tx, name, format); err != nil {
				return fmt.Errorf("bucket %q: %w", name, err)
			}
		}
		return writeFormat(tx, currentFormat)
	})
	if err != nil {
		return fmt.Errorf("upgrading %s to data format %d: %w", p.path, currentFormat, err)
	}
	return nil
}

// rekey rewrites the keys of bucket name from format to the current one. A
// fresh bucket takes them: old and new keys in one bucket could collide.
func rekey(tx *bolt.Tx, name []byte, format int) error {
	type entry struct{ k, v []byte }
	var entries []entry
	err := tx.Bucket(name).ForEach(func(k, v []byte) error {
		a, b, ok := splitKeyOf(format, k)
		if !ok || v == nil {
			// Format 1's loaders skipped such an entry; an upgrade does not
			// drop one silently.
			return errors.New("an entry is not a key pair")
		}
		entries = append(entries, entry{joinKey(a, b), bytes.Clone(v)})
		return nil
	})
	if err != nil {
		return err
	}
	if err := tx.DeleteBucket(name); err != nil {
		return err
	}
	b, err := tx.CreateBucket(name)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if err := b.Put(e.k, e.v); err != nil {
			return err
		}
	}
	return nil
}

// joinKey is the database key of a pair: appendPair's encoding.
func joinKey(a, b string) []byte { return appendPair(make([]byte, 0, 1+len(a)+len(b)), a, b) }

// splitKey decodes joinKey.
func splitKey(k []byte) (string, string, bool) { return splitPair(k) }
