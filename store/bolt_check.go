package store

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"os"
	"runtime/debug"

	bolt "go.etcd.io/bbolt"
)

// Checking a database before use. bbolt trusts its file: it reads pages
// through a memory map and panics on an assertion, or faults on memory, at
// the first page that is not what its parent says, and a fault ends the
// process. Its own consistency check, tx.Check, does too, and in a
// goroutine of its own, where no recover can reach: a header page
// overwritten with random bytes crashes it. So verify checks the file
// itself first: it reads the B+tree from the file, not through the memory
// map, and accounts for every page. Only then does it walk the database
// through bbolt, which can no longer meet a page it cannot read, guarded
// all the same.

// guard turns a panic, or a memory fault, while bbolt reads path into a
// *DamagedError in *err. Use it as defer guard(path, &err)(). Faults on
// the memory map become panics of this goroutine only (SetPanicOnFault),
// which is why all reading happens in the calling goroutine.
func guard(path string, err *error) func() {
	old := debug.SetPanicOnFault(true)
	return func() {
		debug.SetPanicOnFault(old)
		if r := recover(); r != nil {
			*err = damaged(path, "reading it failed (%v)", r)
		}
	}
}

// verify checks the database: its pages from the file, then every bucket,
// key and value through bbolt. When it passes, loading the state and
// writing to it do not meet a page bbolt cannot read. It costs a pass over
// the file or two, which loading the ledger makes anyway.
func (p *Persistent) verify() (err error) {
	defer guard(p.path, &err)()
	return p.db.View(func(tx *bolt.Tx) error {
		if err := checkPages(tx, p.path); err != nil {
			return damaged(p.path, "%v", err)
		}
		format, err := readFormat(tx)
		if err != nil {
			return damaged(p.path, "%v", err)
		}
		var sum uint32
		err = tx.ForEach(func(name []byte, b *bolt.Bucket) error {
			return walkBucket(b, name, entryCheck(name, format), &sum)
		})
		if err != nil {
			return damaged(p.path, "%v", err)
		}
		return nil
	})
}

// walkBucket reads every key and value of b and the buckets in it: each
// byte (the checksum makes the reads happen), and each key after the one
// before it, as a B+tree keeps them. check vets b's entries.
func walkBucket(b *bolt.Bucket, name []byte, check func(k, v []byte) error, sum *uint32) error {
	var prev []byte
	c := b.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if prev != nil && bytes.Compare(prev, k) >= 0 {
			return fmt.Errorf("the keys of bucket %q are out of order", name)
		}
		prev = k
		*sum = crc32.Update(crc32.Update(*sum, crc32.IEEETable, k), crc32.IEEETable, v)
		if v == nil {
			if child := b.Bucket(k); child != nil {
				if err := walkBucket(child, k, nil, sum); err != nil {
					return err
				}
			}
			continue
		}
		if check != nil {
			if err := check(k, v); err != nil {
				return fmt.Errorf("bucket %q: %w", name, err)
			}
		}
	}
	return nil
}

// bbolt's page layout (go.etcd.io/bbolt/internal/common), in the byte
// order of the machine that wrote it.
const (
	pageHeaderSize  = 16 // id u64, flags u16, count u16, overflow u32
	elementSize     = 16 // branch: pos, ksize u32, pgid u64; leaf: flags, pos, ksize, vsize u32
	bucketHeader    = 16 // a bucket's value: root pgid u64, sequence u64, then an inline page when root is 0
	branchPage      = 0x01
	leafPage        = 0x02
	freelistPage    = 0x10
	bucketLeafFlag  = 0x01
	maxInlineNested = 64 // inline buckets inside inline buckets; bbolt makes none this deep
)

var order = binary.NativeEndian

// pageFile reads a database's pages from its file.
type pageFile struct {
	f        *os.File
	pageSize int
	pages    uint64          // the high-water mark: pages 0..pages-1 exist
	used     map[uint64]bool // the pages of the trees
}

// checkPages reads every B+tree of the database from the file, from the
// root bucket down through each bucket in it, checking that each page is
// the page its parent names, of a type that belongs there, within the
// file, named by one parent only, with its elements inside it. Then it
// accounts for the rest: every page below the high-water mark is a header
// page, in a tree, free, or the free-page list, and only one of them.
func checkPages(tx *bolt.Tx, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	pf := &pageFile{f: f, pageSize: tx.DB().Info().PageSize, used: map[uint64]bool{}}
	pf.pages = uint64(tx.Size()) / uint64(pf.pageSize)
	if err := pf.tree(uint64(tx.Cursor().Bucket().RootPage())); err != nil {
		return err
	}
	free := 0
	var rest []uint64 // neither in a tree nor free: the free-page list
	for id := uint64(2); id < pf.pages; id++ {
		info, err := tx.Page(int(id))
		if err != nil {
			return err
		}
		switch isFree := info.Type == "free"; {
		case isFree && pf.used[id]:
			return fmt.Errorf("page %d is in use and listed as free", id)
		case isFree:
			free++
		case !pf.used[id]:
			rest = append(rest, id)
		}
	}
	if n := tx.DB().Stats().FreePageN; n != free {
		return fmt.Errorf("its free-page list counts %d pages, but %d of its %d pages are free", n, free, pf.pages)
	}
	// What is left is the free-page list itself (unless bbolt keeps none):
	// one page, or a run of them, that says it is that.
	if len(rest) > 0 {
		hdr, err := pf.read(rest[0], 1)
		if err != nil {
			return err
		}
		if order.Uint64(hdr) == rest[0] && order.Uint16(hdr[8:]) == freelistPage {
			run := 1 + uint64(order.Uint32(hdr[12:]))
			for len(rest) > 0 && rest[0] < order.Uint64(hdr)+run {
				rest = rest[1:]
			}
		}
	}
	if len(rest) > 0 {
		return fmt.Errorf("page %d is neither in use nor free", rest[0])
	}
	return nil
}

