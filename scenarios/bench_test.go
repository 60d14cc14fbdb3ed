package scenarios_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/kicc-mock/kicc-mock/scenarios"
)

// hundredRules is 100 runtime scenarios, each matching one merchant, the
// shape of a QA suite that scripts many merchants.
func hundredRules(b *testing.B) *scenarios.Set {
	var sb strings.Builder
	sb.WriteString("version: 1\nscenarios:\n")
	for i := 0; i < 100; i++ {
		fmt.Fprintf(&sb, "  - name: merchant-%03d\n    endpoint: find-cancel\n    match: {mallId: \"T0%06d\", pgCno: {glob: \"25*\"}}\n    priority: %d\n    responses:\n      - body: {cancelStatus: TS06}\n", i, i, i%7)
	}
	list, err := scenarios.Parse("bench.yaml", []byte(sb.String()), scenarios.Options{Source: scenarios.SourceRuntime})
	if err != nil {
		b.Fatal(err)
	}
	builtins, err := scenarios.Builtins()
	if err != nil {
		b.Fatal(err)
	}
	return scenarios.NewSet(builtins, list)
}

// BenchmarkSelect100Rules: selection with 100 rule scenarios loaded, for a
// request that matches none of them (the worst case: every rule is tried)
// and for one that matches.
func BenchmarkSelect100Rules(b *testing.B) {
	set := hundredRules(b)
	miss := scenarios.MapFields{"mallId": "T9999999", "pgCno": "25010112000010123456"}
	hit := scenarios.MapFields{"mallId": "T0000050", "pgCno": "25010112000010123456"}
	b.Run("no-match", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if set.Select(scenarios.FindCancel, "25010112300010123470", miss) != nil {
				b.Fatal("matched")
			}
		}
	})
	b.Run("match", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if set.Select(scenarios.FindCancel, "25010112300010123470", hit) == nil {
				b.Fatal("no match")
			}
		}
	})
	b.Run("magic-id", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if set.Select(scenarios.FindCancel, "mock-cancel-partial-17", miss) == nil {
				b.Fatal("no match")
			}
		}
	})
}
