package kicc

import (
	"bytes"
	"encoding/json"
	"errors"
)

// BodyError is a request body that is not a JSON object at all: empty,
// malformed or another JSON value. KICC cannot read such a request, so it is
// an HTTP 400 rather than a resCd.
type BodyError struct{ Msg string }

func (e *BodyError) Error() string { return e.Msg }

// Decode reads a request body into v (a pointer to a request struct). It
// returns a *BodyError when the body is not a JSON object, a *FieldError
// (ResFormat) when a field holds the wrong JSON type, or nil. Unknown fields
// are ignored: KICC adds fields without notice.
func Decode(data []byte, v any) error {
	trimmed := bytes.TrimLeft(data, " \t\r\n")
	if len(trimmed) == 0 {
		return &BodyError{Msg: "request body is empty; expected a JSON object"}
	}
	if trimmed[0] != '{' {
		if !json.Valid(trimmed) {
			return &BodyError{Msg: "request body is not valid JSON"}
		}
		return &BodyError{Msg: "request body must be a JSON object"}
	}
	if r, ok := v.(*FindRequest); ok { // the hot path
		if fields := r.flatFields(); decodeFlat(data, fields[:]) {
			return nil
		}
	}
	err := json.Unmarshal(data, v)
	if err == nil {
		return nil
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && te.Field != "" {
		return &FieldError{ResCd: ResFormat, Field: te.Field,
			Reason: "expected " + jsonKind(te.Type.Kind().String()) + ", got " + te.Value}
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return &BodyError{Msg: "request body is not valid JSON: " + se.Error()}
	}
	return &BodyError{Msg: "request body could not be read: " + err.Error()}
}

func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "string"
	case "struct", "map":
		return "object"
	case "slice", "array":
		return "array"
	case "bool":
		return "boolean"
	}
	return "number"
}
