package kicc

import (
	"sync/atomic"
	"time"
)

// KST is Korea Standard Time, UTC+9 with no daylight saving. A fixed zone, so
// that a scratch container image needs no tzdata.
var KST = time.FixedZone("KST", 9*60*60)

// Date layouts KICC uses.
const (
	DateTimeLayout = "20060102150405" // yyyyMMddHHmmss, timestamps
	DateLayout     = "20060102"       // yyyyMMdd, request dates
)

// FormatDateTime renders t in KST as yyyyMMddHHmmss. Answers in the same
// second share one string: the mock formats the current time on every
// request.
func FormatDateTime(t time.Time) string {
	sec := t.Unix()
	if c := lastFormatted.Load(); c != nil && c.sec == sec {
		return c.s
	}
	s := t.In(KST).Format(DateTimeLayout)
	lastFormatted.Store(&formatted{sec: sec, s: s})
	return s
}

type formatted struct {
	sec int64
	s   string
}

var lastFormatted atomic.Pointer[formatted]

// ParseDateTime reads a yyyyMMddHHmmss timestamp as KST.
func ParseDateTime(s string) (time.Time, error) {
	return time.ParseInLocation(DateTimeLayout, s, KST)
}

// NextMidnight returns the first KST midnight after t: the moment an
// idempotency key used at t expires.
func NextMidnight(t time.Time) time.Time {
	k := t.In(KST)
	return time.Date(k.Year(), k.Month(), k.Day()+1, 0, 0, 0, 0, KST)
}

// Day numbers the KST calendar day of t (days since 1970-01-01 KST), a cheap
// key for "the same KST day".
func Day(t time.Time) int64 {
	const secPerDay = 24 * 60 * 60
	s := t.Unix() + 9*60*60
	d := s / secPerDay
	if s < 0 && s%secPerDay != 0 {
		d--
	}
	return d
}
