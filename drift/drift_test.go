package drift_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kicc-mock/kicc-mock/drift"
	"github.com/kicc-mock/kicc-mock/mocktest"
)

func TestCompareNamesShapesNotValues(t *testing.T) {
	const json = "application/json; charset=utf-8"
	up := drift.Answer{Status: 200, ContentType: json, Body: []byte(
		`{"resCd":"0000","resMsg":"ok","shopTransactionId":"ABCDEF0123456789ABCDEF0123456789","pgCno":"25122722034810122119",` +
			`"transactionDate":"20261125120000","amountInfo":{"totAmount":1000},"extra":true}`)}
	mock := drift.Answer{Status: 200, ContentType: json, Body: []byte(
		`{"resCd":"0000","resMsg":"정상처리","shopTransactionId":"00112233445566778899AABBCCDDEEFF","pgCno":"2512272203481012211",` +
			`"transactionDate":"2026-11-25","amountInfo":{"totAmount":"5"}}`)}
	got := drift.Compare("find", up, mock)
	assert.Equal(t, []drift.Difference{
		{"find", "amountInfo.totAmount", "number", "string of 1 digits"},
		{"find", "extra", "bool", "(absent)"},
		{"find", "pgCno", "string of 20 digits", "string of 19 digits"},
		{"find", "transactionDate", "string yyyyMMddHHmmss", "string"},
	}, got, "resMsg and the keys differ in value only")

	mock.Status, mock.Body = 503, []byte("<html>")
	got = drift.Compare("find", up, mock)
	assert.Equal(t, "HTTP status", got[0].Field)
	assert.Equal(t, "(body)", got[1].Field)
	assert.Empty(t, drift.Compare("find", up, up))
}

func TestRunAgainstTwoDefaultMocksFindsNothing(t *testing.T) {
	a, b := mocktest.Start(t), mocktest.Start(t)
	rep := drift.Run(context.Background(), a.URL, b.URL, drift.Config{})
	assert.Equal(t, len(drift.Calls()), rep.Calls)
	assert.Empty(t, rep.Differences)
	var out bytes.Buffer
	drift.WriteTable(&out, rep)
	require.Equal(t, "no differences in 6 calls\n", out.String())
}

func TestCompareReadsContentTypesAsMediaTypes(t *testing.T) {
	body := []byte(`{"resCd":"0000"}`)
	answer := func(ctype string) drift.Answer { return drift.Answer{Status: 200, ContentType: ctype, Body: body} }
	ours := answer("application/json; charset=utf-8")
	assert.Empty(t, drift.Compare("find", answer("application/json;charset=UTF-8"), ours), "the same media type, spelled otherwise")
	assert.Empty(t, drift.Compare("find", answer("Application/JSON; Charset=\"utf-8\""), ours))
	assert.Equal(t, []drift.Difference{{"find", "Content-Type", "application/json", "application/json; charset=utf-8"}},
		drift.Compare("find", answer("application/json"), ours))
	assert.Len(t, drift.Compare("find", answer("text/plain; charset=utf-8"), ours), 1)
	assert.Len(t, drift.Compare("find", answer("application/json; charset=euc-kr"), ours), 1)
}
