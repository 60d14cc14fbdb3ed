package kicc

import (
	"strings"
	"unicode/utf8"
)

// fastField is a destination of decodeFlat: the exact JSON name and where
// its string goes.
type fastField struct {
	name string
	dst  *string
}

// decodeFlat decodes the shape nearly every KICC request has, a flat JSON
// object of plain strings, without reflection and with one allocation. It
// reports false for anything else — escapes, numbers, nested values, a key
// that only matches a field case-insensitively, invalid UTF-8, a syntax
// error — and the caller then decodes with encoding/json, whose behaviour
// (including its errors) stays the reference. FuzzDecodeFlatAgreesWithJSON
// holds the two to the same results.
func decodeFlat(data []byte, fields []fastField) bool {
	s := string(data) // one allocation; every value is a substring of it
	i := skipSpace(s, 0)
	if i >= len(s) || s[i] != '{' {
		return false
	}
	i = skipSpace(s, i+1)
	if i < len(s) && s[i] == '}' {
		return skipSpace(s, i+1) == len(s)
	}
	for {
		key, j, ok := plainString(s, i)
		if !ok {
			return false
		}
		i = skipSpace(s, j)
		if i >= len(s) || s[i] != ':' {
			return false
		}
		i = skipSpace(s, i+1)
		var dst *string
		for _, f := range fields {
			if f.name == key {
				dst = f.dst
				break
			}
		}
		if dst == nil && foldsToField(key, fields) {
			return false // encoding/json matches keys case-insensitively
		}
		switch {
		case i+4 <= len(s) && s[i:i+4] == "null":
			i += 4 // null leaves a string field as it is, as encoding/json does
		default:
			v, j, ok := plainString(s, i)
			if !ok {
				return false
			}
			if dst != nil {
				*dst = v
			}
			i = j
		}
		i = skipSpace(s, i)
		if i >= len(s) {
			return false
		}
		switch s[i] {
		case ',':
			i = skipSpace(s, i+1)
		case '}':
			return skipSpace(s, i+1) == len(s)
		default:
			return false
		}
	}
}

// skipSpace returns the offset of the first byte at or after i that is not
// JSON whitespace.
func skipSpace[T string | []byte](s T, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
		i++
	}
	return i
}

// plainString reads a JSON string at s[i] that needs no unescaping: no
// backslash, no control character, valid UTF-8. It returns the contents and
// the index after the closing quote.
func plainString(s string, i int) (string, int, bool) {
	if i >= len(s) || s[i] != '"' {
		return "", 0, false
	}
	start := i + 1
	var seen byte // every byte OR-ed: its top bit says whether v is all ASCII
	for j := start; j < len(s); j++ {
		c := s[j]
		if !stringByte[c] {
			if c != '"' {
				return "", 0, false // a backslash or a control character
			}
			v := s[start:j]
			if seen >= utf8.RuneSelf && !utf8.ValidString(v) {
				return "", 0, false
			}
			return v, j + 1, true
		}
		seen |= c
	}
	return "", 0, false
}

// stringByte marks the bytes plainString takes inside a string as they are:
// all but the closing quote, a backslash and the control characters.
var stringByte = func() (t [256]bool) {
	for c := 0x20; c < 256; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// foldsToField reports whether key equals a field's name but for case
// (Unicode folding, as encoding/json applies).
func foldsToField(key string, fields []fastField) bool {
	for _, f := range fields {
		if strings.EqualFold(f.name, key) {
			return true
		}
	}
	return false
}
