// Package fault holds the network-level misbehaviours a scenario response
// can ask for instead of an answer: a reset connection, an empty reply, a
// truncated body, a connection held open. Each fault is one file that
// registers a Kind under its name; the scenario parser, its JSON Schema and
// the documentation read the names and parameters from this registry, so
// adding a fault is adding one file.
//
// A fault works on net/http's terms (a ResponseWriter and its
// ResponseController), not on the web framework's, so it can be tested and
// reused without one.
package fault

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/kicc-mock/kicc-mock/clock"
)

// Fault misbehaves on one request's connection. Apply returns when the
// request is over; a nil error means the fault was delivered.
type Fault interface {
	Apply(w http.ResponseWriter, rc *http.ResponseController, env *Env) error
}

// Env is what a fault may use.
type Env struct {
	// Context is the request's: done when the client goes away.
	Context context.Context
	Clock   clock.Clock
	// Stopping is closed when the server shuts down: held connections end.
	Stopping <-chan struct{}
	// Answer is the answer the request would have had, for faults that
	// mangle it.
	Answer []byte
	// Hang is how long a hang holds the connection when its scenario gives
	// no duration (the server's --hang-duration).
	Hang time.Duration
	// ClientLeft is called when the client went away before the fault was
	// delivered, so the journal can say so (HTTP status 499).
	ClientLeft func()
}

// ParamType is the type of a fault parameter's value.
type ParamType string

// The parameter types.
const (
	Duration ParamType = "duration" // a Go duration such as 5s
	Int      ParamType = "int"      // a whole number
)

// Param is one parameter a fault takes.
type Param struct {
	Name string
	Type ParamType
	// Min and Max bound the value: nanoseconds for a Duration.
	Min, Max int64
	Doc      string
}

// Params are a fault's parameter values: time.Duration for Duration
// parameters, int64 for Int ones. A parameter left out is absent.
type Params map[string]any

// Duration returns p's duration parameter name, or def when absent.
func (p Params) Duration(name string, def time.Duration) time.Duration {
	if d, ok := p[name].(time.Duration); ok {
		return d
	}
	return def
}

// Int returns p's whole-number parameter name, or def when absent.
func (p Params) Int(name string, def int64) int64 {
	if n, ok := p[name].(int64); ok {
		return n
	}
	return def
}

// Kind is a registered fault: its name, what it does, its parameters and
// how to build it.
type Kind struct {
	Name string
	// Doc says what the client sees, in one sentence (the documentation's
	// table reads it).
	Doc    string
	Params []Param
	// ReachedKICC is whether a request answered with this fault counts, by
	// default, as one KICC received: a fault a gateway produces (a reset,
	// an empty reply) never got there, so the request's idempotency key is
	// not used up. A scenario response can say otherwise.
	ReachedKICC bool
	// New builds the fault from checked parameters.
	New func(Params) Fault
}

// Param returns the kind's parameter name.
func (k *Kind) Param(name string) (Param, bool) {
	for _, p := range k.Params {
		if p.Name == name {
			return p, true
		}
	}
	return Param{}, false
}

// Build checks params against the kind's and builds the fault.
func (k *Kind) Build(params Params) (Fault, error) {
	for name, v := range params {
		p, ok := k.Param(name)
		if !ok {
			return nil, fmt.Errorf("fault %s takes no parameter %q%s", k.Name, name, k.paramList())
		}
		var n int64
		switch v := v.(type) {
		case time.Duration:
			if p.Type != Duration {
				return nil, fmt.Errorf("fault %s: %s is a %s", k.Name, name, p.Type)
			}
			n = int64(v)
		case int64:
			if p.Type != Int {
				return nil, fmt.Errorf("fault %s: %s is a %s", k.Name, name, p.Type)
			}
			n = v
		default:
			return nil, fmt.Errorf("fault %s: %s has a value of type %T", k.Name, name, v)
		}
		if n < p.Min || n > p.Max {
			return nil, fmt.Errorf("fault %s: %s must be from %s to %s", k.Name, name, p.format(p.Min), p.format(p.Max))
		}
	}
	return k.New(params), nil
}

