package scenarios

// Hostile scenario files, one test per attack: each asserts the file:line
// error and that the parser stopped early (the nodes it visited, the body
// values it built), never how long it took.

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// parseFile parses testdata/attacks/name and returns the parser, to look at
// what it did.
func parseFile(t *testing.T, name string) *parser {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "attacks", name))
	require.NoError(t, err)
	return parseText(name, string(data))
}

func parseText(file, src string) *parser {
	p := newParser(file, Options{})
	p.parse([]byte(src))
	return p
}

// theError returns the one error p found.
func theError(t *testing.T, p *parser) string {
	t.Helper()
	require.Len(t, p.errs, 1, "%v", p.errs)
	return p.errs[0].Error()
}

const head = "version: 1\nscenarios:\n  - name: a\n    responses:\n      - body:\n"

func TestAliasBombsAreRefusedBeforeTheyExpand(t *testing.T) {
	// A mapping bomb: each mapping holds the one before it eight times.
	keys := "abcdefgh"
	maps := head + "          a: &a {" + strings.Join(strings.Split(keys, ""), ": lol, ") + ": lol}\n"
	for i, n := range "bcdefg" {
		var fields []string
		for _, k := range keys {
			fields = append(fields, fmt.Sprintf("%c: *%c", k, keys[i]))
		}
		maps += fmt.Sprintf("          %c: &%c {%s}\n", n, n, strings.Join(fields, ", "))
	}
	// A merge bomb: one mapping merged 9 times into each of 7 levels.
	merges := head + "          a: &a {x: 1}\n"
	for i, n := range "bcdefgh" {
		merges += fmt.Sprintf("          %c: &%c {<<: [%s]}\n", n, n, strings.TrimSuffix(strings.Repeat("*"+string(rune("abcdefg"[i]))+", ", 9), ", "))
	}
	for _, tc := range []struct {
		name string
		p    *parser
		want string
	}{
		{"503 bytes: seven lines of nine aliases", parseFile(t, "alias-bomb-503.yaml"),
			"alias-bomb-503.yaml:12: aliases expand to more than 10000 nodes (the bound on alias expansion, scenarios.MaxAliasNodes); *d (anchor &d at line 11)"},
		{"615 bytes: eight lines of ten aliases", parseFile(t, "alias-bomb-615.yaml"),
			"alias-bomb-615.yaml:11: aliases expand to more than 10000 nodes"},
		{"mappings of aliases", parseText("maps.yaml", maps), "maps.yaml:9: aliases expand to more than 10000 nodes"},
		{"merge keys", parseText("merges.yaml", merges), "merges.yaml:10: aliases expand to more than 10000 nodes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.True(t, strings.HasPrefix(theError(t, tc.p), tc.want), theError(t, tc.p))
			assert.LessOrEqual(t, tc.p.meter.nodes, MaxAliasNodes+200, "the walk stops at the bound")
			assert.Zero(t, tc.p.values, "nothing was built")
		})
	}
}

func TestAliasesNestAtMostMaxAliasDepth(t *testing.T) {
	chain := func(n int) string {
		src := head + "          a0: &a0 {x: 1}\n"
		for i := 1; i <= n; i++ {
			src += fmt.Sprintf("          a%d: &a%d {x: *a%d}\n", i, i, i-1)
		}
		return src
	}
	p := parseText("chain.yaml", chain(MaxAliasDepth))
	assert.Empty(t, p.errs)
	p = parseText("chain.yaml", chain(MaxAliasDepth+1))
	assert.Equal(t, "chain.yaml:15: aliases nest more than 8 deep from *a8 (the bound on alias depth, scenarios.MaxAliasDepth)", theError(t, p))
	assert.Zero(t, p.values)
}

func TestRecursiveAliasesAreRefused(t *testing.T) {
	p := parseFile(t, "recursive-anchor.yaml")
	assert.Equal(t, "recursive-anchor.yaml:5: alias *b refers to its own anchor &b (line 5): recursive aliases are not allowed", theError(t, p))
	assert.Less(t, p.meter.nodes, 20, "the walk stops at the alias")
	assert.Zero(t, p.values)

	for name, src := range map[string]string{
		"through a list":    "version: 1\nscenarios:\n  - name: a\n    responses:\n      - body: &a\n          list: [x, {b: *a}]\n",
		"through a merge":   "version: 1\nscenarios:\n  - name: a\n    responses:\n      - body: &m {<<: *m, resMsg: x}\n",
		"the scenario list": "version: 1\nscenarios: &s [*s]\n",
	} {
		t.Run(name, func(t *testing.T) {
			assert.Contains(t, theError(t, parseText("r.yaml", src)), "recursive aliases are not allowed")
		})
	}
}

func TestNestingIsBounded(t *testing.T) {
	// A body is at level 6 (file, scenarios, scenario, responses, response,
	// body), so it can hold MaxDepth-6 levels more.
	nested := func(levels int) string {
		return "version: 1\nscenarios:\n  - name: a\n    responses:\n      - body: " +
			strings.Repeat("{a: ", levels+1) + "x" + strings.Repeat("}", levels+1) + "\n"
	}
	p := parseText("deep.yaml", nested(MaxDepth-6))
	assert.Empty(t, p.errs)
	p = parseText("deep.yaml", nested(MaxDepth-5))
	assert.Equal(t, "deep.yaml:5: mappings and lists nest more than 32 levels deep here (the bound on nesting, scenarios.MaxDepth)", theError(t, p))
	assert.Zero(t, p.values)

	// yaml.v3 itself refuses 10,000 levels, which our walk never sees.
	p = parseText("deeper.yaml", nested(20000))
	assert.Contains(t, theError(t, p), "deeper.yaml:5: not valid YAML: exceeded max depth of 10000")
}

