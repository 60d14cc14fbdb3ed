package server

import (
	"math/rand"
	"sync"

	"github.com/brianvoe/gofakeit/v6"
)

// fakeSeed is FNV-1a of the ids mixed with the configured seed: the same
// transaction always gets the same amount and order number, across calls
// and across runs.
func (s *Server) fakeSeed(ids ...string) uint64 {
	h := uint64(14695981039346656037)
	for i, id := range ids {
		if i > 0 {
			h = (h ^ '/') * 1099511628211
		}
		for j := 0; j < len(id); j++ {
			h = (h ^ uint64(id[j])) * 1099511628211
		}
	}
	return h ^ uint64(s.cfg.Seed)
}

// faker returns gofakeit data seeded by ids, for callers that keep it.
func (s *Server) faker(ids ...string) *gofakeit.Faker {
	return gofakeit.NewCustom(&splitMix64{state: s.fakeSeed(ids...)})
}

// pooledFaker is a reusable faker: reseeding costs nothing, creating one
// costs allocations on the hottest path.
type pooledFaker struct {
	src *splitMix64
	f   *gofakeit.Faker
}

var fakerPool = sync.Pool{New: func() any {
	src := &splitMix64{}
	return &pooledFaker{src: src, f: gofakeit.NewCustom(src)}
}}

// withFaker runs fn with a faker seeded by ids.
func withFaker[T any](s *Server, fn func(*gofakeit.Faker) T, ids ...string) T {
	p := fakerPool.Get().(*pooledFaker)
	p.f.Rand.Seed(int64(s.fakeSeed(ids...))) // also resets math/rand's read buffer
	v := fn(p.f)
	fakerPool.Put(p)
	return v
}

// paymentAmount is the paid amount of pgCno: KRW in whole won between 1,000
// and 500,000 in steps of 100, or USD cents for a USD mock.
func (s *Server) paymentAmount(pgCno string) int64 {
	return withFaker(s, func(f *gofakeit.Faker) int64 { return int64(f.IntRange(10, 5000)) * 100 }, pgCno)
}

// shopOrderNo is the merchant order number the payment was created with.
func (s *Server) shopOrderNo(pgCno string) string {
	return withFaker(s, func(f *gofakeit.Faker) string { return f.Numerify("ORD-########") }, pgCno, "order")
}

// partialAmount is a partial cancel of pgCno by cancelPgCno: a tenth to nine
// tenths of the payment, in steps of 100.
func (s *Server) partialAmount(pgCno, cancelPgCno string) int64 {
	total := s.paymentAmount(pgCno)
	tenths := withFaker(s, func(f *gofakeit.Faker) int { return f.IntRange(1, 9) }, cancelPgCno)
	part := total * int64(tenths) / 10
	part -= part % 100
	if part <= 0 {
		part = 100
	}
	return part
}

// splitMix64 is a tiny deterministic rand.Source64: seeding math/rand's
// default source costs ~5 KB and microseconds per request, this costs nothing.
type splitMix64 struct{ state uint64 }

var _ rand.Source64 = (*splitMix64)(nil)

func (s *splitMix64) Uint64() uint64 {
	s.state += 0x9e3779b97f4a7c15
	z := s.state
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

func (s *splitMix64) Int63() int64    { return int64(s.Uint64() >> 1) }
func (s *splitMix64) Seed(seed int64) { s.state = uint64(seed) }
