package scenarios_test

import (
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kicc-mock/kicc-mock/scenarios"
)

func TestFakeCountsAreBoundedAtLoad(t *testing.T) {
	_, err := scenarios.ParseTemplate(`{{fake "password:true,true,true,true,true,10000000"}}`)
	assert.ErrorContains(t, err, "at most 1000")
	_, err = scenarios.ParseTemplate(`{{fake "password:true,true,true,true,true,12"}}`)
	assert.NoError(t, err)
	_, err = scenarios.ParseTemplate(`{{fake "number:1,1000000000"}}`)
	assert.NoError(t, err, "a range's bounds are not counts")
}

func TestMaxTemplateBytesCutsAtACharacterBoundary(t *testing.T) {
	list, err := scenarios.Parse("s.yaml", []byte(`version: 1
scenarios:
  - name: long
    responses:
      - body: {resMsg: "{{request.pgCno}}{{request.pgCno}}"}
`), scenarios.Options{MaxTemplateBytes: 10})
	require.NoError(t, err)
	out := list[0].Response(0).Body.RenderObject(&scenarios.Env{Request: fields{"pgCno": "가나다라"}})
	msg := out.String("resMsg")
	assert.Equal(t, "가나다", msg, "12 bytes of 가나다라 cut to 9, not into the middle of 라")
	assert.True(t, utf8.ValidString(msg))
}