// read returns n pages from id on.
func (pf *pageFile) read(id, n uint64) ([]byte, error) {
	if id < 2 || id+n > pf.pages || id+n < id {
		return nil, fmt.Errorf("a page past the high-water mark (%d pages) is named: %d", pf.pages, id+n-1)
	}
	b := make([]byte, n*uint64(pf.pageSize))
	if _, err := pf.f.ReadAt(b, int64(id)*int64(pf.pageSize)); err != nil {
		return nil, fmt.Errorf("reading page %d: %w", id, err)
	}
	return b, nil
}

// tree checks the B+tree whose root is page root and every bucket in it.
// It keeps its own stack rather than recursing: the depth is the file's to
// decide, and a page named twice (a cycle included) stops it.
func (pf *pageFile) tree(root uint64) error {
	stack := []uint64{root}
	for len(stack) > 0 {
		id := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		p, err := pf.read(id, 1)
		if err != nil {
			return err
		}
		if got := order.Uint64(p); got != id {
			return fmt.Errorf("page %d says it is page %d", id, got)
		}
		if overflow := uint64(order.Uint32(p[12:])); overflow > 0 {
			if p, err = pf.read(id, 1+overflow); err != nil {
				return err
			}
		}
		for i := id; i < id+uint64(len(p)/pf.pageSize); i++ {
			if pf.used[i] {
				return fmt.Errorf("page %d is named twice", i)
			}
			pf.used[i] = true
		}
		switch order.Uint16(p[8:]) {
		case branchPage:
			children, err := branchChildren(p, id)
			if err != nil {
				return err
			}
			stack = append(stack, children...)
		case leafPage:
			roots, err := leafBuckets(p, id, 0)
			if err != nil {
				return err
			}
			stack = append(stack, roots...)
		default:
			return fmt.Errorf("page %d, in a tree, is neither a branch nor a leaf (flags %#x)", id, order.Uint16(p[8:]))
		}
	}
	return nil
}

// elements returns the element count of page p after checking that each
// element's key (and value) lies inside p.
func elements(p []byte, id uint64, leaf bool) (int, error) {
	n := int(order.Uint16(p[10:]))
	if pageHeaderSize+n*elementSize > len(p) {
		return 0, fmt.Errorf("page %d holds %d elements, more than fit", id, n)
	}
	for i := 0; i < n; i++ {
		e := p[pageHeaderSize+i*elementSize:]
		pos, size := uint64(order.Uint32(e[0:])), uint64(order.Uint32(e[4:]))
		if leaf {
			pos, size = uint64(order.Uint32(e[4:])), uint64(order.Uint32(e[8:]))+uint64(order.Uint32(e[12:]))
		}
		if start := uint64(pageHeaderSize + i*elementSize); start+pos+size > uint64(len(p)) {
			return 0, fmt.Errorf("element %d of page %d lies outside it", i, id)
		}
	}
	return n, nil
}

func branchChildren(p []byte, id uint64) ([]uint64, error) {
	n, err := elements(p, id, false)
	if err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, fmt.Errorf("branch page %d is empty", id)
	}
	children := make([]uint64, n)
	for i := range children {
		children[i] = order.Uint64(p[pageHeaderSize+i*elementSize+8:])
	}
	return children, nil
}

// leafBuckets returns the root pages of the buckets in leaf page p, after
// checking the inline buckets in it (a bucket small enough lives in its
// parent's value: a page of its own, without an id).
func leafBuckets(p []byte, id uint64, depth int) ([]uint64, error) {
	n, err := elements(p, id, true)
	if err != nil {
		return nil, err
	}
	var roots []uint64
	for i := 0; i < n; i++ {
		off := pageHeaderSize + i*elementSize
		e := p[off:]
		if order.Uint32(e)&bucketLeafFlag == 0 {
			continue
		}
		start := off + int(order.Uint32(e[4:])) + int(order.Uint32(e[8:]))
		v := p[start : start+int(order.Uint32(e[12:]))]
		if len(v) < bucketHeader {
			return nil, fmt.Errorf("a bucket in page %d has a %d-byte header", id, len(v))
		}
		if root := order.Uint64(v); root != 0 {
			roots = append(roots, root)
			continue
		}
		inline := v[bucketHeader:]
		if depth >= maxInlineNested || len(inline) < pageHeaderSize || order.Uint16(inline[8:]) != leafPage {
			return nil, fmt.Errorf("an inline bucket in page %d is not a leaf", id)
		}
		more, err := leafBuckets(inline, id, depth+1)
		if err != nil {
			return nil, err
		}
		roots = append(roots, more...)
	}
	return roots, nil
}
