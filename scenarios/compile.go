package scenarios

import (
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/kicc-mock/kicc-mock/kicc"
)

// Filler appends the JSON value of one field of an endpoint's realistic
// answer to b, read from e at render time; ok false leaves the field out
// (an empty optional field, as omitempty would).
type Filler func(b []byte, e *Env) (out []byte, ok bool)

// Base is an endpoint's realistic answer, which a scenario's body is laid
// over: the fields KICC sends, in KICC's order, each filled at render time.
// An endpoint has two, the success answer and the business error (ids
// echoed, no status fields); which one a response gets depends on the
// resCd it sends.
type Base struct {
	// Order is the order of the answer's fields (KICC's tables', as the kicc
	// response type's fields are): known fields sort in it, a scenario's own
	// fields follow in the order the file gives them.
	Order *KeyOrder
	// Success and Error fill fields by dotted path ("amountInfo.currency").
	// A field of Order with no filler is sent only when a scenario gives it;
	// a nested object is sent when any of its fields has a filler.
	Success, Error map[string]Filler
	// StatusKey names the status field (cancelStatus, statusCd), "" for
	// none; DefaultStatus is its value unless a scenario gives another.
	// Env.Status holds it while an answer renders, so fillers of fields
	// that follow the status (amounts) can read it.
	StatusKey, DefaultStatus string
}

// Answer is one scenario response compiled against one endpoint's Base at
// load time: byte segments and fields to fill, so that rendering it walks a
// list and appends, with no generic objects, maps or sorting on the request
// path. Every answer, the endpoint's default included, renders this way.
type Answer struct {
	status int // HTTP status
	// raw is the whole body when it needs no rendering (a non-200 answer
	// without a body).
	raw []byte
	// plain is the body of a non-200 answer: the scenario's fields only.
	plain *object
	// resCd and statusVal are the response's own resCd and status, when
	// it gives them.
	resCd, statusVal *member
	defaultStatus    string
	success, failure *object
}

type memberKind uint8

const (
	fill    memberKind = iota // a Base filler
	literal                   // JSON bytes, encoded at load
	tmpl                      // a template string
	nested                    // an object of members
	generic                   // any other value holding templates: rendered through Value
)

type member struct {
	key     []byte // `"key":`
	kind    memberKind
	fill    Filler
	lit     []byte
	text    string // a literal scalar's text: a string's contents, a number's digits
	tmpl    *Template
	numeric bool
	obj     *object
	value   *Value
}

type object struct{ members []member }

// ResOK is the resCd of success; an answer with another resCd is a
// business error.
const resOK = kicc.ResOK

// Compile compiles r (nil: no scenario, the Base alone) against base. The
// name is the scenario's, for the default body of a non-200 answer.
func Compile(name string, r *Response, base *Base) *Answer {
	a := &Answer{status: http.StatusOK}
	var over *Value
	if r != nil {
		a.status = r.HTTPStatus()
		over = r.Body
	}
	if a.status != http.StatusOK {
		if over == nil {
			a.raw = scriptedErrorBody(a.status, name)
		} else {
			a.plain = compileObject(nil, nil, "", over, false)
		}
		return a
	}
	// Only a string resCd or status decides which answer, and which status
	// the amounts follow; any other value is sent as given.
	if v := over.Get("resCd"); v != nil && v.Kind == KindString {
		a.resCd = compileValue(nil, v)
	}
	if base.StatusKey != "" {
		if v := over.Get(base.StatusKey); v != nil && v.Kind == KindString {
			a.statusVal = compileValue(nil, v)
		}
	}
	a.success = compileObject(base.Order, base.Success, "", over, true)
	a.failure = compileObject(base.Order, base.Error, "", over, true)
	a.defaultStatus = base.DefaultStatus
	return a
}

// HTTPStatus is the answer's HTTP status.
func (a *Answer) HTTPStatus() int { return a.status }

