package record

import (
	"bytes"
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/kicc-mock/kicc-mock/scenarios"
)

// Priority is the priority of recorded scenarios: above hand-written match
// rules at the default 0, so a replay answers as the upstream did.
const Priority = 100

// render writes rec as a scenario file (version 1).
func render(rec *recording, upstream string) ([]byte, error) {
	var ids []string
	match := mapping()
	for _, c := range rec.match {
		ids = append(ids, c.field+"="+c.value)
		exact := mapping()
		add(exact, "exact", str(c.value))
		add(match, c.field, exact)
	}
	sc := mapping()
	add(sc, "name", plain(rec.name))
	add(sc, "description", str(fmt.Sprintf("%s recorded from %s: %s", rec.endpoint, upstream, strings.Join(ids, ", "))))
	add(sc, "endpoint", plain(string(rec.endpoint)))
	add(sc, "match", match)
	add(sc, "priority", &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: fmt.Sprint(Priority)})
	list := &yaml.Node{Kind: yaml.SequenceNode}
	for _, r := range rec.responses {
		list.Content = append(list.Content, responseNode(r))
	}
	add(sc, "responses", list)
	file := mapping()
	file.HeadComment = "Recorded by kicc-mock record. Replay: kicc-mock --scenarios DIR"
	add(file, "version", &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: fmt.Sprint(scenarios.Version)})
	add(file, "scenarios", &yaml.Node{Kind: yaml.SequenceNode, Content: []*yaml.Node{sc}})
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(&yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{file}}); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func responseNode(r response) *yaml.Node {
	n := mapping()
	if len(r.notes) > 0 {
		n.HeadComment = strings.Join(r.notes, "\n")
	}
	if r.fault != "" {
		add(n, "fault", plain(r.fault))
		return n
	}
	add(n, "status", &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: fmt.Sprint(r.status)})
	if r.delay > 0 {
		add(n, "delay", plain(r.delay.String()))
	}
	if r.body != nil {
		add(n, "body", valueNode(r.body))
	}
	return n
}

func valueNode(v *ordered) *yaml.Node {
	switch v.kind {
	case kString:
		return str(v.text)
	case kNumber:
		tag := "!!int"
		if strings.ContainsAny(v.text, ".eE") {
			tag = "!!float"
		}
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: v.text}
	case kBool:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: fmt.Sprint(v.b)}
	case kObject:
		n := mapping()
		for _, f := range v.fields {
			add(n, f.key, valueNode(f.val))
		}
		return n
	case kList:
		n := &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
		for _, it := range v.items {
			n.Content = append(n.Content, valueNode(it))
		}
		return n
	}
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null"}
}

func mapping() *yaml.Node { return &yaml.Node{Kind: yaml.MappingNode} }

func add(m *yaml.Node, key string, v *yaml.Node) {
	m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key}, v)
}

// str is a string written in double quotes, so that "0000" or "TS01" never
// reads back as anything but text.
func str(s string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s, Style: yaml.DoubleQuotedStyle}
}

// plain is a string the encoder quotes only when YAML needs it.
func plain(s string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s} }
