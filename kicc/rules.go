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
		return &FieldError{ResCd: ResFormat, Field: r.Name,
			Reason: fmt.Sprintf("forbidden character %q at byte %d", c, i)}
	}
	return nil
}

// ForbiddenIndex returns the byte offset and the character of the first
// character KICC forbids in a parameter, or -1. The list is KICC's
// (common/special-character): ' " < > \ ; | CR LF, a raw & (to be sent as
// %26), and 4-byte UTF-8 characters such as emoji.
func ForbiddenIndex(s string) (int, rune) {
	for i := 0; i < len(s); i++ {
		if b := s[i]; forbidden[b] {
			if b >= 0xF0 { // lead byte of a 4-byte sequence
				r, _ := utf8.DecodeRuneInString(s[i:])
				return i, r
			}
			return i, rune(b)
		}
	}
	return -1, 0
}

// forbidden marks the bytes ForbiddenIndex stops at: KICC's special
// characters and the lead bytes of 4-byte UTF-8 sequences.
var forbidden = func() (t [256]bool) {
	for _, c := range []byte{'\'', '"', '<', '>', '\\', ';', '|', '\r', '\n', '&'} {
		t[c] = true
	}
	for c := 0xF0; c < 256; c++ {
		t[c] = true
	}
	return t
}()
