package pipeline

import (
	"net/http"
	"strconv"

	"github.com/kicc-mock/kicc-mock/httpio"
	"github.com/kicc-mock/kicc-mock/scenarios"
)

// State is the scenario state a request reads, swapped as a whole when
// scenarios change: the set, each endpoint's default, and every response
// compiled for every endpoint it answers.
type State struct {
	Set *scenarios.Set
	// Defaults per endpoint: the scenario that answers when nothing else
	// is selected.
	Defaults map[scenarios.Endpoint]*scenarios.Scenario
	// Unnamed are the defaults that are the endpoint's own default answer
	// (cancel-full, payment-approved): an answer from one of them names no
	// scenario, in the journal or in a header, as no scenario was asked for.
	Unnamed map[*scenarios.Scenario]bool
	answers map[answerKey]*scenarios.Answer
	plain   map[scenarios.Endpoint]*scenarios.Answer // no scenario: the endpoint's own answer
}

type answerKey struct {
	resp *scenarios.Response
	ep   scenarios.Endpoint
}

// NewState compiles set against each endpoint's base answer.
func NewState(set *scenarios.Set, defaults map[scenarios.Endpoint]*scenarios.Scenario, bases map[scenarios.Endpoint]*scenarios.Base) *State {
	st := &State{Set: set, Defaults: defaults, Unnamed: map[*scenarios.Scenario]bool{},
		answers: map[answerKey]*scenarios.Answer{}, plain: map[scenarios.Endpoint]*scenarios.Answer{}}
	for ep, sc := range defaults {
		if sc.Source == scenarios.SourceBuiltin && sc.Name == scenarios.DefaultFor(ep) {
			st.Unnamed[sc] = true
		}
	}
	for ep, base := range bases {
		st.plain[ep] = scenarios.Compile("", nil, base)
	}
	for _, sc := range set.All() {
		for ep, base := range bases {
			if !sc.AppliesTo(ep) {
				continue
			}
			for _, r := range sc.Responses {
				st.answers[answerKey{r, ep}] = scenarios.Compile(sc.Name, r, base)
			}
		}
	}
	return st
}

// Answer is the compiled answer of response r (nil: no scenario) to ep.
func (st *State) Answer(r *scenarios.Response, ep scenarios.Endpoint) *scenarios.Answer {
	return st.answer(r, ep)
}

func (st *State) answer(r *scenarios.Response, ep scenarios.Endpoint) *scenarios.Answer {
	if r == nil {
		return st.plain[ep]
	}
	return st.answers[answerKey{r, ep}]
}

// unknownScenario is the 400 for a header naming no scenario.
func unknownScenario(name string, set *scenarios.Set) *httpio.Error {
	return &httpio.Error{Status: http.StatusBadRequest,
		Message: "unknown scenario " + strconv.Quote(name) + " in " + "X-KICC-Mock-Scenario",
		Extra:   map[string]any{"scenarios": set.Names()}}
}

// wrongEndpoint is the 400 for a header naming a scenario of another
// endpoint.
func wrongEndpoint(sc *scenarios.Scenario, ep scenarios.Endpoint) *httpio.Error {
	return &httpio.Error{Status: http.StatusBadRequest,
		Message: "scenario " + strconv.Quote(sc.Name) + " does not answer " + string(ep) + " requests",
		Extra:   map[string]any{"endpoints": sc.Endpoints}}
}