// ResCd renders the answer's resCd for e: what it sends, "0000" unless the
// response gives another.
func (a *Answer) ResCd(e *Env) string {
	if a.resCd == nil {
		return resOK
	}
	if c := a.resCd.textOf(e); c != "" {
		return c
	}
	return resOK // an empty resCd decides nothing, as an absent one
}

// Render appends the answer for e to b. It sets e.ResCd and e.Status
// first, so fillers see what the answer reports.
func (a *Answer) Render(b []byte, e *Env) []byte {
	switch {
	case a.raw != nil:
		return append(b, a.raw...)
	case a.plain != nil:
		return a.plain.appendJSON(b, e)
	}
	e.ResCd = a.ResCd(e)
	if e.ResCd != resOK {
		return a.failure.appendJSON(b, e)
	}
	e.Status = a.defaultStatus
	if a.statusVal != nil {
		if st := a.statusVal.textOf(e); st != "" {
			e.Status = st // an empty status leaves the amounts to the default's
		}
	}
	return a.success.appendJSON(b, e)
}

// RenderError appends the Base's business error resCd for e (the answer of
// a request the mock refuses itself: a field rule, a duplicate key), with
// e.Detail naming the field.
func (a *Answer) RenderError(b []byte, e *Env, resCd string) []byte {
	e.ResCd = resCd
	return a.failure.appendJSON(b, e)
}

// compileObject compiles the members of an object: the fields of order in
// its order, each from over when it gives the field, else from its filler;
// then over's other fields in over's order. merging says whether over is
// laid over an object of the base answer: then a null in over removes the
// field (the base has one to remove); in an object of its own a null is
// sent as null.
func compileObject(order *KeyOrder, fills map[string]Filler, prefix string, over *Value, merging bool) *object {
	o := &object{}
	var keys []string
	if order != nil {
		keys = order.keys
	}
	for _, key := range keys {
		path := prefix + key
		ov := over.Get(key)
		sub := order.sub[key]
		base := sub != nil && hasFillers(fills, path+".")
		switch {
		case ov != nil && ov.Kind == KindNull && merging:
		case ov != nil && ov.Kind == KindObject:
			o.add(key, member{kind: nested, obj: compileObject(sub, fills, path+".", ov, base)})
		case ov != nil:
			o.add(key, *compileValue(sub, ov))
		case base:
			o.add(key, member{kind: nested, obj: compileObject(sub, fills, path+".", nil, true)})
		case fills[path] != nil:
			o.add(key, member{kind: fill, fill: fills[path]})
		}
	}
	if over != nil {
		for _, f := range over.Fields {
			if order != nil && contains(order.keys, f.Key) || f.Value.Kind == KindNull && merging {
				continue
			}
			o.add(f.Key, *compileValue(nil, f.Value))
		}
	}
	return o
}

func hasFillers(fills map[string]Filler, prefix string) bool {
	for p := range fills {
		if strings.HasPrefix(p, prefix) {
			return true
		}
	}
	return false
}

func (o *object) add(key string, m member) {
	m.key = append(kicc.AppendString(nil, key), ':')
	o.members = append(o.members, m)
}

// compileValue compiles a value of a scenario body: literals become JSON
// bytes at once, templates stay templates, objects are compiled in order.
func compileValue(order *KeyOrder, v *Value) *member {
	switch {
	case v.Kind == KindString && v.Tmpl != nil:
		return &member{kind: tmpl, tmpl: v.Tmpl, numeric: v.Numeric}
	case v.Kind == KindObject:
		return &member{kind: nested, obj: compileObject(order, nil, "", v, false)}
	case v.Kind == KindList && hasTemplates(v):
		return &member{kind: generic, value: v}
	}
	return &member{kind: literal, lit: appendValue(nil, v.Render(nil)), text: v.Text}
}

func hasTemplates(v *Value) bool {
	if v.Tmpl != nil {
		return true
	}
	for _, f := range v.Fields {
		if hasTemplates(f.Value) {
			return true
		}
	}
	for _, it := range v.Items {
		if hasTemplates(it) {
			return true
		}
	}
	return false
}

