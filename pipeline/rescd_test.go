package pipeline

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestResCdIn(t *testing.T) {
	for answer, want := range map[string]string{
		`{"resCd":"0000","resMsg":"정상처리"}`: "0000",
		`{"resCd":"E-01"}`:                 "E-01",
		`{"resCd":"123456789"}`:            "12345",
		`{"resCd":""}`:                     "",
		`{"resCd":"00`:                     "",
		`{"error":"Bad Request"}`:          "",
		`{"resCd":1000}`:                   "",
	} {
		assert.Equal(t, want, resCdIn([]byte(answer)), answer)
	}
	assert.Zero(t, testing.AllocsPerRun(100, func() { _ = resCdIn([]byte(`{"resCd":"1010"}`)) }),
		"a code of the table costs no allocation")
}
