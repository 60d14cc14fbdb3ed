package httpio

import (
	"bytes"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// ReadJSONBody reads a KICC request body into a pooled buffer after checking
// its content type and size. The caller returns the buffer with PutBuffer.
// Errors are *Error: 415, 413 or 400.
func ReadJSONBody(r *http.Request, limit int64) (*bytes.Buffer, error) {
	if err := CheckContentType(HeaderValue(r.Header, "Content-Type")); err != nil {
		return nil, err
	}
	if r.ContentLength > limit {
		return nil, TooLarge(limit)
	}
	buf := bufPool.Get().(*bytes.Buffer)
	buf.Reset()
	if err := ReadLimited(buf, r.Body, limit); err != nil {
		PutBuffer(buf)
		return nil, err
	}
	return buf, nil
}

// ReadLimited reads body into buf, failing with 413 past limit bytes. It
// reads straight into buf's spare capacity: no reader wrappers to allocate
// on every request.
func ReadLimited(buf *bytes.Buffer, body io.Reader, limit int64) error {
	if body == nil {
		return nil
	}
	for {
		buf.Grow(512)
		room := buf.AvailableBuffer()
		n, err := body.Read(room[:cap(room)])
		buf.Write(room[:n]) // the bytes are already in place; this only moves buf's length
		if int64(buf.Len()) > limit {
			return TooLarge(limit)
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return &Error{Status: http.StatusBadRequest, Message: "reading request body: " + err.Error()}
		}
	}
}

// HeaderValue is h.Get(key) for a key already in canonical form, without
// Get's canonicalisation of the key on every request.
func HeaderValue(h http.Header, key string) string {
	if v := h[key]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// PutBuffer returns a buffer ReadJSONBody gave.
func PutBuffer(b *bytes.Buffer) {
	if b.Cap() <= 64<<10 {
		bufPool.Put(b)
	}
}

// TooLarge is the 413 of a body over limit bytes.
func TooLarge(limit int64) *Error {
	return &Error{Status: http.StatusRequestEntityTooLarge,
		Message: "request body is larger than " + strconv.FormatInt(limit, 10) + " bytes"}
}

// CheckContentType accepts what KICC documents, application/json with an
// optional charset that must be UTF-8. The fast path avoids mime parsing for
// the two spellings clients actually send.
func CheckContentType(ct string) error {
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
		return &Error{Status: http.StatusUnsupportedMediaType,
			Message: "charset " + cs + " is not supported; KICC's WeChat Pay API takes application/json; charset=utf-8"}
	}
	got := ct
	if got == "" {
		got = "none"
	}
	return &Error{Status: http.StatusUnsupportedMediaType,
		Message: "Content-Type must be application/json; charset=utf-8 (got " + got + ")"}
}
