package scenarios

import (
	"fmt"
	"io"
	"os"
	"slices"

	"gopkg.in/yaml.v3"
)

// The bounds of a scenario file. Anyone who can POST to /__admin/scenarios
// or drop a file in --scenarios decides what the mock parses, and YAML lets
// a few hundred bytes stand for billions of nodes (anchors and aliases) or
// for a node that contains itself. Parse checks the bounds below in one walk
// over the YAML tree, aliases followed, that stops at the first bound
// passed, before anything is built from the tree, and reports it as
// "file:line: message". The built-in files have 26 to 116 nodes each (some
// 14 bytes of YAML a node), a handful of values per body, no anchors.

// MaxFileBytes bounds a scenario file before YAML reads it. yaml.v3 is
// linear: 256 KiB of the worst shapes we tried (flow lists of one-letter
// items, lines nested 9,000 deep) take it at most 0.2 s and 31 MiB.
const MaxFileBytes = 256 << 10

// MaxNodes bounds the nodes of a file (keys, values and list items), an
// alias counting as the nodes it stands for. 256 KiB of ordinary YAML holds
// about 19,000.
const MaxNodes = 50_000

// MaxAliasNodes bounds the nodes reached through aliases, merge keys
// included: a file may repeat anchored parts, not multiply them. Nine
// aliases of nine aliases of ... reach 9^7 nodes in 503 bytes.
const MaxAliasNodes = 10_000

// MaxAliasDepth bounds aliases within aliases: *b standing for a node that
// holds *a is depth 2, and so is a mapping merging one that merges another.
const MaxAliasDepth = 8

// MaxDepth bounds the nesting of mappings and lists from the top of the
// file. A response's body is the sixth level and KICC's answers are two
// levels deep, so a body has 26 levels to spare.
const MaxDepth = 32

// MaxBodyBytes is the default bound (Options.MaxBodyBytes) of the JSON a
// response's body can render to, computed at load: its text as written
// plus each template's longest output (Template.MaxJSONBytes; a request
// field or fake text counts as the template cap, 4 KiB by default). KICC's
// answers are under 1 KiB, and 64 KiB is the mock's request body limit too.
const MaxBodyBytes = 64 << 10

// readFile reads a scenario file, at most MaxFileBytes+1 bytes of it, so
// that Parse reports a larger one without the whole of it being read.
func readFile(name string) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, MaxFileBytes+1))
}

// meter is the walk that checks the bounds: it follows aliases as the
// parser will, counting what they stand for, without building anything.
type meter struct {
	p          *parser
	nodes      int          // nodes visited, aliases expanded
	aliasNodes int          // of which reached through an alias
	path       []*yaml.Node // the mappings and lists from the top to here
	aliases    []*yaml.Node // the aliases being expanded, outermost first
}

// walk visits n and what is under it; it reports the first bound passed
// (as an error of p) and returns false then.
func (m *meter) walk(n *yaml.Node) bool {
	m.nodes++
	if len(m.aliases) > 0 {
		m.aliasNodes++
	}
	switch {
	case m.aliasNodes > MaxAliasNodes:
		a := m.aliases[0]
		m.p.errf(a, "aliases expand to more than %d nodes (the bound on alias expansion, scenarios.MaxAliasNodes); *%s (anchor &%s at line %d) is where this file passes it: repeat anchored parts, do not multiply them",
			MaxAliasNodes, a.Value, a.Value, a.Alias.Line)
		return false
	case m.nodes > MaxNodes:
		m.p.errf(n, "the file has more than %d nodes (keys, values and list items, an alias counting as what it stands for; the bound on scenario size, scenarios.MaxNodes)", MaxNodes)
		return false
	}
	switch n.Kind {
	case yaml.AliasNode:
		return m.alias(n)
	case yaml.MappingNode, yaml.SequenceNode:
		if len(m.path) >= MaxDepth {
			m.p.errf(n, "mappings and lists nest more than %d levels deep here (the bound on nesting, scenarios.MaxDepth)", MaxDepth)
			return false
		}
		m.path = append(m.path, n)
		defer func() { m.path = m.path[:len(m.path)-1] }()
		fallthrough
	case yaml.DocumentNode:
		for _, c := range n.Content {
			if !m.walk(c) {
				return false
			}
		}
	}
	return true
}

func (m *meter) alias(n *yaml.Node) bool {
	target := n.Alias
	switch {
	case target == nil: // yaml.v3 reports an unknown anchor itself
		m.p.errf(n, "alias *%s refers to no anchor", n.Value)
		return false
	case slices.Contains(m.path, target):
		m.p.errf(n, "alias *%s refers to its own anchor &%s (line %d): recursive aliases are not allowed", n.Value, target.Anchor, target.Line)
		return false
	case len(m.aliases) >= MaxAliasDepth:
		m.p.errf(m.aliases[0], "aliases nest more than %d deep from *%s (the bound on alias depth, scenarios.MaxAliasDepth)", MaxAliasDepth, m.aliases[0].Value)
		return false
	}
	m.aliases = append(m.aliases, n)
	defer func() { m.aliases = m.aliases[:len(m.aliases)-1] }()
	return m.walk(target)
}

// fileTooLarge is the error for a file over MaxFileBytes.
func fileTooLarge(file string) ErrorList {
	return ErrorList{{File: file, Line: 1, Msg: fmt.Sprintf("the file is larger than %d KiB (the bound on a scenario file, scenarios.MaxFileBytes); split it", MaxFileBytes>>10)}}
}
