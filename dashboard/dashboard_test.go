package dashboard

import (
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPageReferencesOnlyItsOwnFiles: every file the page loads is embedded,
// under Path, and nothing comes from elsewhere.
func TestPageReferencesOnlyItsOwnFiles(t *testing.T) {
	page := mustAsset("index.html")
	refs := regexp.MustCompile(`(?:src|href)="([^"]+)"`).FindAllStringSubmatch(page, -1)
	require.NotEmpty(t, refs)
	for _, m := range refs {
		ref := m[1]
		require.True(t, strings.HasPrefix(ref, Path+"/"), "%s is not one of the page's files", ref)
		_, err := assets.ReadFile("assets/" + strings.TrimPrefix(ref, Path+"/"))
		assert.NoError(t, err, "%s is not embedded", ref)
		_, ok := contentTypes[ref[strings.LastIndexByte(ref, '.'):]]
		assert.True(t, ok, "%s has no content type", ref)
	}
	csp := Headers().CSP()
	assert.NotContains(t, csp, "unsafe")
	assert.Contains(t, csp, "script-src 'self'")
	assert.NotContains(t, csp, "sha256", "the page has no inline block to allow")
}
