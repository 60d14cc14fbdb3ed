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

// contentTypeJSON is the header value, shared so that writing it allocates
// nothing; it is never modified.
var contentTypeJSON = []string{ContentTypeJSON}

func writeJSON(c echo.Context, status int, body []byte) error {
	res := c.Response()
	res.Header()[echo.HeaderContentType] = contentTypeJSON
	res.WriteHeader(status)
	_, err := res.Write(body)
	return err
}

// jsonAppender is a type that encodes itself as encoding/json would, without
// reflection (the KICC answer types).
type jsonAppender interface{ AppendJSON([]byte) []byte }

// jsonMarshal encodes v, through AppendJSON where v has it.
func jsonMarshal(v any) ([]byte, error) {
	if a, ok := v.(jsonAppender); ok {
		return a.AppendJSON(make([]byte, 0, 384)), nil
	}
	return json.Marshal(v)
}

// writeValue marshals v and writes it.
func writeValue(c echo.Context, status int, v any) error {
	b, err := jsonMarshal(v)
	if err != nil {
		return err
	}
	return writeJSON(c, status, b)
}
