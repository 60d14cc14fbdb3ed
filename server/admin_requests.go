package server

import (
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
var requestQueryParams = []string{"limit", "method", "path", "scenario", "pgCno", "mallId"}

// handleGetRequests serves GET /__admin/requests: {"requests": [...]},
// newest first, filtered by ?limit=&method=&path=&scenario=&pgCno=&mallId=.
func (s *Server) handleGetRequests(c echo.Context) error {
	q := c.QueryParams()
	for k := range q {
		if !slices.Contains(requestQueryParams, k) {
			return httpio.BadRequest("unknown filter " + strconv.Quote(k) + "; filters are " + strings.Join(requestQueryParams, ", "))
		}
	}
	limit := 0
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return httpio.BadRequest("limit must be a whole number of 0 or more (0 = all), got " + strconv.Quote(v))
		}
		limit = n
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
	entries := s.journal.Find(&f, limit)
	views := make([]journal.View, len(entries))
	for i := range entries {
		views[i] = entries[i].View()
	}
	return httpio.WriteValue(c.Response(), http.StatusOK, map[string]any{"requests": views})
}

// handleCountRequests serves POST /__admin/requests/count: the body is a
// filter, {"method", "path", "scenario", "body": {subset}}, and the answer
// {"count": n}. An empty body counts every request.
func (s *Server) handleCountRequests(c echo.Context) error {
	var f journal.Filter
	if err := s.decodeAdminBody(c, &f, `count body must be {"path": ..., "scenario": ..., "method": ..., "body": {...}}`); err != nil {
		return err
	}
	return httpio.WriteValue(c.Response(), http.StatusOK, map[string]int{"count": len(s.journal.Find(&f, 0))})
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