func (k *Kind) paramList() string {
	if len(k.Params) == 0 {
		return "; it takes none"
	}
	names := make([]string, len(k.Params))
	for i, p := range k.Params {
		names[i] = p.Name
	}
	return "; it takes " + strings.Join(names, ", ")
}

func (p Param) format(n int64) string {
	if p.Type == Duration {
		return time.Duration(n).String()
	}
	return fmt.Sprint(n)
}

var kinds = map[string]*Kind{}

// Register adds a fault kind; each fault's file calls it from init. A name
// registered twice is a programming error.
func Register(k Kind) {
	if _, dup := kinds[k.Name]; dup {
		panic("fault " + k.Name + " registered twice")
	}
	kinds[k.Name] = &k
}

// Lookup returns the kind called name.
func Lookup(name string) (*Kind, bool) {
	k, ok := kinds[name]
	return k, ok
}

// Names lists the registered faults, sorted.
func Names() []string {
	names := make([]string, 0, len(kinds))
	for n := range kinds {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Kinds lists the registered kinds, sorted by name.
func Kinds() []*Kind {
	out := make([]*Kind, 0, len(kinds))
	for _, n := range Names() {
		out = append(out, kinds[n])
	}
	return out
}

// hijack takes the connection from net/http so a fault can end it its own
// way. The request body has been read in full, so closing does not trip
// over unread bytes.
func hijack(rc *http.ResponseController) (net.Conn, error) {
	conn, _, err := rc.Hijack()
	if err != nil {
		return nil, fmt.Errorf("the fault needs the raw connection: %w", err)
	}
	return conn, nil
}

// Table is the documentation's table of faults, in markdown: name,
// parameters, what the client sees, and whether the request counts as
// having reached KICC.
func Table() string {
	var b strings.Builder
	b.WriteString("| fault | parameters | what the client sees | reached KICC (key used) |\n|---|---|---|---|\n")
	for _, k := range Kinds() {
		var params []string
		for _, p := range k.Params {
			params = append(params, fmt.Sprintf("`%s` (%s, %s to %s): %s", p.Name, p.Type, p.format(p.Min), p.format(p.Max), p.Doc))
		}
		ps := strings.Join(params, "; ")
		if ps == "" {
			ps = "none"
		}
		reached := "no"
		if k.ReachedKICC {
			reached = "yes"
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s |\n", k.Name, ps, k.Doc, reached)
	}
	return b.String()
}

// Schema is the JSON Schema of a scenario response's fault value, for the
// scenario format's schema.json (a test keeps the file equal to it): a
// fault's name, or a one-key mapping from the name to its main parameter's
// value or to its parameters by name.
func Schema() map[string]any {
	names := Names()
	var docs []string
	withParams := map[string]any{}
	for _, k := range Kinds() {
		docs = append(docs, k.Name+": "+k.Doc)
		props := map[string]any{}
		for _, p := range k.Params {
			props[p.Name] = paramSchema(p)
		}
		byName := map[string]any{"type": "object", "additionalProperties": false, "properties": props}
		if len(k.Params) == 0 {
			withParams[k.Name] = byName
			continue
		}
		withParams[k.Name] = map[string]any{"oneOf": []any{paramSchema(k.Params[0]), byName}}
	}
	return map[string]any{
		"description": strings.Join(docs, "; ") + ".",
		"oneOf": []any{
			map[string]any{"enum": names},
			map[string]any{"type": "object", "minProperties": 1, "maxProperties": 1,
				"additionalProperties": false, "properties": withParams},
		},
	}
}

func paramSchema(p Param) map[string]any {
	if p.Type == Duration {
		return map[string]any{"type": "string", "pattern": "^([0-9]+(\\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$",
			"description": p.Doc + " (" + p.format(p.Min) + " to " + p.format(p.Max) + ")"}
	}
	return map[string]any{"type": "integer", "minimum": p.Min, "maximum": p.Max, "description": p.Doc}
}
