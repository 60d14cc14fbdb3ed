package scenarios

import (
	"slices"
	"sort"
	"strings"
)

// MagicPrefix starts every magic id: a pgCno or cancelPgCno of
// "mock-<name>" or "mock-<name>-anything" selects scenario <name>.
const MagicPrefix = "mock-"

// Set is a loaded collection of scenarios. It is immutable, so one Set is
// shared by all requests; a reload builds a new Set and swaps it in.
type Set struct {
	all    []*Scenario          // load order, replaced names dropped
	byName map[string]*Scenario // name -> scenario
	names  []string             // sorted
	magic  []*Scenario          // longest name first
	rules  map[Endpoint][]*Scenario
}

// NewSet builds a Set from layers, earliest first (built-ins, files,
// runtime): a scenario replaces one of the same name loaded before it.
//
// Rule selection tries scenarios with a match block by priority, highest
// first; among equal priorities the one loaded last wins, so a user file
// overrides a built-in and a runtime scenario overrides a file.
func NewSet(layers ...[]*Scenario) *Set {
	s := &Set{byName: map[string]*Scenario{}, rules: map[Endpoint][]*Scenario{}}
	for _, layer := range layers {
		for _, sc := range layer {
			if old, ok := s.byName[sc.Name]; ok {
				s.all = slices.DeleteFunc(s.all, func(x *Scenario) bool { return x == old })
			}
			s.byName[sc.Name] = sc
			s.all = append(s.all, sc)
		}
	}
	for name := range s.byName {
		s.names = append(s.names, name)
	}
	sort.Strings(s.names)
	s.magic = slices.Clone(s.all)
	sort.SliceStable(s.magic, func(i, j int) bool { return len(s.magic[i].Name) > len(s.magic[j].Name) })
	for _, ep := range Endpoints {
		var list []*Scenario
		for i := len(s.all) - 1; i >= 0; i-- { // later-loaded first among equals
			if sc := s.all[i]; len(sc.Match) > 0 && sc.AppliesTo(ep) {
				list = append(list, sc)
			}
		}
		sort.SliceStable(list, func(i, j int) bool { return list[i].Priority > list[j].Priority })
		s.rules[ep] = list
	}
	return s
}

// Lookup returns the scenario called name, or nil.
func (s *Set) Lookup(name string) *Scenario { return s.byName[name] }

// Names lists the scenario names, sorted.
func (s *Set) Names() []string { return slices.Clone(s.names) }

// All returns the scenarios in load order.
func (s *Set) All() []*Scenario { return slices.Clone(s.all) }

// Len is the number of scenarios.
func (s *Set) Len() int { return len(s.all) }

// Select chooses a scenario for a request to ep without a scenario header:
// first a magic id (id is the request's id field: cancelPgCno when present,
// else pgCno), then the match rules by priority. It returns nil when none
// applies; the caller then uses its default. A request that names no magic
// id on an endpoint without rules costs no allocation.
func (s *Set) Select(ep Endpoint, id string, f Fields) *Scenario {
	if sc := s.Magic(ep, id); sc != nil {
		return sc
	}
	for _, sc := range s.rules[ep] {
		if sc.Matches(f) {
			return sc
		}
	}
	return nil
}

// Magic returns the scenario a magic id names for ep: id equal to
// "mock-<name>" or starting with "mock-<name>-", the longest such name
// winning. Scenarios that do not answer ep are skipped.
func (s *Set) Magic(ep Endpoint, id string) *Scenario {
	rest, ok := strings.CutPrefix(id, MagicPrefix)
	if !ok {
		return nil
	}
	for _, sc := range s.magic {
		if !strings.HasPrefix(rest, sc.Name) {
			continue
		}
		if (len(rest) == len(sc.Name) || rest[len(sc.Name)] == '-') && sc.AppliesTo(ep) {
			return sc
		}
	}
	return nil
}

// HasRules reports whether any scenario selects requests to ep by rule.
func (s *Set) HasRules(ep Endpoint) bool { return len(s.rules[ep]) > 0 }
