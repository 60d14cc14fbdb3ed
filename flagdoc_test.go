package main

import (
	"bytes"
	"flag"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kicc-mock/kicc-mock/fault"
	"github.com/kicc-mock/kicc-mock/lint"
)

var update = flag.Bool("update", false, "rewrite the generated tables of the docs (flags, faults)")

const configurationDoc = "docs/configuration.md"

// TestConfigurationTable keeps the flag table of docs/configuration.md the
// one newFlagSet defines, byte for byte. After changing a flag:
//
//	go test -run TestConfigurationTable -update .
func TestConfigurationTable(t *testing.T) {
	checkGenerated(t, configurationDoc, "flags", configurationTable(), "TestConfigurationTable")
}

// TestFaultTable keeps the fault table of docs/scenarios.md the fault
// registry's: adding a fault is adding its file, then
//
//	go test -run TestFaultTable -update .
func TestFaultTable(t *testing.T) {
	checkGenerated(t, "docs/scenarios.md", "faults", fault.Table(), "TestFaultTable")
}

// TestLintTable keeps the lint table of docs/codes.md the lint package's:
//
//	go test -run TestLintTable -update .
func TestLintTable(t *testing.T) {
	checkGenerated(t, "docs/codes.md", "lint", lint.Table(), "TestLintTable")
}

// checkGenerated holds the part of file between <!-- name:begin --> and
// <!-- name:end --> to want, or writes want there with -update.
func checkGenerated(t *testing.T, file, name, want, test string) {
	t.Helper()
	data, err := os.ReadFile(file)
	require.NoError(t, err)
	doc := string(data)
	beginMark, endMark := "<!-- "+name+":begin -->\n", "<!-- "+name+":end -->"
	begin := strings.Index(doc, beginMark)
	end := strings.Index(doc, endMark)
	require.True(t, begin >= 0 && end > begin, "%s needs the markers %q and %q, in that order", file, beginMark, endMark)
	begin += len(beginMark)
	if *update {
		doc = doc[:begin] + want + doc[end:]
		require.NoError(t, os.WriteFile(file, []byte(doc), 0o644))
		return
	}
	assert.Equal(t, want, doc[begin:end], "the %s table in %s is stale: go test -run %s -update .", name, file, test)
}

func TestConfigurationTableHasARowPerFlag(t *testing.T) {
	table := configurationTable()
	rows := strings.Split(strings.TrimSuffix(table, "\n"), "\n")
	docs := flagDocs()
	require.Len(t, rows, 2+len(docs), table)
	for i, d := range docs {
		assert.True(t, strings.HasPrefix(rows[2+i], "| `--"+d.name+"`"), rows[2+i])
		assert.Contains(t, rows[2+i], "| `"+d.env+"` |")
		assert.Equal(t, 5, strings.Count(strings.ReplaceAll(rows[2+i], `\|`, ""), "|"), "four cells: %s", rows[2+i])
	}
	assert.Contains(t, table, "| `--addr` host:port | `KICC_MOCK_ADDR` | `127.0.0.1:8080` |")
	assert.Contains(t, table, "| `--mall-ids` string | `KICC_MOCK_MALL_IDS` | (empty) |")
	assert.Contains(t, table, "Bearer &lt;token&gt;", "< and > are escaped, not taken for HTML")
}

// assertFullHelp checks a help text for every subcommand and every serve
// flag with its environment twin and default.
func assertFullHelp(t *testing.T, help string) {
	t.Helper()
	for _, cmd := range []string{"kicc-mock [serve] [flags]", "kicc-mock validate PATH...", "kicc-mock healthcheck", "kicc-mock version", "kicc-mock help",
		"kicc-mock record --upstream URL --out DIR", "kicc-mock drift --upstream URL", "kicc-mock trigger approval|cancel --to URL"} {
		assert.Contains(t, help, cmd)
	}
	for _, d := range flagDocs() {
		assert.Regexp(t, `(?m)^  --`+d.name+`( \S+)?  \(`+d.env+`, default `, help)
	}
	assert.Contains(t, help, `--max-delay duration  (KICC_MOCK_MAX_DELAY, default 30s)`)
	assert.Contains(t, help, `--addr host:port  (KICC_MOCK_ADDR, default "127.0.0.1:8080")`)
}

func TestServeHelpShowsCommandsFlagsAndTwins(t *testing.T) {
	for _, args := range [][]string{{"serve", "-h"}, {"serve", "--help"}, {"-h"}} {
		var stdout, stderr bytes.Buffer
		assert.Equal(t, 0, run(args, &stdout, &stderr), args)
		assertFullHelp(t, stderr.String())
	}
}

func TestHelpCommandShowsCommandsFlagsAndTwins(t *testing.T) {
	var stdout, stderr bytes.Buffer
	assert.Equal(t, 0, run([]string{"help"}, &stdout, &stderr))
	assertFullHelp(t, stdout.String())
	assert.Empty(t, stderr.String())
}

func TestABadFlagNamesItAndPrintsTheHelp(t *testing.T) {
	var stdout, stderr bytes.Buffer
	assert.Equal(t, 2, run([]string{"serve", "--no-such-flag"}, &stdout, &stderr))
	assert.Contains(t, stderr.String(), "flag provided but not defined: -no-such-flag")
	assert.Contains(t, stderr.String(), "KICC_MOCK_ADDR")
}

func TestHealthcheckHelp(t *testing.T) {
	var stdout, stderr bytes.Buffer
	assert.Equal(t, 0, run([]string{"healthcheck", "-h"}, &stdout, &stderr))
	assert.Contains(t, stderr.String(), "Usage: kicc-mock healthcheck")
}
