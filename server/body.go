package server

import (
	"bytes"
	"errors"
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
	if err := checkContentType(r.Header.Get(echo.HeaderContentType)); err != nil {
		return nil, err
	}
	limit := s.cfg.BodyLimit
	if r.ContentLength > limit {
		return nil, tooLarge(limit)
	}
	buf := bufPool.Get().(*bytes.Buffer)
	buf.Reset()
	_, err := buf.ReadFrom(http.MaxBytesReader(c.Response(), r.Body, limit))
	if err != nil {
		putBuffer(buf)
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, tooLarge(limit)
		}
		return nil, &httpError{Status: http.StatusBadRequest, Message: "reading request body: " + err.Error()}
	}
	return buf, nil
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
