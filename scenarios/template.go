package scenarios

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/brianvoe/gofakeit/v6"

	"github.com/kicc-mock/kicc-mock/kicc"
)

// MaxTemplateOutput is the default cap of what one templated string renders
// to (Options.MaxTemplateBytes), counted as JSON: a character JSON escapes
// (<, >, &, a quote, a control character) counts as its escape, so that the
// cap bounds the answer, not only the text. The language has no loops, but
// gofakeit can make long text on request.
const MaxTemplateOutput = 4 << 10

// Env is what templates (and a compiled Answer's fillers) read when a
// response is rendered.
type Env struct {
	Request Fields
	Now     time.Time
	// NewID returns a fresh 20-digit KICC id; when nil, IDs does.
	NewID func() string
	IDs   IDSource
	// Faker makes fake data; seed it from the request for stable answers.
	// When nil, a pooled faker seeded with FakeSeed is taken on first use
	// (Release returns it).
	Faker    *gofakeit.Faker
	FakeSeed uint64
	pooled   *pooledFaker

	// While an Answer renders: the resCd and status it reports, the field a
	// business error's resMsg names, and what the endpoint hands its
	// fillers (the request, a created payment...).
	ResCd, Status, Detail string
	Data                  any
}

// IDSource makes KICC transaction ids (kicc.IDGenerator is one).
type IDSource interface{ Next(now time.Time) string }

func (e *Env) newID() string {
	switch {
	case e.NewID != nil:
		return e.NewID()
	case e.IDs != nil:
		return e.IDs.Next(e.Now)
	}
	return ""
}

func (e *Env) faker() *gofakeit.Faker {
	if e.Faker != nil {
		return e.Faker
	}
	if e.pooled == nil {
		e.pooled = fakerPool.Get().(*pooledFaker)
		e.pooled.f.Rand.Seed(int64(e.FakeSeed)) // also resets math/rand's read buffer
	}
	return e.pooled.f
}

// Release returns the pooled faker, if the render took one.
func (e *Env) Release() {
	if e.pooled != nil {
		fakerPool.Put(e.pooled)
		e.pooled = nil
	}
}

// Template is a string with {{...}} expressions, parsed at load time so a
// bad expression is a file:line error and rendering cannot fail.
//
//	{{request.pgCno}}          a request field (dotted for nested ones), "" when absent
//	{{now}}                    the clock's time in KST, yyyyMMddHHmmss
//	{{today}}                  the clock's date in KST, yyyyMMdd
//	{{newId}}                  a new 20-digit KICC id
//	{{fake "firstname"}}       gofakeit data: a function name, optional ":params"
//	{{urlencode "text"}}       text URL-encoded as UTF-8 (for resDetailMsg)
type Template struct {
	parts []part
	max   int // output cap in JSON bytes
}

type part struct {
	lit string
	fn  func(*Env) string
	// max is the longest output of fn in JSON bytes (escapes counted):
	// Render cuts fn's output to it, so that MaxJSONBytes is a bound.
	max int
}

// ParseTemplate parses s with the default output cap, MaxTemplateOutput. It
// returns nil, nil when s holds no "{{".
func ParseTemplate(s string) (*Template, error) { return parseTemplate(s, MaxTemplateOutput, nil) }

// parseTemplate parses s; its output is cut to max JSON bytes (at a UTF-8
// character boundary). fakes, when not nil, shares the checks of gofakeit
// calls across one file.
func parseTemplate(s string, max int, fakes *fakeCalls) (*Template, error) {
	if !strings.Contains(s, "{{") {
		return nil, nil
	}
	if max <= 0 {
		max = MaxTemplateOutput
	}
	t := &Template{max: max}
	for s != "" {
		i := strings.Index(s, "{{")
		if i < 0 {
			t.parts = append(t.parts, part{lit: s})
			break
		}
		if i > 0 {
			t.parts = append(t.parts, part{lit: s[:i]})
		}
		rest := s[i+2:]
		j := strings.Index(rest, "}}")
		if j < 0 {
			return nil, errors.New("template: \"{{\" without a closing \"}}\"")
		}
		fn, fnMax, err := parseExpr(strings.TrimSpace(rest[:j]), max, fakes)
		if err != nil {
			return nil, fmt.Errorf("template {{%s}}: %w", rest[:j], err)
		}
		t.parts = append(t.parts, part{fn: fn, max: min(fnMax, max)})
		s = rest[j+2:]
	}
	return t, nil
}

// Single reports whether the template is one expression and nothing else.
func (t *Template) Single() bool { return len(t.parts) == 1 && t.parts[0].fn != nil }

