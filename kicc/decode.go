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
//
// Text must be Unicode: a string value, of a known field or an unknown one
// at any depth, that holds bytes that are not UTF-8 or a lone surrogate
// escape ("\ud800") is a *FieldError (ResFormat) naming it ("memo",
// "amountInfo.currency", "extra.list[2]"), where encoding/json alone would
// have read U+FFFD and made different values equal. Such an object key is
// a *BodyError: there is no field to name. The checks come in this order,
// each one's first failure in document order winning: JSON syntax (a
// *BodyError), text, JSON types. On a *FieldError v still holds what
// encoding/json decoded (U+FFFD in the field named), so an error answer can
// echo the request's ids.
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
	// The hot path. decodeFlat takes no escape and no invalid UTF-8, so what
	// it decodes needs no text check (FuzzDecodeFlatAgreesWithJSON holds it
	// to that).
	if r, ok := v.(*FindRequest); ok {
		if fields := r.flatFields(); decodeFlat(data, fields[:]) {
			return nil
		}
	}
	err := json.Unmarshal(data, v)
	// encoding/json returns its errors unwrapped; a type assertion, unlike
	// errors.As, costs no allocation when there is no error.
	if se, ok := err.(*json.SyntaxError); ok {
		return &BodyError{Msg: "request body is not valid JSON: " + se.Error()}
	}
	if mayHoldBadText(data) {
		if terr := textError(data, v); terr != nil {
			return terr
		}
	}
	if err == nil {
		return nil
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && te.Field != "" {
		return &FieldError{ResCd: ResFormat, Field: te.Field,
			Reason: "expected " + jsonKind(te.Type.Kind().String()) + ", got " + te.Value}
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
