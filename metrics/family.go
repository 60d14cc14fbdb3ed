package metrics

import "sync"

// family keeps the resolved children of a metric vector by label set, so
// that a label set seen before costs one lock-free lookup, without the
// hashing and the label slice of WithLabelValues. It holds at most max
// label sets: past that, a new one is folded into the one overflow names,
// and is not kept (it is looked up again the next time, under the lock:
// slow, but only for traffic past the bound).
type family[K comparable, C any] struct {
	children sync.Map // K -> C; a struct key costs Load no allocation
	mu       sync.Mutex
	n        int // label sets kept, guarded by mu
	max      int
	// resolve makes the child of k and the key to keep it under: k with
	// its strings copied, since a caller's string may be a view of a
	// buffer that is reused.
	resolve  func(k K) (K, C)
	overflow func(k K) K
}

func newFamily[K comparable, C any](max int, resolve func(K) (K, C), overflow func(K) K) *family[K, C] {
	return &family[K, C]{max: max, resolve: resolve, overflow: overflow}
}

// get returns the child of k, made on first use.
func (f *family[K, C]) get(k K) C {
	if c, ok := f.children.Load(k); ok {
		return c.(C)
	}
	return f.add(k)
}

func (f *family[K, C]) add(k K) C {
	f.mu.Lock()
	defer f.mu.Unlock()
	if c, ok := f.children.Load(k); ok {
		return c.(C)
	}
	if f.n >= f.max {
		k = f.overflow(k)
		if c, ok := f.children.Load(k); ok {
			return c.(C)
		}
	}
	k, c := f.resolve(k)
	f.children.Store(k, c)
	f.n++
	return c
}
