package record

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strings"

	"github.com/kicc-mock/kicc-mock/kicc"
	"github.com/kicc-mock/kicc-mock/scenarios"
)

// ordered is a JSON value that keeps its object's keys in the order the
// upstream sent them, so that a recorded file reads like the answer.
type ordered struct {
	kind   kind
	text   string // a string's text, a number's digits
	b      bool
	fields []field
	items  []*ordered
}

type kind uint8

const (
	kNull kind = iota
	kString
	kNumber
	kBool
	kObject
	kList
)

type field struct {
	key string
	val *ordered
}

// parseObject reads a JSON object; anything else is an error.
func parseObject(data []byte) (*ordered, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	v, err := parseValue(dec)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("data after the JSON value")
	}
	if v.kind != kObject {
		return nil, errors.New("not a JSON object")
	}
	return v, nil
}

func parseValue(dec *json.Decoder) (*ordered, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case nil:
		return &ordered{kind: kNull}, nil
	case string:
		return &ordered{kind: kString, text: t}, nil
	case json.Number:
		return &ordered{kind: kNumber, text: t.String()}, nil
	case bool:
		return &ordered{kind: kBool, b: t}, nil
	case json.Delim:
		if t == '[' {
			v := &ordered{kind: kList}
			for dec.More() {
				it, err := parseValue(dec)
				if err != nil {
					return nil, err
				}
				v.items = append(v.items, it)
			}
			_, err := dec.Token()
			return v, err
		}
		v := &ordered{kind: kObject}
		for dec.More() {
			kt, err := dec.Token()
			if err != nil {
				return nil, err
			}
			key, _ := kt.(string)
			val, err := parseValue(dec)
			if err != nil {
				return nil, err
			}
			v.set(key, val) // a repeated key: the last wins, as encoding/json has it
		}
		_, err := dec.Token()
		return v, err
	}
	return nil, errors.New("unexpected JSON token")
}

func (o *ordered) get(key string) *ordered {
	for _, f := range o.fields {
		if f.key == key {
			return f.val
		}
	}
	return nil
}

func (o *ordered) set(key string, v *ordered) {
	for i := range o.fields {
		if o.fields[i].key == key {
			o.fields[i].val = v
			return
		}
	}
	o.fields = append(o.fields, field{key, v})
}

// str is the text of the string field key, "" when it is not one.
func (o *ordered) str(key string) string {
	if v := o.get(key); v != nil && v.kind == kString {
		return v.text
	}
	return ""
}

// secretKeys are the field names whose values are secrets, lower-cased: the
// revise's msgAuthValue (an HMAC of the merchant's secret key) and the
// names a secret key goes by.
var secretKeys = map[string]bool{
	"msgauthvalue": true, "secretkey": true, "secret": true, "apikey": true,
	"password": true, "token": true, "accesstoken": true, "authorization": true,
}

// isSecretKey reports whether k names a secret, in any case and spelling
// (api_key, X-Api-Key): a header's name echoed as a key counts too.
func isSecretKey(k string) bool {
	k = strings.ToLower(k)
	if strings.HasPrefix(k, "x-") || strings.HasPrefix(k, "x_") {
		k = k[2:]
	}
	return secretKeys[strings.NewReplacer("-", "", "_", "").Replace(k)]
}

// headerSecrets are the values of the request's secret headers
// (Authorization, Cookie, X-Api-Key...), each also without its scheme
// ("Bearer x" and x), and the upstream URL's password with the Basic
// credential the transport makes of it: an upstream echoing one in its
// answer (an error message, a debug field) must not write it to a file.
func headerSecrets(h http.Header, upstream *url.URL) []string {
	var out []string
	for name, vs := range h {
		if !isSecretKey(name) && !secretHeaders[strings.ToLower(name)] {
			continue
		}
		for _, v := range vs {
			if v == "" {
				continue
			}
			out = append(out, v)
			if _, cred, ok := strings.Cut(v, " "); ok && strings.TrimSpace(cred) != "" {
				out = append(out, strings.TrimSpace(cred))
			}
		}
	}
	if upstream.User != nil {
		pass, _ := upstream.User.Password()
		if pass != "" {
			out = append(out, pass)
		}
		// What net/http sends as Authorization: Basic for a URL's userinfo.
		out = append(out, base64.StdEncoding.EncodeToString([]byte(upstream.User.Username()+":"+pass)))
	}
	return out
}

// secretHeaders are the headers holding credentials whose names are not
// secretKeys.
var secretHeaders = map[string]bool{"cookie": true, "proxy-authorization": true}

// secretValues are the request's values of secret fields, at any depth:
// an upstream echoing one under another name must not leak it either.
func secretValues(req map[string]any) []string {
	var out []string
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, c := range v {
				if s, ok := c.(string); ok && isSecretKey(k) && s != "" {
					out = append(out, s)
				}
				walk(c)
			}
		case []any:
			for _, c := range v {
				walk(c)
			}
		}
	}
	walk(req)
	return out
}

