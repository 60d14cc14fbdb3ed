package kicc

import (
	"bytes"
	"encoding/json"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// encoding/json reads invalid UTF-8 and lone surrogate escapes ("\ud800")
// as U+FFFD, so two different shopTransactionIds ("A\xff\xfeA" and
// "A\xc0\xafA") would become one and the second be a duplicate. Decode
// refuses such text instead; the functions here find where it is.

// mayHoldBadText reports whether data can hold a string that is not valid
// Unicode: only bytes that are not UTF-8 or a \u escape of a surrogate
// (\uD800 to \uDFFF) make one. It errs towards true ("\\ud800" is an
// escaped backslash), never towards false, and costs one pass of utf8.Valid
// and of bytes.Index, so valid bodies pay almost nothing for the check.
func mayHoldBadText(data []byte) bool {
	if !utf8.Valid(data) {
		return true
	}
	for {
		i := bytes.Index(data, []byte(`\u`))
		if i < 0 || i+3 >= len(data) {
			return false
		}
		if data[i+2]|0x20 == 'd' && isSurrogateHex(data[i+3]) {
			return true
		}
		data = data[i+2:]
	}
}

// isSurrogateHex reports whether c is the second hex digit of \uD800 to
// \uDFFF: 8, 9 or a to f in either case.
func isSurrogateHex(c byte) bool {
	return c == '8' || c == '9' || c|0x20 >= 'a' && c|0x20 <= 'f'
}

// pathStep is one level of where a value sits: an object's key (raw, as
// between its quotes in the body) or an array's index.
type pathStep struct {
	key   []byte
	index int
	array bool
}

// badText is the first string in data, in document order, that is not
// valid Unicode: path leads to it, key says whether it is an object key
// rather than a value, at is its offset in data.
type badText struct {
	path []pathStep
	key  bool
	at   int
}

// maxPathSteps is how many levels of nesting findBadText keeps: each adds
// at least a byte to the name, so a deeper path's name is cut anyway.
const maxPathSteps = MaxFieldName + 1

// findBadText walks data, which encoding/json has found to be valid JSON,
// and returns the first string that is not valid Unicode, or nil. It does
// not recurse and keeps the outermost maxPathSteps levels of the path only,
// so nesting costs it neither stack nor heap; it stops at the end of data
// whatever it holds, so invalid JSON cannot make it panic.
func findBadText(data []byte) *badText {
	var steps [maxPathSteps]pathStep
	depth := 0
	top := func() *pathStep { // the innermost level kept, or nil
		if depth == 0 || depth > maxPathSteps {
			return nil
		}
		return &steps[depth-1]
	}
	for i := 0; i < len(data); {
		switch data[i] {
		case '{', '[':
			if depth < maxPathSteps {
				steps[depth] = pathStep{array: data[i] == '['}
			}
			depth++
			i++
		case '}', ']':
			depth = max(depth-1, 0)
			i++
		case ',':
			if t := top(); t != nil && t.array {
				t.index++
			}
			i++
		case '"':
			end := stringEnd(data, i)
			raw := data[i+1 : max(i+1, end-1)]
			next := skipSpace(data, end)
			isKey := next < len(data) && data[next] == ':'
			if !validText(raw) {
				return &badText{path: slices.Clone(steps[:min(depth, maxPathSteps)]), key: isKey, at: i}
			}
			if t := top(); isKey && t != nil {
				t.key = raw
			}
			i = end
		default: // a number, a literal, ':' or space: nothing to check
			i++
		}
	}
	return nil
}

// stringEnd returns the offset after the string that starts at data[i],
// or len(data) when it is not closed.
func stringEnd(data []byte, i int) int {
	for j := i + 1; j < len(data); j++ {
		switch data[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return len(data)
}

// validText reports whether raw, a JSON string's contents with its escapes,
// is valid UTF-8 whose \u escapes are no lone surrogate: a high half
// (\uD800 to \uDBFF) must be followed at once by an escaped low half
// (\uDC00 to \uDFFF). Escapes are ASCII, so checking raw's bytes as UTF-8
// checks the text between them.
func validText(raw []byte) bool {
	if !utf8.Valid(raw) {
		return false
	}
	for i := 0; i < len(raw); i++ {
		if raw[i] != '\\' {
			continue
		}
		i++
		if i >= len(raw) || raw[i] != 'u' {
			continue // \" \\ \/ \b \f \n \r \t: one character
		}
		r := hex4(raw, i+1)
		i += 4
		switch {
		case r >= 0xDC00 && r <= 0xDFFF:
			return false // a low half with no high half before it
		case r >= 0xD800 && r <= 0xDBFF:
			if i+6 >= len(raw) || raw[i+1] != '\\' || raw[i+2] != 'u' {
				return false
			}
			if lo := hex4(raw, i+3); lo < 0xDC00 || lo > 0xDFFF {
				return false
			}
			i += 6
		}
	}
	return true
}

// hex4 reads the four hex digits at raw[i:], or returns -1.
func hex4(raw []byte, i int) rune {
	if i+4 > len(raw) {
		return -1
	}
	var r rune
	for _, c := range raw[i : i+4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c|0x20 && c|0x20 <= 'f':
			c = c | 0x20 - 'a' + 10
		default:
			return -1
		}
		r = r<<4 | rune(c)
	}
	return r
}

// textError turns the first string of data that is not valid Unicode into
// the error Decode returns: a value is a FieldError (1003) naming its field
// as a FieldError for a wrong type would, the JSON names dotted; a key is a
// BodyError, as no field can be named by a name that is not text. It
// returns nil when data holds no such string.
func textError(data []byte, v any) error {
	bad := findBadText(data)
	if bad == nil {
		return nil
	}
	at := strconv.Itoa(bad.at)
	if bad.key {
		return &BodyError{Msg: "request body is not valid JSON: the object key at byte " + at +
			" is not valid UTF-8 or holds a lone surrogate escape"}
	}
	return &FieldError{ResCd: ResFormat, Field: fieldPath(reflect.TypeOf(v), bad.path),
		Reason: "not valid UTF-8, or a lone surrogate escape, in the string at byte " + at}
}

// MaxFieldName bounds the field a FieldError names, in bytes. KICC's
// longest is 30 ("customerInfo.customerContactNo"); an unknown field's path
// is the sender's to choose (a 60 KiB key, arrays nested 10,000 deep) and
// ends up in resMsg, whose limit is 1000 bytes.
const MaxFieldName = 128

// fieldPath names the value at path: each key as the field it decodes into
// (its JSON name, which encoding/json also finds by a case-insensitive
// match), or as sent when t has no such field; array indexes in brackets.
// A name longer than MaxFieldName is cut there and ends in "...".
func fieldPath(t reflect.Type, path []pathStep) string {
	var b strings.Builder
	for _, step := range path {
		if b.Len() > MaxFieldName {
			break
		}
		for t != nil && t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		if step.array {
			b.WriteString("[" + strconv.Itoa(step.index) + "]")
			if t != nil && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) {
				t = t.Elem()
			} else {
				t = nil
			}
			continue
		}
		raw := step.key[:min(len(step.key), 6*MaxFieldName)] // enough for the name, escaped
		var key string
		if json.Unmarshal(append(append([]byte{'"'}, raw...), '"'), &key) != nil {
			key = string(raw) // a cut in an escape: the name is cut anyway
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		name, ft := quoteKey(key), reflect.Type(nil)
		switch {
		case t != nil && t.Kind() == reflect.Struct:
			name, ft = structField(t, key)
		case t != nil && t.Kind() == reflect.Map:
			ft = t.Elem()
		}
		b.WriteString(name)
		t = ft
	}
	return cutName(b.String())
}

// cutName cuts name to MaxFieldName bytes, on a character boundary, and
// marks the cut with "...".
func cutName(name string) string {
	if len(name) <= MaxFieldName {
		return name
	}
	n := MaxFieldName - len("...")
	for n > 0 && !utf8.RuneStart(name[n]) {
		n--
	}
	return name[:n] + "..."
}

// quoteKey returns key as it is when it reads as a name in a path, and
// quoted (strconv.Quote) when it would not: empty, or holding space, a
// control or other unprintable character, or one of . [ ] " \.
func quoteKey(key string) string {
	plain := key != "" && !strings.ContainsFunc(key, func(r rune) bool {
		return !unicode.IsPrint(r) || r == ' ' || strings.ContainsRune(`.[]"\`, r)
	})
	if plain {
		return key
	}
	return strconv.Quote(key)
}

// structField finds the field of struct type t that key decodes into, as
// encoding/json does (an exact JSON name first, else one equal but for
// case), and returns its JSON name and type; key and nil when none does.
func structField(t reflect.Type, key string) (string, reflect.Type) {
	folded := -1
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name := jsonName(f)
		if name == "-" {
			continue
		}
		if name == key {
			return name, f.Type
		}
		if folded < 0 && strings.EqualFold(name, key) {
			folded = i
		}
	}
	if folded < 0 {
		return quoteKey(key), nil
	}
	f := t.Field(folded)
	return jsonName(f), f.Type
}

// jsonName is the name encoding/json gives field f ("-" for none).
func jsonName(f reflect.StructField) string {
	if name, _, _ := strings.Cut(f.Tag.Get("json"), ","); name != "" {
		return name
	}
	return f.Name
}
