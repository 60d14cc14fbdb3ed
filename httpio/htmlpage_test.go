package httpio_test

import (
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kicc-mock/kicc-mock/httpio"
)

func hash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}

func TestPageHeadersAllowExactlyTheInlineBlocks(t *testing.T) {
	p, err := httpio.NewPageHeaders(
		"<html><STYLE>b{}</STYLE><script data-x=\"1\">go()</script><scripts>no</scripts><script src=x></script></html>",
		"<style>b{}</style><script>\nother()\n</script>")
	require.NoError(t, err)
	assert.Equal(t, "default-src 'none'; script-src "+hash("go()")+" "+hash("\nother()\n")+"; style-src "+hash("b{}")+
		"; form-action 'self'; frame-ancestors 'none'; base-uri 'none'", p.CSP(),
		"each block once, case-insensitive tags, attributes not hashed, empty blocks and other elements left out")

	h := http.Header{}
	p.Set(h)
	assert.Equal(t, p.CSP(), h.Get("Content-Security-Policy"))
	assert.Equal(t, "nosniff", h.Get("X-Content-Type-Options"))
	assert.Equal(t, "DENY", h.Get("X-Frame-Options"))
	assert.Equal(t, "same-origin", h.Get("Referrer-Policy"))

	none, err := httpio.NewPageHeaders("<p>static</p>")
	require.NoError(t, err)
	assert.Equal(t, "default-src 'none'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'", none.CSP())
}

func TestPageHeadersRefuseUnclosedBlocks(t *testing.T) {
	for page, want := range map[string]string{
		"<script>go()":  "a <script> block has no </script>",
		"<style":        "a <style> tag is not closed with >",
		"<script x='1'": "a <script> tag is not closed with >",
	} {
		_, err := httpio.NewPageHeaders(page)
		assert.EqualError(t, err, want, page)
	}
}

func TestPageHeadersAllowSelf(t *testing.T) {
	p := httpio.MustPageHeaders("<script>go()</script>")
	self := p.AllowSelf("script-src", "style-src", "connect-src", "script-src")
	assert.Equal(t, "default-src 'none'; script-src "+hash("go()")+" 'self'; style-src 'self'; connect-src 'self'"+
		"; form-action 'self'; frame-ancestors 'none'; base-uri 'none'", self.CSP())
	assert.Equal(t, "default-src 'none'; script-src "+hash("go()")+"; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
		p.CSP(), "the original is unchanged")
}
