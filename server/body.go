package server

import (
	"bytes"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/labstack/echo/v4"
)

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// readJSONBody reads a KICC request body into a pooled buffer after checking
// its content type and size. The caller returns the buffer with putBuffer.
// Errors are *httpError: 415, 413 or 400.
func (s *Server) readJSONBody(c echo.Context) (*bytes.Buffer, error) {
	r := c.Request()
	if err := checkContentType(headerValue(r.Header, echo.HeaderContentType)); err != nil {
		return nil, err
	}
	limit := s.cfg.BodyLimit
	if r.ContentLength > limit {
		return nil, tooLarge(limit)
	}
	buf := bufPool.Get().(*bytes.Buffer)
	buf.Reset()
	if err := readLimited(buf, r.Body, limit); err != nil {
		putBuffer(buf)
		return nil, err
	}
	return buf, nil
}

// readLimited reads body into buf, failing with 413 past limit bytes. It
// reads straight into buf's spare capacity: no reader wrappers to allocate
// on every request.
func readLimited(buf *bytes.Buffer, body io.Reader, limit int64) error {
	if body == nil {
		return nil
	}
	for {
		buf.Grow(512)
		room := buf.AvailableBuffer()
		n, err := body.Read(room[:cap(room)])
		buf.Write(room[:n]) // the bytes are already in place; this only moves buf's length
		if int64(buf.Len()) > limit {
			return tooLarge(limit)
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return &httpError{Status: http.StatusBadRequest, Message: "reading request body: " + err.Error()}
		}
	}
}

// headerValue is h.Get(key) for a key already in canonical form, without
// Get's canonicalisation of the key on every request.
func headerValue(h http.Header, key string) string {
	if v := h[key]; len(v) > 0 {
		return v[0]
	}
	return ""
}

func putBuffer(b *bytes.Buffer) {
	if b.Cap() <= 64<<10 {
		bufPool.Put(b)
	}
}

func tooLarge(limit int64) *httpError {
	return &httpError{Status: http.StatusRequestEntityTooLarge,
		Message: "request body is larger than " + strconv.FormatInt(limit, 10) + " bytes"}
}

// checkContentType accepts what KICC documents, application/json with an
// optional charset that must be UTF-8. The fast path avoids mime parsing for
// the two spellings clients actually send.
func checkContentType(ct string) error {
	switch ct {
	case "application/json", "application/json; charset=utf-8", "application/json; charset=UTF-8", "application/json;charset=UTF-8", "application/json;charset=utf-8":
		return nil
	}
	media, params, err := mime.ParseMediaType(ct)
	if err == nil && media == "application/json" {
		cs, ok := params["charset"]
		if !ok || strings.EqualFold(cs, "utf-8") {
			return nil
		}
		return &httpError{Status: http.StatusUnsupportedMediaType,
			Message: "charset " + cs + " is not supported; KICC's WeChat Pay API takes application/json; charset=utf-8"}
	}
	got := ct
	if got == "" {
		got = "none"
	}
	return &httpError{Status: http.StatusUnsupportedMediaType,
		Message: "Content-Type must be application/json; charset=utf-8 (got " + got + ")"}
}
