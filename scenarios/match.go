package scenarios

import (
	"path"
	"regexp"
	"strings"
)

// Fields gives a request's field values by JSON name, dotted for nested
// fields ("amountInfo.currency"). ok is false when the field is absent.
type Fields interface {
	Field(name string) (value string, ok bool)
}

// Condition is one entry of a scenario's match block: the named request field
// must equal a value, match a glob, or match a regular expression.
type Condition struct {
	Field string
	// Exactly one of the three is set.
	Exact string
	Glob  string
	Regex *regexp.Regexp
}

// isGlob reports whether s uses glob syntax; a plain string is compared
// exactly.
func isGlob(s string) bool { return strings.ContainsAny(s, "*?[") }

// Matches reports whether the condition holds for value (ok false: absent).
// An absent field matches nothing, not even "*".
func (c *Condition) Matches(value string, ok bool) bool {
	if !ok {
		return false
	}
	switch {
	case c.Regex != nil:
		return c.Regex.MatchString(value)
	case c.Glob != "":
		m, err := path.Match(c.Glob, value)
		return err == nil && m
	}
	return value == c.Exact
}

// Matches reports whether every condition of s holds for the request. A
// scenario without conditions never matches by rule.
func (s *Scenario) Matches(f Fields) bool {
	if len(s.Match) == 0 {
		return false
	}
	for i := range s.Match {
		c := &s.Match[i]
		v, ok := f.Field(c.Field)
		if !c.Matches(v, ok) {
			return false
		}
	}
	return true
}

// MapFields serves Fields from a decoded JSON object; dotted names reach into
// nested objects. Numbers and booleans read as their JSON text.
type MapFields map[string]any

// Field implements Fields.
func (m MapFields) Field(name string) (string, bool) {
	var cur any = map[string]any(m)
	for name != "" {
		obj, ok := cur.(map[string]any)
		if !ok {
			return "", false
		}
		key, rest, _ := strings.Cut(name, ".")
		cur, ok = obj[key]
		if !ok {
			return "", false
		}
		name = rest
	}
	switch v := cur.(type) {
	case string:
		return v, true
	case nil:
		return "", false
	default:
		return jsonText(v), true
	}
}
