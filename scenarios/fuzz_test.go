package scenarios_test

import (
	"encoding/json"
	"regexp"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/brianvoe/gofakeit/v6"

	"github.com/kicc-mock/kicc-mock/scenarios"
)

var errLine = regexp.MustCompile(`^f\.yaml:[1-9][0-9]*: `)

// FuzzParse: any file either loads or fails with an ErrorList whose every
// line is "f.yaml:<line>: message"; it never panics. What loads renders
// without panicking.
//
//	go test ./scenarios -run '^$' -fuzz '^FuzzParse$' -fuzztime 10m
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"version: 1\nscenarios:\n  - name: a\n    endpoint: find-cancel\n    responses:\n      - body: {cancelStatus: TS06}\n",
		"version: 1\nscenarios:\n  - name: seq\n    sequenceKey: cancelPgCno\n    match: {mallId: \"T00*\", pgCno: {regex: \"^1\"}}\n    responses:\n      - delay: {min: 1s, max: 2s}\n        status: 503\n      - fault: reset\n",
		"version: 1\nscenarios:\n  - name: t\n    responses:\n      - body: {resCd: \"2001\", resDetailMsg: '{{urlencode \"오류\"}}', pgCno: '{{request.pgCno}}', amountInfo: {amount: '{{fake \"number:1,9\"}}'}}\n",
		"version: 2\n", "", "{", "scenarios: &a [*a]\n", "version: 1\nscenarios:\n  - name: x\n    responses: []\n    bogus: 1\n",
		"[1, 2]", "version: 1\nscenarios:\n  - name: d\n    responses:\n      - delay: 31s\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 64<<10 {
			return
		}
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
		env := &scenarios.Env{Now: time.Unix(1764000000, 0), NewID: func() string { return "25112512000010000001" }, Faker: gofakeit.New(1)}
		for _, sc := range list {
			for i := range sc.Responses {
				sc.Response(i).Body.RenderObject(env).AppendJSON(nil)
			}
		}
	})
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