func TestNodesAreBounded(t *testing.T) {
	src := head + "          list: [" + strings.Repeat("1,", MaxNodes) + "1]\n"
	require.Less(t, len(src), MaxFileBytes)
	p := parseText("wide.yaml", src)
	assert.Contains(t, theError(t, p), "wide.yaml:6: the file has more than 50000 nodes")
	assert.Equal(t, MaxNodes+1, p.meter.nodes)
	assert.Zero(t, p.values)
}

func TestFileSizeIsBounded(t *testing.T) {
	big := head + "          resMsg: \"" + strings.Repeat("x", MaxFileBytes) + "\"\n"
	p := parseText("big.yaml", big)
	assert.Equal(t, "big.yaml:1: the file is larger than 256 KiB (the bound on a scenario file, scenarios.MaxFileBytes); split it", theError(t, p))

	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "big.yaml"), []byte(big), 0o600))
	_, err := LoadPaths([]string{dir}, Options{})
	assert.ErrorContains(t, err, "big.yaml:1: the file is larger than 256 KiB")

	// A path that never ends is read up to the bound, not until memory runs out.
	if _, err := os.Stat("/dev/zero"); err == nil {
		_, err := LoadPaths([]string{"/dev/zero"}, Options{})
		assert.ErrorContains(t, err, "/dev/zero:1: the file is larger than 256 KiB")
	}
}

func TestMergeKeysMergeAsInYAML11(t *testing.T) {
	list, err := Parse("m.yaml", []byte(`version: 1
scenarios:
  - name: base
    endpoint: find-cancel
    responses:
      - &ok
        delay: 1s
        body: &amounts {cancelStatus: TS06, amountInfo: {currency: KRW, totAmount: 500}}
  - name: derived
    endpoint: find-cancel
    <<: {priority: 3, match: {mallId: T0000001}}
    responses:
      - <<: *ok
        delay: 2s
      - body:
          <<: [*amounts, {resMsg: merged, cancelStatus: TS01}]
          cancelStatus: TS02
      - body: {<<: {<<: *amounts, resMsg: nested}, resCd: "0000"}
`), Options{})
	require.NoError(t, err)
	require.Len(t, list, 2)
	d := list[1]
	assert.Equal(t, 3, d.Priority, "a scenario's keys merge too")
	assert.Equal(t, "T0000001", d.Match[0].Exact)
	require.Len(t, d.Responses, 3)
	assert.Equal(t, 2*time.Second, d.Responses[0].Delay.Min, "a key given explicitly wins")
	render := func(r *Response) string { return string(r.Body.RenderObject(&Env{}).AppendJSON(nil)) }
	assert.Equal(t, `{"cancelStatus":"TS06","amountInfo":{"currency":"KRW","totAmount":500}}`, render(d.Responses[0]))
	assert.Equal(t, `{"amountInfo":{"currency":"KRW","totAmount":500},"resMsg":"merged","cancelStatus":"TS02"}`, render(d.Responses[1]),
		"merged keys take the merge key's place; the mapping's own cancelStatus wins over both merged ones")
	assert.Equal(t, `{"cancelStatus":"TS06","amountInfo":{"currency":"KRW","totAmount":500},"resMsg":"nested","resCd":"0000"}`, render(d.Responses[2]),
		"a merged mapping's own merge key is resolved")
}

func TestMergeKeyMistakesAreReported(t *testing.T) {
	for _, tc := range []struct{ name, src, want string }{
		{"a scalar", head + "          <<: 5\n", "m.yaml:6: a merge key (<<) takes a mapping or a list of mappings"},
		{"a scalar in the list", head + "          x: &x {a: 1}\n          y: {<<: [*x, 5]}\n", "m.yaml:7: a merge key (<<) takes a mapping or a list of mappings"},
		{"a quoted <<", head + "          \"<<\": {resMsg: x}\n", `m.yaml:6: a body field cannot be called "<<"`},
		{"a status field of the other inquiry, merged", "version: 1\nscenarios:\n  - name: a\n    endpoint: find-payment\n    responses:\n      - body: {<<: {cancelStatus: TS02}}\n",
			"m.yaml:6: cancelStatus is the cancel inquiry's field"},
		{"an unknown key, merged", "version: 1\nscenarios:\n  - name: a\n    responses:\n      - <<: {stauts: 500}\n",
			`m.yaml:5: unknown key "stauts" in a response (did you mean "status"?)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.True(t, strings.HasPrefix(theError(t, parseText("m.yaml", tc.src)), tc.want), theError(t, parseText("m.yaml", tc.src)))
		})
	}
}

func TestStatusesWithoutABodyRefuseOne(t *testing.T) {
	for _, status := range []int{204, 205, 304} {
		src := fmt.Sprintf("version: 1\nscenarios:\n  - name: a\n    responses:\n      - status: %d\n        body: {resMsg: x}\n", status)
		assert.Equal(t, fmt.Sprintf("s.yaml:6: status %d sends no body (HTTP has none after 204, 205 and 304); drop the body or choose another status", status),
			theError(t, parseText("s.yaml", src)))
		p := parseText("s.yaml", fmt.Sprintf("version: 1\nscenarios:\n  - name: a\n    responses:\n      - status: %d\n", status))
		assert.Empty(t, p.errs, "without a body it is fine")
	}
	p := parseText("s.yaml", "version: 1\nscenarios:\n  - name: a\n    responses:\n      - status: 503\n        body: {resMsg: x}\n")
	assert.Empty(t, p.errs)
}
