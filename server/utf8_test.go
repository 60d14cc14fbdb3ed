package server

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// Keys that differ only in bytes that are not UTF-8, or in a
// control character, no longer collide; they are refused (1003) before
// the key is claimed, so the key stays free.
func TestTextThatIsNotUnicodeIsRefusedBeforeTheKeyIsClaimed(t *testing.T) {
	s, _ := newTestServer(t)
	for _, key := range []string{"A\xff\xfeA", "A\xc0\xafA", `A\ud800A`, `A\u0000A`, `A\tA`, "A\x7fA"} {
		a := find(t, s, cancelBody(key))
		assert.Equal(t, "1003", a.body["resCd"], "%q", key)
		assert.Equal(t, "항목 형식 오류 (shopTransactionId)", a.body["resMsg"], "%q", key)
	}
	a := find(t, s, "{\"mallId\":\"T0000001\",\"shopTransactionId\":\"free\",\"pgCno\":\"\xff\"}")
	assert.Equal(t, "항목 형식 오류 (pgCno)", a.body["resMsg"])
	assert.Equal(t, "0000", find(t, s, cancelBody("free")).body["resCd"], "the key is still free")
}
