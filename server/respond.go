package server

import (
	"bytes"
	"encoding/json"
	"net/http"

	"github.com/labstack/echo/v4"
)

// ContentTypeJSON is what KICC sends and expects, spelled as KICC spells it.
const ContentTypeJSON = "application/json; charset=utf-8"

// httpError is an HTTP-level rejection (4xx/5xx). KICC sends resCd/resMsg
// only with HTTP 200, so these bodies carry none; they name the problem.
type httpError struct {
	Status  int
	Message string
	Extra   map[string]any
}

func (e *httpError) Error() string { return e.Message }

func (e *httpError) body() []byte {
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

func writeJSON(c echo.Context, status int, body []byte) error {
	return c.Blob(status, ContentTypeJSON, body)
}

// jsonMarshal is json.Marshal; one name to change when the encoder changes.
func jsonMarshal(v any) ([]byte, error) { return json.Marshal(v) }

// writeValue marshals v and writes it.
func writeValue(c echo.Context, status int, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return writeJSON(c, status, b)
}
