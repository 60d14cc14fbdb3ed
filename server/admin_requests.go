package server

import (
	"bufio"
	"bytes"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/kicc-mock/kicc-mock/httpio"
	"github.com/kicc-mock/kicc-mock/journal"

	"github.com/labstack/echo/v4"
)

// requestQueryParams are the filters GET /__admin/requests takes; anything
// else is refused, so a misspelt filter is an error rather than a silent
// "match all".
var requestQueryParams = []string{"limit", "cursor", "method", "path", "scenario", "pgCno", "mallId"}

// DefaultRequestsPage is how many entries GET /__admin/requests answers
// when no ?limit= is given.
const DefaultRequestsPage = 100

// handleGetRequests serves GET /__admin/requests: {"requests": [...]},
// newest first, filtered by ?method=&path=&scenario=&pgCno=&mallId=, a page
// of ?limit= entries (DefaultRequestsPage; 0 = every match) and, when more
// match, "nextCursor" to pass as ?cursor= for the next page. The answer is
// written entry by entry: its memory does not grow with the journal's.
func (s *Server) handleGetRequests(c echo.Context) error {
	q := c.QueryParams()
	for k := range q {
		if !slices.Contains(requestQueryParams, k) {
			return httpio.BadRequest("unknown filter " + strconv.Quote(k) + "; filters are " + strings.Join(requestQueryParams, ", "))
		}
	}
	limit := DefaultRequestsPage
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return httpio.BadRequest("limit must be a whole number of 0 or more (0 = all), got " + strconv.Quote(v))
		}
		limit = n
	}
	var before uint64
	if v := q.Get("cursor"); v != "" {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil || n == 0 {
			return httpio.BadRequest("cursor must be the nextCursor of an earlier answer, got " + strconv.Quote(v))
		}
		before = n
	}
	f := journal.Filter{Method: q.Get("method"), Path: q.Get("path"), Scenario: q.Get("scenario")}
	for _, field := range []string{"pgCno", "mallId"} {
		if v := q.Get(field); v != "" {
			if f.Body == nil {
				f.Body = map[string]any{}
			}
			f.Body[field] = v
		}
	}
	w := c.Response()
	w.Header().Set("Content-Type", httpio.ContentTypeJSON)
	w.WriteHeader(http.StatusOK)
	out := bufio.NewWriterSize(w, 32<<10)
	out.WriteString(`{"requests":[`)
	written, last, more := 0, uint64(0), false
	var err error
	s.journal.Each(before, func(e *journal.Entry) bool {
		if !f.Match(e) {
			return true
		}
		if limit > 0 && written == limit {
			more = true
			return false
		}
		var b []byte
		if b, err = json.Marshal(e.View()); err != nil {
			return false
		}
		if written > 0 {
			out.WriteByte(',')
		}
		out.Write(b)
		written, last = written+1, e.Seq
		return true
	})
	if err != nil {
		// Headers are gone; cut the answer so it cannot be read as whole.
		return err
	}
	out.WriteByte(']')
	if more {
		out.WriteString(`,"nextCursor":"` + strconv.FormatUint(last, 10) + `"`)
	}
	out.WriteByte('}')
	return out.Flush()
}

// handleCountRequests serves POST /__admin/requests/count: the body is a
// filter, {"method", "path", "scenario", "body": {subset}}, and the answer
// {"count": n}. An empty body counts every request.
func (s *Server) handleCountRequests(c echo.Context) error {
	var f journal.Filter
	if err := s.decodeAdminBody(c, &f, `count body must be {"path": ..., "scenario": ..., "method": ..., "body": {...}}`); err != nil {
		return err
	}
	return httpio.WriteValue(c.Response(), http.StatusOK, map[string]int{"count": s.journal.Count(&f)})
}

// handleClearRequests serves DELETE /__admin/requests: the journal is emptied
// and the answer says how many entries went.
func (s *Server) handleClearRequests(c echo.Context) error {
	return httpio.WriteValue(c.Response(), http.StatusOK, map[string]int{"cleared": s.journal.Clear()})
}

// decodeAdminBody reads an admin call's JSON body into v. An empty body
// leaves v as it is; unknown fields, trailing data and malformed JSON are
// 400s that start with want, the expected shape, and name the problem.
func (s *Server) decodeAdminBody(c echo.Context, v any, want string) error {
	buf, err := httpio.ReadJSONBody(c.Request(), s.cfg.BodyLimit)
	if err != nil {
		return err
	}
	defer httpio.PutBuffer(buf)
	if len(bytes.TrimSpace(buf.Bytes())) == 0 {
		return nil
	}
	dec := json.NewDecoder(buf)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return httpio.BadRequest(want + ": " + err.Error())
	}
	if dec.More() {
		return httpio.BadRequest(want + ": a single JSON object, without trailing data")
	}
	return nil
}