// Render evaluates the template.
func (t *Template) Render(env *Env) string {
	var b strings.Builder
	for _, p := range t.parts {
		if p.fn == nil {
			b.WriteString(p.lit)
		} else {
			b.WriteString(cutJSON(p.fn(env), p.max))
		}
		if b.Len() > t.max {
			break
		}
	}
	return cutJSON(b.String(), t.max)
}

// MaxJSONBytes is the most bytes the template's output can take as a JSON
// string, quotes included, whatever the request, the clock and the fake
// data.
func (t *Template) MaxJSONBytes() int {
	n := 0
	for _, p := range t.parts {
		if p.fn == nil {
			n += jsonLen(p.lit)
		} else {
			n += p.max
		}
		if n >= t.max {
			n = t.max
			break
		}
	}
	return n + 2
}

// jsonLen is an upper bound of the bytes s takes inside a JSON string as
// encoding/json writes it: \" and \\ take two, a control character or one
// of < > & (escaped for HTML) up to six, as do U+2028, U+2029 and each byte
// of invalid UTF-8 (written as \ufffd).
func jsonLen(s string) int {
	n := 0
	for i := 0; i < len(s); {
		w, size := jsonWidth(s[i:])
		n += w
		i += size
	}
	return n
}

// jsonWidth is the JSON width (see jsonLen) and the byte size of the
// character s starts with.
func jsonWidth(s string) (width, size int) {
	if c := s[0]; c < utf8.RuneSelf {
		switch {
		case c == '"' || c == '\\':
			return 2, 1
		case c < 0x20 || c == '<' || c == '>' || c == '&':
			return 6, 1
		}
		return 1, 1
	}
	r, size := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError && size == 1 || r == '\u2028' || r == '\u2029' {
		return 6, size
	}
	return size, size
}

// cutJSON cuts s to its longest prefix whose jsonLen is at most n, without
// splitting a character, so that a capped answer is still valid UTF-8.
func cutJSON(s string, n int) string {
	if len(s) <= n/6 {
		return s
	}
	used := 0
	for i := 0; i < len(s); {
		w, size := jsonWidth(s[i:])
		if used+w > n {
			return s[:i]
		}
		used += w
		i += size
	}
	return s
}

// The longest outputs of the fixed-width expressions, in bytes: Go writes a
// year past 9999 (or before 0) with more digits and a sign, and a KICC id
// is 20 digits.
const (
	maxDateTime = 24
	maxDate     = 18
	maxID       = 20
)

// parseExpr parses one {{...}} expression; max is the template's cap, the
// longest a request field or fake text can be. It returns the expression's
// function and its longest output in JSON bytes.
func parseExpr(expr string, max int, fakes *fakeCalls) (func(*Env) string, int, error) {
	name, arg, hasArg := strings.Cut(expr, " ")
	arg = strings.TrimSpace(arg)
	var s string
	if hasArg && arg != "" {
		var err error
		s, err = strconv.Unquote(arg)
		if err != nil || (arg[0] != '"' && arg[0] != '`') {
			return nil, 0, fmt.Errorf("the argument of %s must be one quoted string, as in %s \"...\"", name, name)
		}
	}
	if field, ok := strings.CutPrefix(name, "request."); ok {
		if hasArg {
			return nil, 0, errors.New("request fields take no argument")
		}
		if field == "" {
			return nil, 0, errors.New("name the field, as in request.pgCno")
		}
		return func(e *Env) string {
			if e.Request == nil {
				return ""
			}
			v, _ := e.Request.Field(field)
			return v
		}, max, nil
	}
	noArg := func(fn func(*Env) string, n int) (func(*Env) string, int, error) {
		if hasArg {
			return nil, 0, fmt.Errorf("%s takes no argument", name)
		}
		return fn, n, nil
	}
	switch name {
	case "now":
		return noArg(func(e *Env) string { return kicc.FormatDateTime(e.Now) }, maxDateTime)
	case "today":
		return noArg(func(e *Env) string { return e.Now.In(kicc.KST).Format(kicc.DateLayout) }, maxDate)
	case "newId":
		return noArg(func(e *Env) string { return e.newID() }, maxID)
	case "urlencode":
		if !hasArg {
			return nil, 0, errors.New("urlencode needs a quoted string, as in urlencode \"시스템 오류\"")
		}
		enc := url.QueryEscape(s)
		return func(*Env) string { return enc }, jsonLen(enc), nil
	case "fake":
		if !hasArg {
			return nil, 0, errors.New("fake needs a gofakeit function, as in fake \"firstname\" or fake \"number:1000,50000\"")
		}
		fc, err := fakes.parse(s)
		if err != nil {
			return nil, 0, err
		}
		if fc.numeric {
			return fc.render, maxNumber, nil
		}
		return fc.render, max, nil
	}
	return nil, 0, fmt.Errorf("unknown expression %q (want request.<field>, now, today, newId, fake \"...\" or urlencode \"...\")", name)
}
