package scenarios

import (
	"encoding/json"
	"strconv"
	"strings"
)

// NumericFields are the KICC fields that are JSON numbers: a string given for
// one of them (a template, say) is sent as a number.
var NumericFields = map[string]bool{
	"totAmount": true, "amount": true, "cancelAmount": true, "remainAmount": true,
}

// Kind is the JSON type of a Value.
type Kind uint8

// The kinds of Value.
const (
	KindNull Kind = iota
	KindString
	KindNumber
	KindBool
	KindObject
	KindList
)

// Value is a parsed body value, kept in the YAML's order, with its templates
// parsed.
type Value struct {
	Kind Kind
	// Text is a string's text or a number's JSON text.
	Text string
	// Tmpl is set for a string holding {{...}}.
	Tmpl *Template
	// Numeric marks a KICC number field: a string renders as a JSON number.
	Numeric bool
	Bool    bool
	Fields  []Field
	Items   []*Value
	Line    int
}

// Field is one key and value of an object Value.
type Field struct {
	Key   string
	Value *Value
}

// Get returns the value of key in an object Value.
func (v *Value) Get(key string) *Value {
	if v == nil {
		return nil
	}
	for _, f := range v.Fields {
		if f.Key == key {
			return f.Value
		}
	}
	return nil
}

// Render evaluates the value's templates and returns it as a JSON value:
// string, json.Number, bool, nil, Object or []any.
func (v *Value) Render(env *Env) any {
	switch v.Kind {
	case KindString:
		s := v.Text
		if v.Tmpl != nil {
			s = v.Tmpl.Render(env)
		}
		if v.Numeric {
			if n, ok := number(s); ok {
				return n
			}
		}
		return s
	case KindNumber:
		return json.Number(v.Text)
	case KindBool:
		return v.Bool
	case KindObject:
		o := make(Object, 0, len(v.Fields))
		for _, f := range v.Fields {
			o = append(o, Member{f.Key, f.Value.Render(env)})
		}
		return o
	case KindList:
		l := make([]any, 0, len(v.Items))
		for _, it := range v.Items {
			l = append(l, it.Render(env))
		}
		return l
	}
	return nil
}

// MaxJSONBytes is the most bytes v's JSON encoding can take when rendered,
// whatever the request, the clock and the fake data: literal text as
// encoding/json escapes it, each template at its longest output
// (Template.MaxJSONBytes). Parse refuses a body over Options.MaxBodyBytes.
func (v *Value) MaxJSONBytes() int {
	switch v.Kind {
	case KindString:
		if v.Tmpl != nil {
			return v.Tmpl.MaxJSONBytes()
		}
		return jsonLen(v.Text) + 2 // a numeric field's number is shorter
	case KindNumber:
		return len(v.Text)
	case KindBool:
		return len("false")
	case KindObject:
		n := 2 + max(len(v.Fields)-1, 0) // {} and commas
		for _, f := range v.Fields {
			n += jsonLen(f.Key) + 3 + f.Value.MaxJSONBytes() // "key":
		}
		return n
	case KindList:
		n := 2 + max(len(v.Items)-1, 0)
		for _, it := range v.Items {
			n += it.MaxJSONBytes()
		}
		return n
	}
	return len("null")
}

// Nodes is the number of values in v, v included.
func (v *Value) Nodes() int {
	n := 1
	for _, f := range v.Fields {
		n += f.Value.Nodes()
	}
	for _, it := range v.Items {
		n += it.Nodes()
	}
	return n
}

// number reads s as a JSON number (surrounding spaces allowed).
func number(s string) (json.Number, bool) {
	s = strings.TrimSpace(s)
	if _, err := strconv.ParseFloat(s, 64); err != nil || s == "" {
		return "", false
	}
	if !json.Valid([]byte(s)) { // ParseFloat takes "Inf", "0x1p3", "1_000"
		return "", false
	}
	return json.Number(s), true
}
