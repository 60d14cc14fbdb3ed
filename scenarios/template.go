package scenarios

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/brianvoe/gofakeit/v6"

	"github.com/kicc-mock/kicc-mock/kicc"
)

// MaxTemplateOutput is the default cap of what one templated string renders
// to (Options.MaxTemplateBytes): the language has no loops, but gofakeit can
// make long text on request.
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
	max   int // output cap in bytes
}

type part struct {
	lit string
	fn  func(*Env) string
}

// ParseTemplate parses s with the default output cap, MaxTemplateOutput. It
// returns nil, nil when s holds no "{{".
func ParseTemplate(s string) (*Template, error) { return parseTemplate(s, MaxTemplateOutput) }

// parseTemplate parses s; its output is cut to max bytes (at a UTF-8
// character boundary).
func parseTemplate(s string, max int) (*Template, error) {
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
		fn, err := parseExpr(strings.TrimSpace(rest[:j]))
		if err != nil {
			return nil, fmt.Errorf("template {{%s}}: %w", rest[:j], err)
		}
		t.parts = append(t.parts, part{fn: fn})
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
			b.WriteString(p.fn(env))
		}
		if b.Len() > t.max {
			return cutUTF8(b.String(), t.max)
		}
	}
	return b.String()
}

// cutUTF8 cuts s to at most n bytes without splitting a character, so a
// capped answer is still valid UTF-8.
func cutUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

func parseExpr(expr string) (func(*Env) string, error) {
	name, arg, hasArg := strings.Cut(expr, " ")
	arg = strings.TrimSpace(arg)
	var s string
	if hasArg && arg != "" {
		var err error
		s, err = strconv.Unquote(arg)
		if err != nil || (arg[0] != '"' && arg[0] != '`') {
			return nil, fmt.Errorf("the argument of %s must be one quoted string, as in %s \"...\"", name, name)
		}
	}
	if field, ok := strings.CutPrefix(name, "request."); ok {
		if hasArg {
			return nil, errors.New("request fields take no argument")
		}
		if field == "" {
			return nil, errors.New("name the field, as in request.pgCno")
		}
		return func(e *Env) string {
			if e.Request == nil {
				return ""
			}
			v, _ := e.Request.Field(field)
			return v
		}, nil
	}
	noArg := func(fn func(*Env) string) (func(*Env) string, error) {
		if hasArg {
			return nil, fmt.Errorf("%s takes no argument", name)
		}
		return fn, nil
	}
	switch name {
	case "now":
		return noArg(func(e *Env) string { return kicc.FormatDateTime(e.Now) })
	case "today":
		return noArg(func(e *Env) string { return e.Now.In(kicc.KST).Format(kicc.DateLayout) })
	case "newId":
		return noArg(func(e *Env) string { return e.newID() })
	case "urlencode":
		if !hasArg {
			return nil, errors.New("urlencode needs a quoted string, as in urlencode \"시스템 오류\"")
		}
		enc := url.QueryEscape(s)
		return func(*Env) string { return enc }, nil
	case "fake":
		if !hasArg {
			return nil, errors.New("fake needs a gofakeit function, as in fake \"firstname\" or fake \"number:1000,50000\"")
		}
		return parseFake(s)
	}
	return nil, fmt.Errorf("unknown expression %q (want request.<field>, now, today, newId, fake \"...\" or urlencode \"...\")", name)
}

// parseFake checks a gofakeit function at load time, including a trial run
// (gofakeit panics on some bad parameters), so rendering never fails.
func parseFake(spec string) (fn func(*Env) string, err error) {
	fname, params, _ := strings.Cut(spec, ":")
	info := gofakeit.GetFuncLookup(fname)
	if info == nil {
		return nil, fmt.Errorf("gofakeit has no function %q (see gofakeit's function list: firstname, uuid, number, ...)", fname)
	}
	// gofakeit parses parameters itself, and some shapes (brackets, braces,
	// quotes) send its parser into work without end: FuzzTemplate found
	// "number:1000,[[5[[[[[[0000" hanging the load. Plain scalar lists are
	// all a template needs.
	if !safeParamsRE.MatchString(params) {
		return nil, fmt.Errorf("gofakeit %q: parameters may hold only letters, digits, spaces and . , _ - (as in number:1000,50000)", spec)
	}
	if countParams(info) {
		// Each count is bounded, and so is their product: nested counts
		// (paragraphs x sentences x words) multiply the work.
		product := 1
		for _, n := range digitsRE.FindAllString(params, -1) {
			v, err := strconv.Atoi(n)
			if err != nil || v > MaxFakeCount {
				return nil, fmt.Errorf("gofakeit %q: counts and lengths are at most %d", spec, MaxFakeCount)
			}
			if product *= max(v, 1); product > MaxFakeWork {
				return nil, fmt.Errorf("gofakeit %q: the counts multiply to more than %d", spec, MaxFakeWork)
			}
		}
	}
	gen := "{" + spec + "}"
	defer func() {
		if r := recover(); r != nil {
			fn, err = nil, fmt.Errorf("gofakeit %q: %v", spec, r)
		}
	}()
	gofakeit.New(1).Generate(gen)
	return func(e *Env) string { return e.faker().Generate(gen) }, nil
}

// MaxFakeCount bounds the count-like parameters of gofakeit functions
// (lengths, word counts, sizes): the output cap cuts what a template renders,
// but not the work of making it, and "password:...,100000000" would take
// seconds and hundreds of megabytes on every answer.
const MaxFakeCount = 1000

// MaxFakeWork bounds the product of a gofakeit function's counts.
const MaxFakeWork = 10000

var (
	digitsRE     = regexp.MustCompile(`[0-9]+`)
	safeParamsRE = regexp.MustCompile(`^[A-Za-z0-9 .,_-]*$`)
)

// countParams reports whether a gofakeit function takes an integer
// parameter other than a range's min and max.
func countParams(info *gofakeit.Info) bool {
	for _, p := range info.Params {
		if (strings.Contains(p.Type, "int")) && p.Field != "min" && p.Field != "max" {
			return true
		}
	}
	return false
}
