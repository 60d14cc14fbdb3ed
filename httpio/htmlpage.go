package httpio

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// PageHeaders are the security headers of one of the mock's HTML pages (the
// payment page, the dashboard): the browser runs and styles nothing but
// the page's own inline <script> and <style> blocks, allowed by their
// SHA-256 hashes, submits forms only to the mock, and shows the page in no
// frame. A hash rather than a nonce keeps the page free of per-request
// randomness and the policy computable once, from the template.
type PageHeaders struct {
	csp  string
	dirs [][]string // the policy's directives, each its name and its sources
}

// NewPageHeaders builds the headers of a page from renderings of it: every
// inline <script> and <style> block in them is allowed by its hash. Hash
// the page as rendered, not its template: html/template drops comments
// inside scripts and styles. The blocks' text must not change with the
// data, so a page passes values to its script in data-* attributes (the
// hash covers only the text between the tags), and a test of the page
// checks every rendering against the policy.
func NewPageHeaders(renderings ...string) (*PageHeaders, error) {
	var scripts, styles []string
	for _, page := range renderings {
		sc, err := inlineHashes(page, "script")
		if err != nil {
			return nil, err
		}
		st, err := inlineHashes(page, "style")
		if err != nil {
			return nil, err
		}
		scripts, styles = appendNew(scripts, sc), appendNew(styles, st)
	}
	dirs := [][]string{{"default-src", "'none'"}}
	if len(scripts) > 0 {
		dirs = append(dirs, append([]string{"script-src"}, scripts...))
	}
	if len(styles) > 0 {
		dirs = append(dirs, append([]string{"style-src"}, styles...))
	}
	dirs = append(dirs, []string{"form-action", "'self'"}, []string{"frame-ancestors", "'none'"}, []string{"base-uri", "'none'"})
	return newPageHeaders(dirs), nil
}

func newPageHeaders(dirs [][]string) *PageHeaders {
	parts := make([]string, len(dirs))
	for i, d := range dirs {
		parts[i] = strings.Join(d, " ")
	}
	return &PageHeaders{csp: strings.Join(parts, "; "), dirs: dirs}
}

// AllowSelf returns headers that also let the page load what the given
// fetch directives (script-src, style-src, connect-src...) name from the
// mock itself: a page whose script is a file the mock serves beside it,
// and that calls the mock's API, rather than inline blocks.
func (p *PageHeaders) AllowSelf(directives ...string) *PageHeaders {
	dirs := make([][]string, 0, len(p.dirs)+len(directives))
	for _, d := range p.dirs {
		dirs = append(dirs, slices.Clone(d))
	}
	for _, name := range directives {
		i := slices.IndexFunc(dirs, func(d []string) bool { return d[0] == name })
		switch {
		case i >= 0 && !slices.Contains(dirs[i][1:], "'self'"):
			dirs[i] = append(dirs[i], "'self'")
		case i < 0:
			// Fetch directives go before the navigation ones, as
			// NewPageHeaders orders them.
			at := slices.IndexFunc(dirs, func(d []string) bool { return d[0] == "form-action" })
			if at < 0 {
				at = len(dirs)
			}
			dirs = slices.Insert(dirs, at, []string{name, "'self'"})
		}
	}
	return newPageHeaders(dirs)
}

// MustPageHeaders is NewPageHeaders for a page built into the binary: an
// error there is the program's, found by its first test.
func MustPageHeaders(renderings ...string) *PageHeaders {
	p, err := NewPageHeaders(renderings...)
	if err != nil {
		panic(err)
	}
	return p
}

func appendNew(to, from []string) []string {
	for _, s := range from {
		if !slices.Contains(to, s) {
			to = append(to, s)
		}
	}
	return to
}

// CSP is the Content-Security-Policy.
func (p *PageHeaders) CSP() string { return p.csp }

// Set puts the headers on an answer.
func (p *PageHeaders) Set(h http.Header) {
	h.Set("Content-Security-Policy", p.csp)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	// The page's links carry ids (a pgCno in the path): none of it leaves
	// for another site.
	h.Set("Referrer-Policy", "same-origin")
}

// inlineHashes is the CSP source of every non-empty <tag>…</tag> block of
// a rendered page: 'sha256-…' of the bytes between the tags.
func inlineHashes(page, tag string) ([]string, error) {
	lower := asciiLower(page) // the same offsets as page: only A-Z change
	open, end := "<"+tag, "</"+tag
	var out []string
	for i := 0; ; {
		at := strings.Index(lower[i:], open)
		if at < 0 {
			return out, nil
		}
		at += i
		after := at + len(open)
		if after < len(lower) && !strings.ContainsRune(" \t\r\n/>", rune(lower[after])) {
			i = after // <scripts>, <styles…>: another element
			continue
		}
		gt := strings.IndexByte(lower[after:], '>')
		if gt < 0 {
			return nil, fmt.Errorf("a <%s> tag is not closed with >", tag)
		}
		body := after + gt + 1
		stop := strings.Index(lower[body:], end)
		if stop < 0 {
			return nil, fmt.Errorf("a <%s> block has no </%s>", tag, tag)
		}
		if content := page[body : body+stop]; content != "" {
			sum := sha256.Sum256([]byte(content))
			out = append(out, "'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"'")
		}
		i = body + stop + len(end)
	}
}

func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
