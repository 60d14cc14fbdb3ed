package scenarios

// The generic object's operations only tests use: the reference that
// compiled answers are held to (Merge, then Sort, as answers were built
// before they were compiled), and ways to read rendered objects.

import (
	"bytes"
	"encoding/json"
	"fmt"
)

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

// RenderObject renders an object Value; nil renders as an empty Object.
func (v *Value) RenderObject(env *Env) Object {
	if v == nil || v.Kind != KindObject {
		return Object{}
	}
	o, _ := v.Render(env).(Object)
	return o
}
