package scenarios_test

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/brianvoe/gofakeit/v6"

	"github.com/kicc-mock/kicc-mock/scenarios"
)

var errLine = regexp.MustCompile(`^f\.yaml:[1-9][0-9]*: `)

// FuzzParse: any file either loads or fails with an ErrorList whose every
// line is "f.yaml:<line>: message"; it never panics, and never stalls or
// balloons (the seed corpus holds alias bombs, recursive anchors and merge
// keys). What loads is within the bounds: at most MaxNodes body values, no
// body on a status that has none, every body's bound (MaxJSONBytes) at most
// MaxBodyBytes, and every body renders — for an ordinary request and for a
// hostile one — to valid JSON within its bound and without a "<<" key.
//
//	go test ./scenarios -run '^$' -fuzz '^FuzzParse$' -fuzztime 10m
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"version: 1\nscenarios:\n  - name: a\n    endpoint: find-cancel\n    responses:\n      - body: {cancelStatus: TS06}\n",
		"version: 1\nscenarios:\n  - name: seq\n    sequenceKey: cancelPgCno\n    match: {mallId: \"T00*\", pgCno: {regex: \"^1\"}}\n    responses:\n      - delay: {min: 1s, max: 2s}\n        status: 503\n      - fault: reset\n",
		"version: 1\nscenarios:\n  - name: t\n    responses:\n      - body: {resCd: \"2001\", resDetailMsg: '{{urlencode \"오류\"}}', pgCno: '{{request.pgCno}}', amountInfo: {amount: '{{fake \"number:1,9\"}}'}}\n",
		"version: 2\n", "", "{", "scenarios: &a [*a]\n", "version: 1\nscenarios:\n  - name: x\n    responses: []\n    bogus: 1\n",
		"[1, 2]", "version: 1\nscenarios:\n  - name: d\n    responses:\n      - delay: 31s\n",
		"version: 1\nscenarios:\n  - name: m\n    responses:\n      - body: &b {resMsg: x, amountInfo: {amount: 5}}\n      - body: {<<: [*b, {resCd: \"0000\"}], resMsg: y}\n",
	} {
		f.Add([]byte(s))
	}
	hostile := scenarios.MapFields{}
	for _, k := range []string{"pgCno", "cancelPgCno", "mallId", "shopTransactionId", "amount", "x"} {
		hostile[k] = strings.Repeat("<\x01\"\u2028\xff가", 1000)
	}
	envs := []*scenarios.Env{
		{Now: time.Unix(1764000000, 0), NewID: func() string { return "25112512000010000001" }, Faker: gofakeit.New(1)},
		{Request: hostile, Now: time.Date(-99999, 1, 1, 0, 0, 0, 0, time.UTC), NewID: func() string { return strings.Repeat("&", 100) }, Faker: gofakeit.New(2)},
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		list, err := scenarios.Parse("f.yaml", data, scenarios.Options{MaxDelay: 30 * time.Second})
		if err != nil {
			el, ok := err.(scenarios.ErrorList)
			if !ok || len(el) == 0 {
				t.Fatalf("error is %T, not a non-empty ErrorList: %v", err, err)
			}
			for _, e := range el {
				if !errLine.MatchString(e.Error()) {
					t.Fatalf("error without a position: %q", e.Error())
				}
			}
			return
		}
		if len(data) > scenarios.MaxFileBytes {
			t.Fatalf("a file of %d bytes loaded", len(data))
		}
		nodes := 0
		for _, sc := range list {
			for i, r := range sc.Responses {
				if r.Body == nil {
					continue
				}
				if s := r.HTTPStatus(); s == 204 || s == 205 || s == 304 {
					t.Fatalf("%s response %d: status %d with a body", sc.Name, i, s)
				}
				nodes += r.Body.Nodes()
				bound := r.Body.MaxJSONBytes()
				if bound > scenarios.MaxBodyBytes {
					t.Fatalf("%s response %d: a body of up to %d bytes loaded", sc.Name, i, bound)
				}
				for _, env := range envs {
					out := sc.Response(i).Body.RenderObject(env)
					js := out.AppendJSON(nil)
					if len(js) > bound || !json.Valid(js) {
						t.Fatalf("%s response %d: rendered %d bytes (bound %d), valid JSON %v", sc.Name, i, len(js), bound, json.Valid(js))
					}
					if hasMergeKey(out) {
						t.Fatalf("%s response %d: a literal \"<<\" field in %s", sc.Name, i, js)
					}
				}
			}
		}
		if nodes > scenarios.MaxNodes {
			t.Fatalf("%d body values loaded", nodes)
		}
	})
}

// hasMergeKey reports whether a rendered value holds a "<<" key anywhere.
func hasMergeKey(v any) bool {
	switch v := v.(type) {
	case scenarios.Object:
		for _, m := range v {
			if m.Key == "<<" || hasMergeKey(m.Value) {
				return true
			}
		}
	case []any:
		for _, e := range v {
			if hasMergeKey(e) {
				return true
			}
		}
	}
	return false
}

// fields serves one request field to templates.
type fields map[string]string

func (f fields) Field(name string) (string, bool) { v, ok := f[name]; return v, ok }

// FuzzTemplate: a template either fails to parse with an error, or renders
// without panicking to at most MaxTemplateOutput bytes, and within its
// MaxJSONBytes as JSON, valid UTF-8 when its inputs are.
//
//	go test ./scenarios -run '^$' -fuzz '^FuzzTemplate$' -fuzztime 10m
func FuzzTemplate(f *testing.F) {
	for _, s := range []struct{ tmpl, field string }{
		{`{{request.pgCno}}`, "25010112000010123456"},
		{`x{{now}}-{{today}}-{{newId}}y`, ""},
		{`{{fake "firstname"}} {{fake "number:1000,50000"}}`, ""},
		{`{{urlencode "시스템 오류"}}`, ""},
		{`{{fake "sentence:100000"}}`, ""},
		{`{{request.pgCno}}{{request.pgCno}}`, "가나다라마바사"},
		{`{{`, ""}, {`{{nope}}`, ""}, {`{{fake "nope"}}`, ""}, {`{{fake ""}}`, ""},
	} {
		f.Add(s.tmpl, s.field)
	}
	f.Fuzz(func(t *testing.T, tmpl, field string) {
		tp, err := scenarios.ParseTemplate(tmpl)
		if err != nil || tp == nil {
			return
		}
		env := &scenarios.Env{Request: fields{"pgCno": field}, Now: time.Unix(1764000000, 0),
			NewID: func() string { return "25112512000010000001" }, Faker: gofakeit.New(7)}
		out := tp.Render(env)
		if len(out) > scenarios.MaxTemplateOutput {
			t.Fatalf("rendered %d bytes, more than %d", len(out), scenarios.MaxTemplateOutput)
		}
		if j, _ := json.Marshal(out); len(j) > tp.MaxJSONBytes() {
			t.Fatalf("rendered %d bytes of JSON, more than its bound %d", len(j), tp.MaxJSONBytes())
		}
		if utf8.ValidString(tmpl) && utf8.ValidString(field) && !utf8.ValidString(out) {
			t.Fatalf("valid UTF-8 in, invalid out: %q", out)
		}
	})
}
