package scenarios

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"github.com/kicc-mock/kicc-mock/kicc"
)

// Object is a JSON object that keeps its members' order, so answers list
// fields the way KICC does and scripted extras after them. Values are string,
// json.Number, bool, nil, Object or []any.
type Object []Member

// Member is one key and value of an Object.
type Member struct {
	Key   string
	Value any
}

// Get returns the value of key.
func (o Object) Get(key string) (any, bool) {
	for _, m := range o {
		if m.Key == key {
			return m.Value, true
		}
	}
	return nil, false
}

// String returns the value of key when it is a string, else "".
func (o Object) String(key string) string {
	v, _ := o.Get(key)
	s, _ := v.(string)
	return s
}

// Set replaces the value of key, or appends it.
func (o *Object) Set(key string, v any) {
	for i := range *o {
		if (*o)[i].Key == key {
			(*o)[i].Value = v
			return
		}
	}
	*o = append(*o, Member{key, v})
}

// Delete removes key.
func (o *Object) Delete(key string) {
	for i := range *o {
		if (*o)[i].Key == key {
			*o = append((*o)[:i], (*o)[i+1:]...)
			return
		}
	}
}

// Merge lays over on top of base and returns the result (base is modified):
// a member of over replaces base's member of the same key, two objects merge
// recursively, and a null in over removes the member, so a scenario can omit
// a field the default answer has.
func Merge(base, over Object) Object {
	for _, m := range over {
		if m.Value == nil {
			base.Delete(m.Key)
			continue
		}
		if sub, ok := m.Value.(Object); ok {
			if cur, ok := base.Get(m.Key); ok {
				if curObj, ok := cur.(Object); ok {
					base.Set(m.Key, Merge(append(Object(nil), curObj...), sub))
					continue
				}
			}
		}
		base.Set(m.Key, m.Value)
	}
	return base
}

// MarshalJSON implements json.Marshaler.
func (o Object) MarshalJSON() ([]byte, error) { return o.AppendJSON(nil), nil }

// AppendJSON appends o's JSON encoding to b.
func (o Object) AppendJSON(b []byte) []byte {
	b = append(b, '{')
	for i, m := range o {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, m.Key)
		b = append(b, ':')
		b = appendValue(b, m.Value)
	}
	return append(b, '}')
}

func appendValue(b []byte, v any) []byte {
	switch v := v.(type) {
	case nil:
		return append(b, "null"...)
	case string:
		return appendString(b, v)
	case json.Number:
		return append(b, v...)
	case bool:
		return strconv.AppendBool(b, v)
	case Object:
		return v.AppendJSON(b)
	case []any:
		b = append(b, '[')
		for i, e := range v {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendValue(b, e)
		}
		return append(b, ']')
	}
	j, err := json.Marshal(v)
	if err != nil {
		return append(b, "null"...)
	}
	return append(b, j...)
}

func appendString(b []byte, s string) []byte { return kicc.AppendString(b, s) }

func jsonText(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case json.Number:
		return string(v)
	case bool:
		return strconv.FormatBool(v)
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return string(appendValue(nil, v))
}

// DecodeObject reads a JSON object keeping its members' order; numbers stay
// json.Number.
func DecodeObject(data []byte) (Object, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	t, err := dec.Token()
	if err != nil {
		return nil, err
	}
	if t != json.Delim('{') {
		return nil, fmt.Errorf("not a JSON object")
	}
	return decodeObject(dec)
}

func decodeObject(dec *json.Decoder) (Object, error) {
	o := Object{}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key, _ := t.(string)
		v, err := decodeValue(dec)
		if err != nil {
			return nil, err
		}
		o = append(o, Member{key, v})
	}
	_, err := dec.Token() // '}'
	return o, err
}

func decodeValue(dec *json.Decoder) (any, error) {
	t, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t {
	case json.Delim('{'):
		return decodeObject(dec)
	case json.Delim('['):
		list := []any{}
		for dec.More() {
			v, err := decodeValue(dec)
			if err != nil {
				return nil, err
			}
			list = append(list, v)
		}
		_, err := dec.Token() // ']'
		return list, err
	}
	return t, nil
}

// KeyOrder is the field order of a KICC response type: known fields sort in
// the order of the Go struct (which follows KICC's tables), nested objects by
// their own order.
type KeyOrder struct {
	keys []string
	sub  map[string]*KeyOrder
}

// OrderOf derives the order from a struct type's json tags.
func OrderOf(t reflect.Type) *KeyOrder {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	k := &KeyOrder{sub: map[string]*KeyOrder{}}
	if t.Kind() != reflect.Struct {
		return k
	}
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" || name == "-" {
			continue
		}
		k.keys = append(k.keys, name)
		ft := f.Type
		for ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		if ft.Kind() == reflect.Struct {
			k.sub[name] = OrderOf(ft)
		}
	}
	return k
}

// Sort returns o's members with known keys first in their order and the
// others after, in their own order.
func (k *KeyOrder) Sort(o Object) Object {
	if k == nil {
		return o
	}
	out := make(Object, 0, len(o))
	for _, key := range k.keys {
		if v, ok := o.Get(key); ok {
			if sub, ok := v.(Object); ok {
				v = k.sub[key].Sort(sub)
			}
			out = append(out, Member{key, v})
		}
	}
	for _, m := range o {
		if !contains(k.keys, m.Key) {
			out = append(out, m)
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}
