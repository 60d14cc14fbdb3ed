package scenarios

import (
	"encoding/json"
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

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}
