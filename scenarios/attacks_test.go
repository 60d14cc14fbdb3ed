package scenarios

// Hostile scenario files, one test per attack: each asserts the file:line
// error and that the parser stopped early (the nodes it visited, the body
// values it built, the gofakeit calls it ran), never how long it took.

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/brianvoe/gofakeit/v6"
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

func TestBodySizeIsBoundedAtLoad(t *testing.T) {
	fields := func(n int, value string) string {
		src := head
		for i := range n {
			src += fmt.Sprintf("          f%03d: %s\n", i, value)
		}
		return src
	}
	p := parseText("b.yaml", head+"          resMsg: "+strings.Repeat("x", MaxBodyBytes)+"\n")
	assert.True(t, strings.HasPrefix(theError(t, p), "b.yaml:5: the body can render to 65549 bytes of JSON, more than 65536 (the bound on an answer, scenarios.MaxBodyBytes)"), theError(t, p))

	// Each request field counts as the template cap, 4 KiB.
	assert.Empty(t, parseText("b.yaml", fields(15, "'{{request.pgCno}}'")).errs)
	assert.Contains(t, theError(t, parseText("b.yaml", fields(16, "'{{request.pgCno}}'"))), "b.yaml:5: the body can render to 65697 bytes")
	// Numbers, dates and ids count as their longest.
	p = parseText("b.yaml", fields(800, `'{{fake "number:1,9"}}-{{now}}-{{newId}}'`))
	assert.Empty(t, p.errs)
	assert.Equal(t, 801, p.values)

	// The bound and the cap are options.
	p = newParser("b.yaml", Options{MaxBodyBytes: 100})
	p.parse([]byte(fields(10, "xxxxxxxxx")))
	assert.Contains(t, theError(t, p), "more than 100")
}

func TestTheBodyBoundHoldsForHostileRequests(t *testing.T) {
	list, err := Parse("h.yaml", []byte(head+`          pgCno: '{{request.pgCno}}{{request.pgCno}}'
          resMsg: '<{{request.x}}>&{{fake "password"}}'
          amountInfo: {amount: '{{request.amount}}'}
          list: ["\u0001", '{{now}}{{today}}{{newId}}']
`), Options{MaxTemplateBytes: 100})
	require.NoError(t, err)
	body := list[0].Responses[0].Body
	hostile := MapFields{"pgCno": strings.Repeat("<\x01\"\u2028", 100), "x": strings.Repeat("\xff", 1000), "amount": strings.Repeat("9", 1000)}
	env := &Env{Request: hostile, Now: time.Date(99999, 1, 1, 0, 0, 0, 0, time.UTC), Faker: gofakeit.New(3),
		NewID: func() string { return strings.Repeat("&", 1000) }}
	out := body.RenderObject(env).AppendJSON(nil)
	assert.LessOrEqual(t, len(out), body.MaxJSONBytes())
	assert.Greater(t, len(out), 300, "the request fields made it in")
}

func TestBinaryFakeDataIsRefused(t *testing.T) {
	for _, fn := range []string{"imagejpeg", "imagepng", "svg", "imagejpeg:10,10", "svg:10,10,circle", "csv", "json", "xml"} {
		p := parseText("f.yaml", head+`          resMsg: '{{fake "`+fn+`"}}'`+"\n")
		name, _, _ := strings.Cut(fn, ":")
		assert.Contains(t, theError(t, p), `f.yaml:6: resMsg: template {{fake "`+fn+`"}}: gofakeit "`+name+`" makes a file (`, fn)
		assert.Zero(t, p.fakes.tried, "refused before it ran")
	}
	assert.Empty(t, parseText("f.yaml", head+`          resMsg: '{{fake "imageurl"}}'`+"\n").errs, "an image's URL is text")

	// The hostile file: 200 JPEGs of gofakeit's default 500x500, 13 s to load
	// and to answer before.
	p := parseFile(t, "imagejpeg-200.yaml")
	require.Len(t, p.errs, 200)
	assert.Contains(t, p.errs[0].Error(), `imagejpeg-200.yaml:7: f000: template {{fake "imagejpeg"}}: gofakeit "imagejpeg" makes a file (image/jpeg), not text`)
	assert.Zero(t, p.fakes.tried)
}

func TestFakeWorkCountsGofakeitsDefaults(t *testing.T) {
	info := &gofakeit.Info{Params: []gofakeit.Param{{Field: "count", Type: "int", Default: "100000"}, {Field: "min", Type: "int", Default: "99999999"}}}
	_, err := fakeWork("thing", "thing", info, nil)
	assert.EqualError(t, err, `gofakeit "thing": counts and lengths are at most 1000 (count=100000 is gofakeit's default)`)
	info.Params[0].Default = "200"
	info.Params = append(info.Params, gofakeit.Param{Field: "size", Type: "uint", Default: "100"})
	_, err = fakeWork("thing", "thing", info, nil)
	assert.EqualError(t, err, `gofakeit "thing": the counts multiply to more than 10000 (size=100 is gofakeit's default)`)
	mp := gofakeit.NewMapParams()
	mp.Add("size", "3")
	work, err := fakeWork("thing", "thing", info, mp)
	assert.NoError(t, err)
	assert.Equal(t, 600, work, "a given count replaces the default; min is no count")
}

func TestGofakeitMistakesAreLoadErrors(t *testing.T) {
	for spec, want := range map[string]string{
		"sentence:1000":                          `gofakeit "sentence:1000": invalid word count, must be greater than 0, less than 50`,
		"email_text:x":                           `gofakeit "email_text:x": email_text takes no parameters`,
		"number:1,2,3":                           `gofakeit "number:1,2,3": 3 parameters, but number takes at most 2 (min, max)`,
		"password:true,true,true,true,true,5000": `counts and lengths are at most 1000`,
	} {
		assert.Contains(t, theError(t, parseText("f.yaml", head+`          resMsg: '{{fake "`+spec+`"}}'`+"\n")), want, spec)
	}
}

func TestEachGofakeitCallRunsOnceAtLoad(t *testing.T) {
	src := head + "          a: &t '{{fake \"email_text\"}}'\n"
	for i := range 5 {
		src += fmt.Sprintf("          b%d: *t\n          c%d: 'x {{fake \"email_text\"}}'\n", i, i)
	}
	p := parseText("f.yaml", src)
	assert.Empty(t, p.errs)
	assert.Equal(t, 1, p.fakes.tried)

	// Distinct calls add up against MaxFakeWorkPerFile: dice:100,100 is
	// 10,000 (100 dice of 100 sides).
	src = head
	for i := range 11 {
		src += fmt.Sprintf("          d%d: '{{fake \"dice:100,%d\"}}'\n", i, 100-i)
	}
	p = parseText("f.yaml", src)
	assert.Contains(t, theError(t, p), `f.yaml:16: d10: template {{fake "dice:100,90"}}: gofakeit "dice:100,90": this file's fake data would take more than 100000 units of work to check`)
	assert.Equal(t, 10, p.fakes.tried)
}