// redact replaces the values of secret fields, and every occurrence of a
// secret of the request in any string, by Redacted.
func (o *ordered) redact(secrets []string) {
	switch o.kind {
	case kString:
		for _, s := range secrets {
			o.text = replaceFold(o.text, s, Redacted)
		}
	case kObject:
		for _, f := range o.fields {
			if isSecretKey(f.key) && f.val.kind != kNull {
				*f.val = ordered{kind: kString, text: Redacted}
				continue
			}
			f.val.redact(secrets)
		}
	case kList:
		for _, it := range o.items {
			it.redact(secrets)
		}
	}
}

// replaceFold replaces every occurrence of old in s, in any case: a hex
// msgAuthValue echoed upper-cased is the same secret.
func replaceFold(s, old, repl string) string {
	if old == "" {
		return s
	}
	var b strings.Builder
	for {
		i := indexFold(s, old)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i])
		b.WriteString(repl)
		s = s[i+len(old):]
	}
}

// indexFold is strings.Index under case folding, byte for byte: an exact
// match is always found, one in another case when the cases have the same
// length in bytes (ASCII, as hex and base64 secrets are).
func indexFold(s, old string) int {
	for i := 0; i+len(old) <= len(s); i++ {
		if strings.EqualFold(s[i:i+len(old)], old) {
			return i
		}
	}
	return -1
}

// escapeTemplates keeps a recorded "{{" from being read as a template: the
// template language has no escape, so it is written "{ {". It reports
// whether any string changed.
func (o *ordered) escapeTemplates() bool {
	changed := false
	switch o.kind {
	case kString:
		if strings.Contains(o.text, "{{") {
			o.text = strings.ReplaceAll(o.text, "{{", "{ {")
			changed = true
		}
	case kObject:
		for _, f := range o.fields {
			changed = f.val.escapeTemplates() || changed
		}
	case kList:
		for _, it := range o.items {
			changed = it.escapeTemplates() || changed
		}
	}
	return changed
}

// echoFields are the request fields KICC's answers echo.
var echoFields = []string{"shopTransactionId", "mallId", "pgCno", "cancelPgCno", "shopOrderNo"}

// echo writes an answer's field that repeats the request's as a template
// of it: a replay then echoes the replaying request's own key, which is a
// fresh one on every call.
func (o *ordered) echo(req map[string]any) {
	for _, k := range echoFields {
		v := o.get(k)
		if rv, _ := req[k].(string); v != nil && v.kind == kString && rv != "" && v.text == rv {
			v.text = "{{request." + k + "}}"
		}
	}
}

// removeAbsent sets the fields of the endpoint's answer that the upstream
// did not send to null: a scenario's body is laid over the mock's own
// answer, and null is how a file leaves one of its fields out.
func (o *ordered) removeAbsent(known map[string][]string) {
	// KICC's order would be nicer to read, but the mock sorts fields into
	// it anyway; any fixed order keeps the files stable.
	for _, k := range slices.Sorted(maps.Keys(known)) {
		v := o.get(k)
		switch {
		case v == nil:
			o.fields = append(o.fields, field{k, &ordered{kind: kNull}})
		case v.kind == kObject:
			for _, sub := range known[k] {
				if v.get(sub) == nil {
					v.fields = append(v.fields, field{sub, &ordered{kind: kNull}})
				}
			}
		}
	}
}

// responseTypes are the kicc answer types of each endpoint.
var responseTypes = map[scenarios.Endpoint]reflect.Type{
	scenarios.FindCancel:  reflect.TypeFor[kicc.CancelStatusResponse](),
	scenarios.FindPayment: reflect.TypeFor[kicc.PaymentStatusResponse](),
	scenarios.Create:      reflect.TypeFor[kicc.CreateResponse](),
	scenarios.Revise:      reflect.TypeFor[kicc.ReviseResponse](),
}

// responseFields lists an endpoint's answer fields by JSON name, each
// nested object with its own fields.
func responseFields(ep scenarios.Endpoint) map[string][]string {
	t := responseTypes[ep]
	out := map[string][]string{}
	for i := range t.NumField() {
		f := t.Field(i)
		name := jsonName(f)
		if name == "" {
			continue
		}
		ft := f.Type
		if ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		var subs []string
		if ft.Kind() == reflect.Struct {
			for j := range ft.NumField() {
				if n := jsonName(ft.Field(j)); n != "" {
					subs = append(subs, n)
				}
			}
		}
		out[name] = subs
	}
	return out
}

func jsonName(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
	if name == "-" || !f.IsExported() {
		return ""
	}
	return name
}

// quotedNumbers lists the paths of KICC number fields (totAmount, amount...)
// the upstream sent as strings: the scenario format renders those as
// numbers, so a replay differs from the recording there.
func (o *ordered) quotedNumbers() []string {
	var out []string
	var walk func(path string, v *ordered)
	walk = func(path string, v *ordered) {
		for _, f := range v.fields {
			p := f.key
			if path != "" {
				p = path + "." + f.key
			}
			if f.val.kind == kString && scenarios.NumericFields[f.key] {
				out = append(out, p)
			}
			if f.val.kind == kObject {
				walk(p, f.val)
			}
		}
	}
	walk("", o)
	return out
}
