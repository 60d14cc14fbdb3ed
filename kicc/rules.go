package kicc

import (
	"fmt"
	"unicode/utf8"
)

// Rule is one request field's constraint as KICC's tables give it.
type Rule struct {
	Name     string
	MaxBytes int  // length limit in bytes of UTF-8, not in characters
	Required bool // present, not null and not empty
}

// FieldError is a request that parsed but broke a field rule; it becomes an
// HTTP 200 answer with ResCd and a resMsg naming Field.
type FieldError struct {
	ResCd  string // ResMissing, ResTooLong or ResFormat
	Field  string // JSON name, dotted for nested fields ("amountInfo.currency")
	Reason string // for logs and tests; not sent, KICC's resMsg is terse
}

func (e *FieldError) Error() string {
	return fmt.Sprintf("%s: %s (resCd %s)", e.Field, e.Reason, e.ResCd)
}

// Check validates one value against the rule.
func (r *Rule) Check(v string) *FieldError {
	if v == "" {
		if r.Required {
			return &FieldError{ResCd: ResMissing, Field: r.Name, Reason: "required"}
		}
		return nil
	}
	if r.MaxBytes > 0 && len(v) > r.MaxBytes {
		return &FieldError{ResCd: ResTooLong, Field: r.Name,
			Reason: fmt.Sprintf("%d bytes, at most %d", len(v), r.MaxBytes)}
	}
	if i, c := ForbiddenIndex(v); i >= 0 {
		return &FieldError{ResCd: ResFormat, Field: r.Name, Reason: forbiddenReason(i, c)}
	}
	return nil
}

// forbiddenReason says what ForbiddenIndex found. Its utf8.RuneError is
// always a byte that is not UTF-8: a valid U+FFFD is allowed.
func forbiddenReason(i int, c rune) string {
	switch {
	case c == utf8.RuneError:
		return fmt.Sprintf("not valid UTF-8 at byte %d", i)
	case isControl(c):
		return fmt.Sprintf("control character %U at byte %d", c, i)
	}
	return fmt.Sprintf("forbidden character %q at byte %d", c, i)
}

// ForbiddenIndex returns the byte offset and the character of the first
// character the mock refuses in a parameter, or -1; bytes that are not
// valid UTF-8 are refused too, and returned as utf8.RuneError. The refused
// characters are
//   - KICC's list (common/special-character): ' " < > \ ; | CR LF, a raw &
//     (to be sent as %26), and 4-byte UTF-8 characters such as emoji;
//   - every other control character, where KICC is silent: C0 (U+0000 to
//     U+001F, of which KICC names CR and LF), DEL (U+007F) and C1 (U+0080
//     to U+009F). None is text a merchant means to send; KICC lists no tab
//     among what its parameters take; and a NUL makes two values that
//     differ one wherever fields are joined, as mallId "T00001\x00" with
//     key "K1" and mallId "T00001" with key "\x00K1" were in the
//     idempotency ledger when its keys were joined by a NUL.
//
// A valid U+FFFD is text and allowed: only a byte that is not UTF-8 is
// refused.
func ForbiddenIndex(s string) (int, rune) {
	for i := 0; i < len(s); i++ {
		if forbidden[s[i]] {
			return forbiddenFrom(s, i)
		}
	}
	return -1, 0
}

// forbiddenFrom is ForbiddenIndex from s[i], a byte the table stops at: a
// refused ASCII byte, or the start of a multi-byte sequence that is refused
// or lets the scan go on after it. Apart, so ForbiddenIndex's loop over
// ASCII stays one table look-up a byte.
func forbiddenFrom(s string, i int) (int, rune) {
	for i < len(s) {
		b := s[i]
		switch {
		case !forbidden[b]:
			i++
			continue
		case b < utf8.RuneSelf:
			return i, rune(b)
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 || n == 4 || r <= 0x9F { // not UTF-8, 4 bytes, C1
			return i, r
		}
		i += n
	}
	return -1, 0
}

func isControl(r rune) bool { return r < 0x20 || r >= 0x7F && r <= 0x9F }

// forbidden marks the bytes ForbiddenIndex stops at: KICC's special
// characters, the C0 controls and DEL, and every byte from 0x80 up (the
// lead byte of a multi-byte character, or a byte that is not UTF-8), which
// forbiddenFrom decodes. ASCII, nearly every parameter, so costs one table
// look-up a byte.
var forbidden = func() (t [256]bool) {
	for _, c := range []byte{'\'', '"', '<', '>', '\\', ';', '|', '&', 0x7F} {
		t[c] = true
	}
	for c := 0; c < 0x20; c++ { // CR and LF among them
		t[c] = true
	}
	for c := 0x80; c < 256; c++ {
		t[c] = true
	}
	return t
}()
