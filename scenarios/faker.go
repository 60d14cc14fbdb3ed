package scenarios

import (
	"math/rand"
	"sync"

	"github.com/brianvoe/gofakeit/v6"
)

// pooledFaker is a reusable faker: reseeding costs nothing, creating one
// costs allocations on the request path.
type pooledFaker struct {
	src *SplitMix64
	f   *gofakeit.Faker
}

var fakerPool = sync.Pool{New: func() any {
	src := &SplitMix64{}
	return &pooledFaker{src: src, f: gofakeit.NewCustom(src)}
}}

// WithFaker runs fn with a pooled faker seeded by seed: the same seed gives
// the same data, across calls and across runs.
func WithFaker[T any](seed uint64, fn func(*gofakeit.Faker) T) T {
	p := fakerPool.Get().(*pooledFaker)
	p.f.Rand.Seed(int64(seed)) // also resets math/rand's read buffer
	v := fn(p.f)
	fakerPool.Put(p)
	return v
}

// FakeSeed is FNV-1a of ids (joined by "/") mixed with seed: what seeds the
// fake data of one transaction.
func FakeSeed(seed int64, ids ...string) uint64 {
	h := uint64(14695981039346656037)
	for i, id := range ids {
		if i > 0 {
			h = (h ^ '/') * 1099511628211
		}
		for j := 0; j < len(id); j++ {
			h = (h ^ uint64(id[j])) * 1099511628211
		}
	}
	return h ^ uint64(seed)
}

// SplitMix64 is a tiny deterministic rand.Source64: seeding math/rand's
// default source costs ~5 KB and microseconds per request, this costs
// nothing.
type SplitMix64 struct{ state uint64 }

var _ rand.Source64 = (*SplitMix64)(nil)

// Uint64 implements rand.Source64.
func (s *SplitMix64) Uint64() uint64 {
	s.state += 0x9e3779b97f4a7c15
	z := s.state
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// Int63 implements rand.Source.
func (s *SplitMix64) Int63() int64 { return int64(s.Uint64() >> 1) }

// Seed implements rand.Source.
func (s *SplitMix64) Seed(seed int64) { s.state = uint64(seed) }