// text is a scalar member's value as text: a string's contents, a number's
// digits.
func (m *member) textOf(e *Env) string {
	if m.kind == tmpl {
		return m.tmpl.Render(e)
	}
	return m.text
}

func (o *object) appendJSON(b []byte, e *Env) []byte {
	b = append(b, '{')
	first := true
	for i := range o.members {
		m := &o.members[i]
		mark := len(b)
		if !first {
			b = append(b, ',')
		}
		b = append(b, m.key...)
		var ok bool
		if b, ok = m.appendValue(b, e); !ok {
			b = b[:mark] // an empty optional field: left out, key and all
			continue
		}
		first = false
	}
	return append(b, '}')
}

func (m *member) appendValue(b []byte, e *Env) ([]byte, bool) {
	switch m.kind {
	case fill:
		return m.fill(b, e)
	case literal:
		return append(b, m.lit...), true
	case tmpl:
		s := m.tmpl.Render(e)
		if m.numeric {
			if n, ok := number(s); ok {
				return append(b, n...), true
			}
		}
		return kicc.AppendString(b, s), true
	case nested:
		return m.obj.appendJSON(b, e), true
	}
	return appendValue(b, m.value.Render(e)), true
}

// scriptedErrorBody is the body of a non-200 answer a scenario gives
// without fields: what the mock's own HTTP errors look like, naming the
// scenario. The keys are sorted, as encoding/json sorts a map's.
func scriptedErrorBody(status int, name string) []byte {
	fields := map[string]any{"status": status, "error": http.StatusText(status), "message": "scripted by scenario " + name}
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	b := []byte{'{'}
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(kicc.AppendString(b, k), ':')
		switch v := fields[k].(type) {
		case int:
			b = strconv.AppendInt(b, int64(v), 10)
		case string:
			b = kicc.AppendString(b, v)
		}
	}
	return append(b, '}')
}

// Echo fills a field with the request's field name; with omitEmpty an empty
// value leaves the field out.
func Echo(name string, omitEmpty bool) Filler {
	return func(b []byte, e *Env) ([]byte, bool) {
		var v string
		if e.Request != nil {
			v, _ = e.Request.Field(name)
		}
		if v == "" && omitEmpty {
			return b, false
		}
		return kicc.AppendString(b, v), true
	}
}

// Text fills a field with the string f returns; with omitEmpty an empty one
// leaves the field out.
func Text(f func(e *Env) string, omitEmpty bool) Filler {
	return func(b []byte, e *Env) ([]byte, bool) {
		v := f(e)
		if v == "" && omitEmpty {
			return b, false
		}
		return kicc.AppendString(b, v), true
	}
}

// Number fills a field with the JSON number f returns.
func Number(f func(e *Env) int64) Filler {
	return func(b []byte, e *Env) ([]byte, bool) { return strconv.AppendInt(b, f(e), 10), true }
}

// ResCdFiller fills resCd with the answer's.
func ResCdFiller(b []byte, e *Env) ([]byte, bool) { return kicc.AppendString(b, e.ResCd), true }

// StatusFiller fills the status field with the answer's status, left out
// when it has none (an unpaid payment).
func StatusFiller(b []byte, e *Env) ([]byte, bool) {
	if e.Status == "" {
		return b, false
	}
	return kicc.AppendString(b, e.Status), true
}

// ResMsgFiller fills resMsg from msgs: the code table's text for the
// answer's resCd, naming Env.Detail when set; "오류" (error) for a code the
// table lacks.
func ResMsgFiller(msgs kicc.Messages) Filler {
	return func(b []byte, e *Env) ([]byte, bool) {
		msg := msgs.Message(e.ResCd, e.Detail)
		if msg == "" {
			msg = "오류"
		}
		return kicc.AppendString(b, msg), true
	}
}
