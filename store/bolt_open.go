package store

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// ErrLocked is wrapped by Open's error when another process holds the
// database.
var ErrLocked = errors.New("locked by another process")

// lockWait is how long Open waits for another process to let go of the
// database before it reports ErrLocked.
const lockWait = time.Second

// DamagedError is Open's error for a database file that cannot be used as
// it is: truncated, overwritten, empty, or not a database at all. Nothing
// in it can be trusted, so the remedy is to move it aside (MoveAside) and
// start empty.
type DamagedError struct {
	Path    string
	Problem string // what is wrong, after the path: "is damaged: ..."
}

func (e *DamagedError) Error() string { return e.Path + " " + e.Problem }

func damaged(path, format string, args ...any) *DamagedError {
	return &DamagedError{Path: path, Problem: "is damaged: " + fmt.Sprintf(format, args...)}
}

// Open opens (or creates) DIR/kicc-mock.db, in the current data format (an
// older one is upgraded). A second process on the same directory gets
// ErrLocked after a second instead of waiting forever. A file that is not
// a sound database gets a *DamagedError, never a panic: Open checks all of
// it once, up front (verify), before anything else reads it.
func Open(dir string) (*Persistent, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("data dir: %w", err)
	}
	path := filepath.Join(dir, DBFile)
	if err := createIfMissing(path); err != nil {
		return nil, err
	}
	if err := inspect(path); err != nil {
		return nil, err
	}
	p, err := openVerified(path)
	if err != nil {
		return nil, err
	}
	if err := p.upgrade(); err != nil {
		p.Close()
		return nil, err
	}
	return p, nil
}

// createIfMissing creates a new database under a temporary name and links
// it into place once bbolt has written its first pages, so that kicc-mock
// never leaves an empty or half-made file at path, even when killed while
// creating it. That is why inspect may call an empty file damaged.
func createIfMissing(path string) error {
	if _, err := os.Lstat(path); !errors.Is(err, fs.ErrNotExist) {
		return nil // there is a file (or an error that opening it will report)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), DBFile+".new-*")
	if err != nil {
		return fmt.Errorf("creating %s: %w", path, err)
	}
	name := tmp.Name()
	defer os.Remove(name)
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("creating %s: %w", path, err)
	}
	db, err := bolt.Open(name, 0o600, &bolt.Options{Timeout: lockWait})
	if err != nil {
		return fmt.Errorf("creating %s: %w", path, err)
	}
	err = db.Update(func(tx *bolt.Tx) error { return writeFormat(tx, currentFormat) })
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("creating %s: %w", path, err)
	}
	// Link, not rename: a rename would replace a database that another
	// process created meanwhile. A file system without hard links gets the
	// rename, and that small race.
	switch err := os.Link(name, path); {
	case err == nil, errors.Is(err, fs.ErrExist):
		return nil
	default:
		if err := os.Rename(name, path); err != nil {
			return fmt.Errorf("creating %s: %w", path, err)
		}
		return nil
	}
}

// inspect checks what bbolt does not before it reads pages: the file is not
// empty, holds a valid header, is not locked, and is as long as its header
// says. It opens the file read-only, which reads the two header pages and
// nothing else (the read-write open reads the free-page list at once, and
// past the end of a truncated file that is a memory fault).
func inspect(path string) (err error) {
	info, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("opening %s: %w", path, err)
	}
	if !info.Mode().IsRegular() {
		return fmt.Errorf("%s is not a regular file", path)
	}
	if info.Size() == 0 {
		// bbolt would take an empty file for a new database and start with no
		// keys. kicc-mock never leaves one (createIfMissing), so an empty file
		// is a database something else emptied — a full disk during a copy, a
		// truncating redirect — and starting on it would silently forget every
		// key the user expects kept.
		return &DamagedError{Path: path, Problem: "is empty (0 bytes) where a database should be"}
	}
	defer guard(path, &err)()
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: lockWait})
	if err != nil {
		return openError(path, err)
	}
	defer db.Close()
	var need int64
	if err := db.View(func(tx *bolt.Tx) error { need = tx.Size(); return nil }); err != nil {
		return fmt.Errorf("opening %s: %w", path, err)
	}
	if need > info.Size() {
		return damaged(path, "truncated to %d bytes, its pages need %d", info.Size(), need)
	}
	return nil
}

// openError words bbolt's open errors for a user.
func openError(path string, err error) error {
	switch {
	case errors.Is(err, berrors.ErrTimeout):
		return fmt.Errorf("%s is %w (another kicc-mock using the same directory?)", path, ErrLocked)
	case errors.Is(err, berrors.ErrInvalid):
		return &DamagedError{Path: path, Problem: "is not a database (it has no valid bbolt header)"}
	case errors.Is(err, berrors.ErrVersionMismatch):
		return damaged(path, "its header has an unknown bbolt version")
	case errors.Is(err, berrors.ErrChecksum):
		return damaged(path, "both of its header pages fail their checksum")
	}
	var pathErr *fs.PathError
	var errno syscall.Errno
	if errors.As(err, &pathErr) || errors.As(err, &errno) {
		return fmt.Errorf("opening %s: %w", path, err) // the file system's, not the file's
	}
	return damaged(path, "%v", err) // bbolt's word on its content ("file size too small")
}

// openVerified opens path for writing and reads it once through.
func openVerified(path string) (p *Persistent, err error) {
	defer guard(path, &err)()
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: lockWait, NoSync: true, FreelistType: bolt.FreelistMapType})
	if err != nil {
		return nil, openError(path, err)
	}
	p = &Persistent{db: db, path: path}
	if err := p.verify(); err != nil {
		db.Close()
		return nil, err
	}
	return p, nil
}

// MoveAside renames a damaged database out of the way, to
// PATH.damaged-<UTC time>, so that the next Open starts empty, and returns
// the new name. The file is kept, not deleted: what it held may still be
// wanted, and it may tell what damaged it.
func MoveAside(path string, now time.Time) (string, error) {
	base := path + ".damaged-" + now.UTC().Format("20060102T150405Z")
	to := base
	for i := 2; ; i++ {
		if _, err := os.Lstat(to); errors.Is(err, fs.ErrNotExist) {
			break
		}
		to = base + "-" + strconv.Itoa(i)
	}
	if err := os.Rename(path, to); err != nil {
		return "", fmt.Errorf("moving %s aside: %w", path, err)
	}
	return to, nil
}
