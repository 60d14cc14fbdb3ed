package scenarios

import (
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/kicc-mock/kicc-mock/fault"
)

// Version is the file format version this kicc-mock reads.
const Version = 1

// DefaultMaxDelay is the longest delay a file may ask for unless configured
// otherwise: KICC's clients time out at 30 s.
const DefaultMaxDelay = 30 * time.Second

// MaxNameBytes keeps "mock-<name>" within pgCno's 60 bytes, so that every
// scenario is reachable by magic id.
const MaxNameBytes = 55

// Options tune Parse.
type Options struct {
	// MaxDelay rejects longer delays (DefaultMaxDelay when 0).
	MaxDelay time.Duration
	// Source is recorded in the scenarios (SourceFile when empty).
	Source Source
	// MaxTemplateBytes caps what one templated string renders to
	// (MaxTemplateOutput when 0).
	MaxTemplateBytes int
	// MaxBodyBytes bounds the JSON a response's body can render to
	// (MaxBodyBytes when 0); each request field or fake text in it counts
	// as MaxTemplateBytes.
	MaxBodyBytes int
}

// The keys of each mapping of the format; the JSON Schema lists the same.
var (
	fileKeys     = []string{"version", "scenarios"}
	scenarioKeys = []string{"name", "description", "endpoint", "match", "priority", "sequenceKey", "responses"}
	responseKeys = []string{"status", "body", "delay", "fault", "webhook", "reachedKicc"}
	webhookKeys  = []string{"drop", "delay", "fail", "resCd"}
	delayKeys    = []string{"min", "max"}
	matcherKeys  = []string{"exact", "glob", "regex"}
)

var nameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]*$`)

var yamlLineRE = regexp.MustCompile(`line (\d+): (.*)`)

// Parse reads one scenario file. On any mistake it returns an ErrorList
// naming every one found, each as "file:line: message". A file past one of
// the bounds (MaxFileBytes, MaxNodes, MaxAliasNodes, MaxAliasDepth,
// MaxDepth, a recursive alias) gets that one error, found before anything
// is built from it.
func Parse(file string, data []byte, opts Options) ([]*Scenario, error) {
	p := newParser(file, opts)
	out := p.parse(data)
	if err := p.errs.err(); err != nil {
		return nil, err
	}
	return out, nil
}

type parser struct {
	file  string
	opts  Options
	errs  ErrorList
	said  map[Error]bool // errs, so that an aliased mistake is said once
	meter meter
	fakes *fakeCalls
	// values counts the body values built: none when a bound stops the file.
	values int
}

func newParser(file string, opts Options) *parser {
	if opts.MaxDelay <= 0 {
		opts.MaxDelay = DefaultMaxDelay
	}
	if opts.Source == "" {
		opts.Source = SourceFile
	}
	if opts.MaxTemplateBytes <= 0 {
		opts.MaxTemplateBytes = MaxTemplateOutput
	}
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = MaxBodyBytes
	}
	p := &parser{file: file, opts: opts, said: map[Error]bool{}, fakes: newFakeCalls()}
	p.meter.p = p
	return p
}

// parse reads data in two walks over its YAML tree: the meter checks the
// bounds, then the scenarios are built from a tree known to be within them.
func (p *parser) parse(data []byte) []*Scenario {
	if len(data) > MaxFileBytes {
		p.errs = fileTooLarge(p.file)
		return nil
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		line, msg := 1, strings.TrimPrefix(err.Error(), "yaml: ")
		if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
			line, _ = strconv.Atoi(m[1])
			msg = m[2]
		}
		p.errs = ErrorList{{File: p.file, Line: line, Msg: "not valid YAML: " + msg}}
		return nil
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		p.errs = ErrorList{{File: p.file, Line: 1, Msg: "empty file; a scenario file starts with \"version: 1\" and \"scenarios:\""}}
		return nil
	}
	if !p.meter.walk(&doc) {
		return nil
	}
	return p.file_(deref(doc.Content[0]))
}

func (p *parser) errf(n *yaml.Node, format string, args ...any) {
	line := 1
	if n != nil && n.Line > 0 {
		line = n.Line
	}
	e := Error{File: p.file, Line: line, Msg: fmt.Sprintf(format, args...)}
	if p.said[e] {
		return
	}
	p.said[e] = true
	p.errs = append(p.errs, &e)
}

func deref(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

// mapping walks a mapping node, merge keys resolved: it reports unknown
// and repeated keys and calls fn for each known one.
func (p *parser) mapping(n *yaml.Node, what string, known []string, fn func(key string, k, v *yaml.Node)) bool {
	if n.Kind != yaml.MappingNode {
		p.errf(n, "%s must be a mapping (key: value lines)", what)
		return false
	}
	seen := map[string]int{}
	for _, kv := range p.pairs(n) {
		k, v := kv.k, kv.v
		if prev, dup := seen[k.Value]; dup {
			p.errf(k, "%s: key %q repeated (first at line %d)", what, k.Value, prev)
			continue
		}
		seen[k.Value] = k.Line
		if known != nil && !slices.Contains(known, k.Value) {
			p.errf(k, "unknown key %q in %s%s; known keys: %s", k.Value, what, suggest(k.Value, known), strings.Join(known, ", "))
			continue
		}
		fn(k.Value, k, v)
	}
	return true
}

func (p *parser) file_(n *yaml.Node) []*Scenario {
	var out []*Scenario
	var version, list *yaml.Node
	if !p.mapping(n, "the file", fileKeys, func(key string, _, v *yaml.Node) {
		switch key {
		case "version":
			version = v
		case "scenarios":
			list = v
		}
	}) {
		return nil
	}
	switch {
	case version == nil:
		p.errf(n, "missing \"version: %d\" (the format is versioned)", Version)
	case version.Kind != yaml.ScalarNode || version.Value != strconv.Itoa(Version):
		p.errf(version, "version %s is not supported; this kicc-mock reads version %d", version.Value, Version)
	}
	if list == nil {
		p.errf(n, "missing \"scenarios:\" (a list of scenarios)")
		return nil
	}
	if list.Kind != yaml.SequenceNode {
		p.errf(list, "scenarios must be a list (lines starting with \"- \")")
		return nil
	}
	names := map[string]int{}
	for _, item := range list.Content {
		sc := p.scenario(deref(item))
		if sc == nil {
			continue
		}
		if prev, dup := names[sc.Name]; dup {
			p.errf(item, "scenario %q is already defined at line %d", sc.Name, prev)
			continue
		}
		names[sc.Name] = sc.Line
		out = append(out, sc)
	}
	return out
}

func (p *parser) scenario(n *yaml.Node) *Scenario {
	sc := &Scenario{Source: p.opts.Source, File: p.file, Line: n.Line}
	var nameNode, responses, seqKey *yaml.Node
	var body []*yaml.Node // body nodes, checked once the endpoints are known
	errsBefore := len(p.errs)
	ok := p.mapping(n, "a scenario", scenarioKeys, func(key string, k, v *yaml.Node) {
		switch key {
		case "name":
			nameNode = v
			sc.Name = p.str(v, "name")
		case "description":
			sc.Description = p.str(v, "description")
		case "endpoint":
			sc.Endpoints = p.endpoints(v)
		case "match":
			sc.Match = p.match(v)
		case "priority":
			if v.Kind != yaml.ScalarNode || v.Tag != "!!int" {
				p.errf(v, "priority must be a whole number (higher wins)")
				return
			}
			sc.Priority, _ = strconv.Atoi(v.Value)
		case "sequenceKey":
			seqKey = v
			sc.SequenceKey = p.str(v, "sequenceKey")
		case "responses":
			responses = v
		}
	})
	if !ok {
		return nil
	}
	switch {
	case nameNode == nil:
		p.errf(n, "a scenario needs a name")
	case sc.Name == "":
	case len(sc.Name) > MaxNameBytes:
		p.errf(nameNode, "name %q is %d bytes; at most %d, so that mock-<name> fits in pgCno", sc.Name, len(sc.Name), MaxNameBytes)
	case !nameRE.MatchString(sc.Name):
		p.errf(nameNode, "name %q may hold only letters, digits, - and _ (it is sent in a header and in magic ids)", sc.Name)
	case strings.HasPrefix(sc.Name, "mock-"):
		p.errf(nameNode, "name %q must not start with mock- (magic ids add that prefix)", sc.Name)
	}
	if seqKey != nil && sc.SequenceKey == "" {
		p.errf(seqKey, "sequenceKey names a request field, as in cancelPgCno")
	}
	if responses == nil {
		if len(p.errs) == errsBefore { // else a misspelt key was reported already
			p.errf(n, "scenario %q needs responses (a list; the last one repeats)", sc.Name)
		}
		return nil
	}
	if responses.Kind != yaml.SequenceNode || len(responses.Content) == 0 {
		p.errf(responses, "responses must be a non-empty list (lines starting with \"- \")")
		return nil
	}
	for _, item := range responses.Content {
		r, b := p.response(deref(item))
		if r != nil {
			sc.Responses = append(sc.Responses, r)
		}
		if b != nil && b.Kind == yaml.MappingNode {
			body = append(body, b)
		}
	}
	for _, b := range body {
		p.checkStatusFields(sc, b)
	}
	for i, r := range sc.Responses {
		if r.Webhook != nil && r.Webhook.Fail && (len(sc.Endpoints) != 1 || sc.Endpoints[0] != Revise) {
			p.errf(responses.Content[i], "webhook fail is for cancellations: the scenario needs endpoint: revise")
		}
	}
	if len(sc.Responses) != len(responses.Content) {
		return nil
	}
	return sc
}

// checkStatusFields catches the commonest slip: the payment inquiry's status
// field is statusCd, the cancel inquiry's is cancelStatus.
func (p *parser) checkStatusFields(sc *Scenario, body *yaml.Node) {
	only := func(ep Endpoint) bool { return len(sc.Endpoints) == 1 && sc.Endpoints[0] == ep }
	for _, kv := range p.pairs(body) {
		k := kv.k
		switch {
		case k.Value == "cancelStatus" && only(FindPayment):
			p.errf(k, "cancelStatus is the cancel inquiry's field; the payment inquiry (find-payment) answers statusCd")
		case k.Value == "statusCd" && only(FindCancel):
			p.errf(k, "statusCd is the payment inquiry's field; the cancel inquiry (find-cancel) answers cancelStatus")
		}
	}
}

func (p *parser) str(n *yaml.Node, what string) string {
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		p.errf(n, "%s must be a string", what)
		return ""
	}
	return n.Value
}

func (p *parser) endpoints(n *yaml.Node) []Endpoint {
	var items []*yaml.Node
	switch n.Kind {
	case yaml.ScalarNode:
		items = []*yaml.Node{n}
	case yaml.SequenceNode:
		items = n.Content
	default:
		p.errf(n, "endpoint must be one endpoint or a list of them")
		return nil
	}
	var out []Endpoint
	for _, it := range items {
		it = deref(it)
		ep := Endpoint(it.Value)
		if it.Kind != yaml.ScalarNode || !ep.Known() {
			known := make([]string, len(Endpoints))
			for i, e := range Endpoints {
				known[i] = string(e)
			}
			p.errf(it, "unknown endpoint %q%s; known endpoints: %s", it.Value, suggest(it.Value, known), strings.Join(known, ", "))
			continue
		}
		out = append(out, ep)
	}
	return out
}

func (p *parser) match(n *yaml.Node) []Condition {
	var out []Condition
	p.mapping(n, "match", nil, func(field string, k, v *yaml.Node) {
		c := Condition{Field: field}
		if field == "" || strings.HasPrefix(field, ".") || strings.HasSuffix(field, ".") {
			p.errf(k, "match: %q is not a field name (dotted for nested fields, as in amountInfo.currency)", field)
			return
		}
		switch v.Kind {
		case yaml.ScalarNode:
			if v.Tag == "!!null" {
				p.errf(v, "match: %s needs a value to compare", field)
				return
			}
			if isGlob(v.Value) {
				c.Glob = p.glob(v, v.Value)
			} else {
				c.Exact = v.Value
			}
		case yaml.MappingNode:
			var set int
			p.mapping(v, "match."+field, matcherKeys, func(kind string, _, mv *yaml.Node) {
				set++
				s := p.str(mv, "match."+field+"."+kind)
				switch kind {
				case "exact":
					c.Exact = s
				case "glob":
					c.Glob = p.glob(mv, s)
				case "regex":
					re, err := regexp.Compile(s)
					if err != nil {
						p.errf(mv, "match: %s: bad regular expression: %v", field, err)
						return
					}
					c.Regex = re
				}
			})
			if set != 1 {
				p.errf(v, "match: %s takes one of exact, glob or regex", field)
				return
			}
		default:
			p.errf(v, "match: %s must be a string, a glob, or {regex: \"...\"}", field)
			return
		}
		out = append(out, c)
	})
	return out
}

func (p *parser) glob(n *yaml.Node, g string) string {
	if _, err := pathMatch(g); err != nil {
		p.errf(n, "bad glob %q: %v", g, err)
	}
	return g
}

func (p *parser) response(n *yaml.Node) (*Response, *yaml.Node) {
	r := &Response{Line: n.Line}
	var bodyNode, bodyKey, statusNode, faultNode *yaml.Node
	errsBefore := len(p.errs)
	ok := p.mapping(n, "a response", responseKeys, func(key string, k, v *yaml.Node) {
		switch key {
		case "status":
			statusNode = v
			s, err := strconv.Atoi(v.Value)
			if v.Kind != yaml.ScalarNode || v.Tag != "!!int" || err != nil || s < 200 || s > 599 {
				p.errf(v, "status must be an HTTP status code from 200 to 599, got %s", describe(v))
				return
			}
			r.Status = s
		case "body":
			bodyNode, bodyKey = v, k
			if v.Kind != yaml.MappingNode {
				p.errf(v, "body must be a mapping of response fields, as in {cancelStatus: TS02}")
				return
			}
			r.Body = p.value(v, "")
			if size := r.Body.MaxJSONBytes(); size > p.opts.MaxBodyBytes {
				p.errf(k, "the body can render to %d bytes of JSON, more than %d (the bound on an answer, scenarios.MaxBodyBytes): its text counts as written, each request field or fake text in a template as up to %d bytes (the template cap)",
					size, p.opts.MaxBodyBytes, p.opts.MaxTemplateBytes)
			}
		case "delay":
			r.Delay = p.delay(v)
		case "fault":
			faultNode = v
			p.fault(v, r)
		case "reachedKicc":
			if v.Kind != yaml.ScalarNode || v.Tag != "!!bool" {
				p.errf(v, "reachedKicc must be true or false")
				return
			}
			reached := v.Value == "true"
			r.Reached = &reached
		case "webhook":
			r.Webhook = p.webhook(v)
		}
	})
	if !ok {
		return nil, nil
	}
	if faultNode != nil && (bodyNode != nil || statusNode != nil) {
		p.errf(faultNode, "a fault response sends no status or body; drop one of them")
	}
	if bodyNode != nil && !carriesBody(r.Status) {
		p.errf(bodyKey, "status %d sends no body (HTTP has none after 204, 205 and 304); drop the body or choose another status", r.Status)
	}
	if len(p.errs) > errsBefore {
		return nil, bodyNode
	}
	return r, bodyNode
}

// fault reads a response's fault: a name (fault: reset), a name with its
// main parameter (fault: {hang: 5s}), or a name with parameters by name
// (fault: {reset: {afterBytes: 10}}). The names and parameters are the
// fault registry's.
func (p *parser) fault(n *yaml.Node, r *Response) {
	var nameNode, paramsNode *yaml.Node
	switch n.Kind {
	case yaml.ScalarNode:
		nameNode = n
	case yaml.MappingNode:
		if len(n.Content) != 2 {
			p.errf(n, "fault takes one fault, as in fault: reset or fault: {hang: 5s}")
			return
		}
		nameNode, paramsNode = n.Content[0], deref(n.Content[1])
	default:
		p.errf(n, "fault is a fault's name, as in fault: reset, or one with parameters, as in fault: {reset: {afterBytes: 10}}")
		return
	}
	name := p.str(nameNode, "fault")
	if name == "" {
		return
	}
	k, ok := fault.Lookup(name)
	if !ok {
		p.errf(nameNode, "unknown fault %q%s; known faults: %s", name, suggest(name, Faults), strings.Join(Faults, ", "))
		return
	}
	params := fault.Params{}
	switch {
	case paramsNode == nil:
	case paramsNode.Kind == yaml.ScalarNode:
		if len(k.Params) == 0 {
			p.errf(paramsNode, "fault %s takes no parameters", name)
			return
		}
		if !p.faultParam(paramsNode, k.Params[0], params) {
			return
		}
	case paramsNode.Kind == yaml.MappingNode:
		names := make([]string, len(k.Params))
		for i, prm := range k.Params {
			names[i] = prm.Name
		}
		bad := false
		p.mapping(paramsNode, "fault "+name, names, func(key string, _, v *yaml.Node) {
			prm, _ := k.Param(key)
			bad = !p.faultParam(v, prm, params) || bad
		})
		if bad {
			return
		}
	default:
		p.errf(paramsNode, "the parameters of fault %s are a value or a mapping, as in {%s: {...}}", name, name)
		return
	}
	impl, err := k.Build(params)
	if err != nil {
		p.errf(n, "%v", err)
		return
	}
	r.Fault, r.FaultParams, r.FaultImpl = name, params, impl
}

// faultParam reads one fault parameter's value into params.
func (p *parser) faultParam(v *yaml.Node, prm fault.Param, params fault.Params) bool {
	if v.Kind != yaml.ScalarNode {
		p.errf(v, "%s must be a %s", prm.Name, prm.Type)
		return false
	}
	switch prm.Type {
	case fault.Duration:
		d, err := time.ParseDuration(v.Value)
		if err != nil {
			p.errf(v, "%s must be a duration such as 5s, got %q", prm.Name, v.Value)
			return false
		}
		params[prm.Name] = d
	case fault.Int:
		n, err := strconv.ParseInt(v.Value, 10, 64)
		if err != nil || v.Tag != "!!int" {
			p.errf(v, "%s must be a whole number, got %q", prm.Name, v.Value)
			return false
		}
		params[prm.Name] = n
	}
	return true
}

// MaxWebhookDelay bounds a scripted webhook delay: long enough for "the
// webhook comes after the app gave up waiting", short enough for a test.
const MaxWebhookDelay = time.Hour

// webhook reads {drop: true}, {delay: 5s} or {fail: true, resCd: "2001"}.
func (p *parser) webhook(n *yaml.Node) *Webhook {
	w := &Webhook{}
	var resCd *yaml.Node
	p.mapping(n, "webhook", webhookKeys, func(key string, _, v *yaml.Node) {
		switch key {
		case "drop", "fail":
			if v.Kind != yaml.ScalarNode || v.Tag != "!!bool" {
				p.errf(v, "webhook %s must be true or false", key)
				return
			}
			if key == "drop" {
				w.Drop = v.Value == "true"
			} else {
				w.Fail = v.Value == "true"
			}
		case "resCd":
			resCd = v
			w.FailResCd = v.Value
			if v.Kind != yaml.ScalarNode || len(v.Value) != 4 || strings.Trim(v.Value, "0123456789") != "" || v.Value == "0000" {
				p.errf(v, "webhook resCd must be a 4-digit failure code such as \"2001\" (quote it)")
			}
		case "delay":
			w.Delay = p.duration(v)
			if w.Delay > MaxWebhookDelay {
				p.errf(v, "webhook delay %v is over the maximum of %v", w.Delay, MaxWebhookDelay)
			}
		}
	})
	switch {
	case resCd != nil && !w.Fail:
		p.errf(resCd, "webhook resCd goes with fail: true")
	case w.Fail && w.Drop:
		p.errf(n, "a webhook cannot both fail and be dropped")
	case w.Fail && w.FailResCd == "":
		w.FailResCd = "2001"
	}
	return w
}

func describe(n *yaml.Node) string {
	if n.Kind == yaml.ScalarNode {
		return strconv.Quote(n.Value)
	}
	return "a " + map[yaml.Kind]string{yaml.MappingNode: "mapping", yaml.SequenceNode: "list"}[n.Kind]
}

func (p *parser) delay(n *yaml.Node) Delay {
	var d Delay
	switch n.Kind {
	case yaml.ScalarNode:
		d.Min = p.duration(n)
		d.Max = d.Min
	case yaml.MappingNode:
		var minN, maxN *yaml.Node
		p.mapping(n, "delay", delayKeys, func(key string, _, v *yaml.Node) {
			if key == "min" {
				minN, d.Min = v, p.duration(v)
			} else {
				maxN, d.Max = v, p.duration(v)
			}
		})
		if minN == nil || maxN == nil {
			p.errf(n, "a delay range needs both min and max, as in {min: 1s, max: 5s}")
			return d
		}
		if d.Min > d.Max {
			p.errf(minN, "delay min %v is longer than max %v", d.Min, d.Max)
		}
		n = maxN
	default:
		p.errf(n, "delay must be a duration (3s) or a range {min: 1s, max: 5s}")
		return d
	}
	if d.Max > p.opts.MaxDelay {
		p.errf(n, "delay %v is over the maximum of %v (--max-delay); to hold the connection past the client's timeout use fault: hang", d.Max, p.opts.MaxDelay)
	}
	return d
}

func (p *parser) duration(n *yaml.Node) time.Duration {
	if n.Kind != yaml.ScalarNode {
		p.errf(n, "a delay is a duration such as 3s, 500ms or 1m30s")
		return 0
	}
	d, err := time.ParseDuration(n.Value)
	if err != nil {
		if _, numErr := strconv.ParseFloat(n.Value, 64); numErr == nil {
			p.errf(n, "delay %s needs a unit, as in %ss or %sms", n.Value, n.Value, n.Value)
		} else {
			p.errf(n, "delay %q is not a duration such as 3s, 500ms or 1m30s", n.Value)
		}
		return 0
	}
	if d < 0 {
		p.errf(n, "delay %v is negative", d)
		return 0
	}
	return d
}

// value converts a body node; key is the field name it sits under.
func (p *parser) value(n *yaml.Node, key string) *Value {
	n = deref(n)
	p.values++
	v := &Value{Line: n.Line}
	switch n.Kind {
	case yaml.MappingNode:
		v.Kind = KindObject
		p.mapping(n, "body", nil, func(k string, kn, c *yaml.Node) {
			if k == "<<" { // a quoted one: merge keys were resolved
				p.errf(kn, "a body field cannot be called \"<<\"; to merge an anchored mapping write <<: *name, without quotes")
				return
			}
			v.Fields = append(v.Fields, Field{k, p.value(c, k)})
		})
	case yaml.SequenceNode:
		v.Kind = KindList
		for _, c := range n.Content {
			v.Items = append(v.Items, p.value(c, ""))
		}
	case yaml.ScalarNode:
		p.scalar(n, key, v)
	}
	return v
}

func (p *parser) scalar(n *yaml.Node, key string, v *Value) {
	switch n.Tag {
	case "!!null":
		v.Kind = KindNull
		return
	case "!!bool":
		v.Kind = KindBool
		_ = n.Decode(&v.Bool)
		return
	case "!!int", "!!float":
		var f float64
		if err := n.Decode(&f); err == nil {
			v.Kind = KindNumber
			var i int64
			if n.Tag == "!!int" && n.Decode(&i) == nil {
				v.Text = strconv.FormatInt(i, 10)
			} else {
				v.Text = strconv.FormatFloat(f, 'f', -1, 64)
			}
			if _, ok := number(v.Text); ok {
				return
			}
		}
		p.errf(n, "%s: %q is not a JSON number", key, n.Value)
		return
	}
	v.Kind = KindString
	v.Text = n.Value
	t, err := parseTemplate(n.Value, p.opts.MaxTemplateBytes, p.fakes)
	if err != nil {
		p.errf(n, "%s: %v", key, err)
		return
	}
	v.Tmpl = t
	if NumericFields[key] {
		v.Numeric = true
		if t == nil {
			if _, ok := number(n.Value); !ok {
				p.errf(n, "%s is a number in KICC's answers; %q is not one", key, n.Value)
			}
		}
	}
}

// carriesBody reports whether an answer with HTTP status s may have a body:
// 204, 205 and 304 have none (RFC 9110), and Go's net/http refuses to write
// one.
func carriesBody(s int) bool {
	return s != http.StatusNoContent && s != http.StatusResetContent && s != http.StatusNotModified
}

// A pair is one key and value of a mapping, merge keys resolved.
type pair struct{ k, v *yaml.Node }

// pairs lists the keys and values of mapping n, aliases followed, with its
// merge keys (<<: *base, <<: [*a, *b]) resolved as YAML 1.1 has them: the
// merged keys take the place of the merge key, a key the mapping gives
// itself wins, and of several merged mappings the first to give a key wins.
// A merged mapping's own merge keys are resolved the same way. The meter has
// walked all of this, so it ends and stays within the bounds.
func (p *parser) pairs(n *yaml.Node) []pair {
	out := make([]pair, 0, len(n.Content)/2)
	var own map[string]bool // the keys n gives itself, once it merges
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := deref(n.Content[i])
		if isMerge(k) && own == nil {
			own = map[string]bool{}
		}
		out = append(out, pair{k, deref(n.Content[i+1])})
	}
	if own == nil {
		return out
	}
	for _, kv := range out {
		if !isMerge(kv.k) {
			own[kv.k.Value] = true
		}
	}
	direct := out
	out = make([]pair, 0, len(direct))
	merged := map[string]bool{}
	for _, kv := range direct {
		if !isMerge(kv.k) {
			out = append(out, kv)
			continue
		}
		for _, m := range p.mergeSources(kv.v) {
			for _, mkv := range p.pairs(m) {
				if key := mkv.k.Value; !own[key] && !merged[key] {
					merged[key] = true
					out = append(out, mkv)
				}
			}
		}
	}
	return out
}

// isMerge reports whether k is the merge key: << unquoted.
func isMerge(k *yaml.Node) bool { return k.Kind == yaml.ScalarNode && k.Tag == "!!merge" }

// mergeSources returns the mappings a merge key's value v names.
func (p *parser) mergeSources(v *yaml.Node) []*yaml.Node {
	const msg = "a merge key (<<) takes a mapping or a list of mappings, as in <<: *base or <<: [*a, *b]"
	switch v.Kind {
	case yaml.MappingNode:
		return []*yaml.Node{v}
	case yaml.SequenceNode:
		out := make([]*yaml.Node, 0, len(v.Content))
		for _, it := range v.Content {
			if it = deref(it); it.Kind != yaml.MappingNode {
				p.errf(it, msg)
				continue
			}
			out = append(out, it)
		}
		return out
	}
	p.errf(v, msg)
	return nil
}
