package kicc

import (
	"sync/atomic"
	"time"
)

// IDGenerator makes 20-digit KICC transaction ids (pgCno, cancelPgCno):
// yyMMddHHmmss of creation in KST followed by an 8-digit sequence, the format
// of every id seen in real KICC traffic. The sequence is global and wraps at
// 10^8, as KICC's appears to be.
type IDGenerator struct {
	seq atomic.Uint64
}

// NewIDGenerator starts the sequence at start (mod 10^8), so runs with the
// same seed produce the same ids.
func NewIDGenerator(start uint64) *IDGenerator {
	g := &IDGenerator{}
	g.seq.Store(start % 1e8)
	return g
}

// Next returns a new id for a transaction created at now.
func (g *IDGenerator) Next(now time.Time) string {
	n := (g.seq.Add(1) - 1) % 1e8
	var b [20]byte
	k := now.In(KST)
	put2(b[0:], k.Year()%100)
	put2(b[2:], int(k.Month()))
	put2(b[4:], k.Day())
	put2(b[6:], k.Hour())
	put2(b[8:], k.Minute())
	put2(b[10:], k.Second())
	for i := 19; i >= 12; i-- {
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[:])
}

func put2(b []byte, v int) {
	b[0] = byte('0' + v/10)
	b[1] = byte('0' + v%10)
}

// IsID reports whether s has the shape of a KICC transaction id: 20 digits.
func IsID(s string) bool {
	if len(s) != 20 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
