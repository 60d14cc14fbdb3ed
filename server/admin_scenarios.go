package server

import (
	"bytes"
	"errors"
	"mime"
	"net/http"
	"strings"

	"github.com/kicc-mock/kicc-mock/httpio"

	"github.com/labstack/echo/v4"

	"github.com/kicc-mock/kicc-mock/scenarios"
)

// adminScenarioLimit caps a scenario file sent to POST /__admin/scenarios
// at the parser's own bound on a file: a larger one is a 413 before it is
// read, rather than a 400 after.
const adminScenarioLimit = scenarios.MaxFileBytes

// scenarioView is one scenario as GET /__admin/scenarios lists it.
type scenarioView struct {
	Name        string               `json:"name"`
	Description string               `json:"description,omitempty"`
	Endpoints   []scenarios.Endpoint `json:"endpoints"`
	Priority    int                  `json:"priority"`
	Matches     bool                 `json:"matchRules"`
	SequenceKey string               `json:"sequenceKey,omitempty"`
	Responses   int                  `json:"responses"`
	Source      scenarios.Source     `json:"source"`
	File        string               `json:"file,omitempty"`
	Line        int                  `json:"line,omitempty"`
}

// handleListScenarios serves GET /__admin/scenarios: every loaded scenario
// with where it came from, and the default of each endpoint.
func (s *Server) handleListScenarios(c echo.Context) error {
	set := s.Scenarios()
	names := set.Names()
	list := make([]scenarioView, 0, len(names))
	for _, n := range names {
		sc := set.Lookup(n)
		eps := sc.Endpoints
		if len(eps) == 0 {
			eps = scenarios.Endpoints
		}
		list = append(list, scenarioView{
			Name: sc.Name, Description: sc.Description, Endpoints: eps, Priority: sc.Priority,
			Matches: len(sc.Match) > 0, SequenceKey: sc.SequenceKey, Responses: len(sc.Responses),
			Source: sc.Source, File: sc.File, Line: sc.Line,
		})
	}
	defaults := map[scenarios.Endpoint]string{}
	for _, ep := range scenarios.Endpoints {
		defaults[ep] = s.DefaultScenario(ep)
	}
	return httpio.WriteValue(c.Response(), http.StatusOK, map[string]any{"scenarios": list, "defaults": defaults})
}

// handleAddScenarios serves POST /__admin/scenarios: a scenario file in YAML
// or JSON (the same format) whose scenarios are added, replacing runtime
// ones of the same name. A bad file changes nothing and answers 400 with
// every mistake as "request:line: message".
func (s *Server) handleAddScenarios(c echo.Context) error {
	r := c.Request()
	media, _, _ := mime.ParseMediaType(r.Header.Get(echo.HeaderContentType))
	switch media {
	case "application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml", "application/json", "text/plain", "":
	default:
		return &httpio.Error{Status: http.StatusUnsupportedMediaType,
			Message: "send the scenario file as application/yaml or application/json (got " + media + ")"}
	}
	if r.ContentLength > adminScenarioLimit {
		return httpio.TooLarge(adminScenarioLimit)
	}
	var data bytes.Buffer
	if err := httpio.ReadLimited(&data, r.Body, adminScenarioLimit); err != nil {
		return err
	}
	names, err := s.AddScenarios("request", data.Bytes())
	if err != nil {
		var list scenarios.ErrorList
		lines := []string{err.Error()}
		if errors.As(err, &list) {
			lines = lines[:0]
			for _, e := range list {
				lines = append(lines, e.Error())
			}
		}
		status := http.StatusBadRequest
		switch {
		case errors.Is(err, ErrTooManyScenarios):
			status = http.StatusConflict
		case !errors.As(err, &list):
			status = http.StatusInternalServerError // the --data-dir store failed
		}
		return &httpio.Error{Status: status, Message: strings.Join(lines, "; "),
			Extra: map[string]any{"errors": lines}}
	}
	return httpio.WriteValue(c.Response(), http.StatusOK, map[string]any{"added": names})
}

// handleDeleteScenario serves DELETE /__admin/scenarios/:name. Only runtime
// scenarios can go; built-ins and files stay as loaded.
func (s *Server) handleDeleteScenario(c echo.Context) error {
	name := c.Param("name")
	err := s.RemoveScenario(name)
	switch {
	case err == nil:
		return httpio.WriteValue(c.Response(), http.StatusOK, map[string]string{"deleted": name})
	case errors.Is(err, ErrUnknownScenario):
		return &httpio.Error{Status: http.StatusNotFound, Message: err.Error()}
	}
	return httpio.BadRequest(err.Error())
}

// handleSetDefaultScenario serves PUT /__admin/default-scenario
// {"endpoint":"find-cancel","name":"cancel-partial"}; an empty name restores
// the built-in default.
func (s *Server) handleSetDefaultScenario(c echo.Context) error {
	var body struct {
		Endpoint *scenarios.Endpoint `json:"endpoint"`
		Name     *string             `json:"name"`
	}
	const want = `body must be {"endpoint": "find-cancel|find-payment|create|revise", "name": "<scenario>"}`
	if err := s.decodeAdminBody(c, &body, want); err != nil {
		return err
	}
	if body.Endpoint == nil || body.Name == nil {
		return httpio.BadRequest(want)
	}
	if err := s.SetDefaultScenario(*body.Endpoint, *body.Name); err != nil {
		return httpio.BadRequest(err.Error())
	}
	return httpio.WriteValue(c.Response(), http.StatusOK, map[string]string{
		"endpoint": string(*body.Endpoint), "name": s.DefaultScenario(*body.Endpoint)})
}
