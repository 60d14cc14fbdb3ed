package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDocLinks keeps the documentation navigable: every relative link in the
// README, DEVELOPMENT.md, BENCHMARKS.md and docs/*.md points at a file or
// directory that exists and, when it names an anchor, at a heading of that
// file.
func TestDocLinks(t *testing.T) {
	files := []string{"README.md", "DEVELOPMENT.md", "BENCHMARKS.md"}
	docs, err := filepath.Glob("docs/*.md")
	require.NoError(t, err)
	require.NotEmpty(t, docs)
	files = append(files, docs...)
	for _, f := range files {
		problems, err := brokenLinks(f)
		require.NoError(t, err)
		for _, p := range problems {
			t.Error(p)
		}
	}
}

func TestBrokenLinksFindsMissingFilesAndAnchors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644))
	}
	write("b.md", "# Title\n\n## Keep state: `--data-dir`\n\n## Twice\n\n## Twice\n")
	write("a.md", strings.Join([]string{
		"[ok](b.md) [ok](b.md#keep-state---data-dir) [ok](b.md#twice-1) [ok](#here) [web](https://example.com/x)",
		"[gone](c.md) [bad anchor](b.md#nowhere) [bad local](#nowhere)",
		"```", "[in code](ignored.md)", "```",
		"`[in a span](ignored.md)`",
		"## Here",
	}, "\n"))
	problems, err := brokenLinks(filepath.Join(dir, "a.md"))
	require.NoError(t, err)
	if assert.Len(t, problems, 3, "%q", problems) {
		assert.Contains(t, problems[0], "c.md")
		assert.Contains(t, problems[1], "b.md#nowhere")
		assert.Contains(t, problems[2], "#nowhere")
	}
}

var (
	mdLink     = regexp.MustCompile(`\[[^\]]*\]\(([^)\s]+)\)`)
	codeSpan   = regexp.MustCompile("`[^`]*`")
	mdHeading  = regexp.MustCompile(`^#{1,6}\s+(.*?)\s*#*\s*$`)
	htmlAnchor = regexp.MustCompile(`<a\s+(?:id|name)="([^"]+)"`)
)

// brokenLinks lists the relative links of one markdown file whose target
// file or anchor does not exist. Links in code blocks and code spans are
// text, not links.
func brokenLinks(file string) ([]string, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var problems []string
	for _, l := range proseLines(string(data)) {
		n := l.n
		for _, m := range mdLink.FindAllStringSubmatch(codeSpan.ReplaceAllString(l.text, ""), -1) {
			target := m[1]
			if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
				continue
			}
			path, anchor, _ := strings.Cut(target, "#")
			dest := file
			if path != "" {
				dest = filepath.Join(filepath.Dir(file), path)
				if _, err := os.Stat(dest); err != nil {
					problems = append(problems, fmt.Sprintf("%s:%d: %s: no such file", file, n, target))
					continue
				}
			}
			if anchor == "" {
				continue
			}
			anchors, err := markdownAnchors(dest)
			if err != nil {
				return nil, err
			}
			if !anchors[anchor] {
				problems = append(problems, fmt.Sprintf("%s:%d: %s: no heading with that anchor", file, n, target))
			}
		}
	}
	return problems, nil
}

type proseLine struct {
	n    int // 1-based
	text string
}

// proseLines lists the lines outside fenced code blocks, in order.
func proseLines(text string) []proseLine {
	var out []proseLine
	fenced := false
	for i, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			fenced = !fenced
			continue
		}
		if !fenced {
			out = append(out, proseLine{i + 1, line})
		}
	}
	return out
}

// markdownAnchors is the set of anchors GitHub gives a file's headings
// (lower case, punctuation but - and _ dropped, spaces as -, a repeated one
// suffixed -1, -2, ...) plus explicit <a id> anchors.
func markdownAnchors(file string) (map[string]bool, error) {
	anchors := map[string]bool{}
	if !strings.HasSuffix(file, ".md") {
		return anchors, nil
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	seen := map[string]int{}
	for _, l := range proseLines(string(data)) {
		for _, m := range htmlAnchor.FindAllStringSubmatch(l.text, -1) {
			anchors[m[1]] = true
		}
		m := mdHeading.FindStringSubmatch(l.text)
		if m == nil {
			continue
		}
		// Numbered in file order, as GitHub numbers repeated headings.
		slug := headingSlug(m[1])
		if k := seen[slug]; k > 0 {
			anchors[fmt.Sprintf("%s-%d", slug, k)] = true
		} else {
			anchors[slug] = true
		}
		seen[slug]++
	}
	return anchors, nil
}

func headingSlug(heading string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(heading) {
		switch {
		case r == ' ':
			b.WriteByte('-')
		case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsMark(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		}
	}
	return b.String()
}
