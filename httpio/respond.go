// Package httpio is the mock's HTTP plumbing shared by its parts: bounded
// body reads, the KICC content-type rule, JSON answers, and the small JSON
// bodies of HTTP-level errors (KICC sends resCd only with HTTP 200, so those
// carry none).
package httpio

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
)

// ContentTypeJSON is what KICC sends and expects, spelled as KICC spells it.
const ContentTypeJSON = "application/json; charset=utf-8"

// Error is an HTTP-level rejection (4xx/5xx). KICC sends resCd/resMsg only
// with HTTP 200, so these bodies carry none; they name the problem.
type Error struct {
	Status  int
	Message string
	Extra   map[string]any
}

func (e *Error) Error() string { return e.Message }

// Errorf is an Error of status with a formatted message.
func Errorf(status int, format string, args ...any) *Error {
	return &Error{Status: status, Message: fmt.Sprintf(format, args...)}
}

// Body is the error's JSON body: {"status", "error", "message", ...Extra}.
func (e *Error) Body() []byte {
	m := map[string]any{
		"status":  e.Status,
		"error":   http.StatusText(e.Status),
		"message": e.Message,
	}
	for k, v := range e.Extra {
		m[k] = v
	}
	// Messages quote what the client should send, such as "Bearer <token>";
	// HTML escaping would make them unreadable, and this is no HTML.
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(m) // a map of strings and ints always encodes
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

// contentTypeJSON is the header value, shared so that writing it allocates
// nothing; it is never modified.
var contentTypeJSON = []string{ContentTypeJSON}

// WriteJSON writes body, JSON already, with status and KICC's content type.
func WriteJSON(w http.ResponseWriter, status int, body []byte) error {
	w.Header()["Content-Type"] = contentTypeJSON
	w.WriteHeader(status)
	_, err := w.Write(body)
	return err
}

// Appender is a type that encodes itself as encoding/json would, without
// reflection (the KICC answer types).
type Appender interface{ AppendJSON([]byte) []byte }

// Marshal encodes v, through AppendJSON where v has it.
func Marshal(v any) ([]byte, error) {
	if a, ok := v.(Appender); ok {
		return a.AppendJSON(make([]byte, 0, 384)), nil
	}
	return json.Marshal(v)
}

// WriteValue marshals v and writes it.
func WriteValue(w http.ResponseWriter, status int, v any) error {
	b, err := Marshal(v)
	if err != nil {
		return err
	}
	return WriteJSON(w, status, b)
}

// BadRequest is a 400 with msg.
func BadRequest(msg string) *Error { return &Error{Status: http.StatusBadRequest, Message: msg} }
