package server

import (
	"hash/fnv"
	"math/rand"

	"github.com/brianvoe/gofakeit/v6"
)

// faker returns gofakeit data seeded by id (and the configured seed), so the
// same transaction always gets the same amount and order number, across calls
// and across runs.
func (s *Server) faker(id string) *gofakeit.Faker {
	h := fnv.New64a()
	h.Write([]byte(id))
	return gofakeit.NewCustom(&splitMix64{state: h.Sum64() ^ uint64(s.cfg.Seed)})
}

// paymentAmount is the paid amount of pgCno: KRW in whole won between 1,000
// and 500,000 in steps of 100, or USD cents for a USD mock.
func (s *Server) paymentAmount(pgCno string) int64 {
	f := s.faker(pgCno)
	return int64(f.IntRange(10, 5000)) * 100
}

// shopOrderNo is the merchant order number the payment was created with.
func (s *Server) shopOrderNo(pgCno string) string {
	return s.faker(pgCno + "/order").Numerify("ORD-########")
}

// partialAmount is a partial cancel of pgCno by cancelPgCno: a tenth to nine
// tenths of the payment, in steps of 100.
func (s *Server) partialAmount(pgCno, cancelPgCno string) int64 {
	total := s.paymentAmount(pgCno)
	f := s.faker(cancelPgCno)
	part := total * int64(f.IntRange(1, 9)) / 10
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
