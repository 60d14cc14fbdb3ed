package scenarios

import (
	"reflect"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kicc-mock/kicc-mock/kicc"
)

// The reference a compiled answer is held to is how answers were built
// before they were compiled: the base answer's struct encoded, decoded into
// a generic object, the scenario's rendered body merged over it (null
// removes a field) and the result sorted in the KICC type's field order.

var testOrder = OrderOf(reflect.TypeFor[kicc.CancelStatusResponse]())

func testAmount(status string) int64 { return int64(len(status)) * 100 }

// testBase fills every field from e, deterministically.
func testBase() *Base {
	ids := map[string]Filler{
		"resCd":             ResCdFiller,
		"resMsg":            Text(func(e *Env) string { return "msg " + e.ResCd + e.Detail }, false),
		"shopTransactionId": Echo("shopTransactionId", false),
		"mallId":            Echo("mallId", true),
		"pgCno":             Echo("pgCno", true),
		"cancelPgCno":       Echo("cancelPgCno", true),
	}
	success := map[string]Filler{
		"transactionDate":     Text(func(e *Env) string { return kicc.FormatDateTime(e.Now) }, false),
		"cancelStatus":        StatusFiller,
		"amountInfo.currency": Text(func(*Env) string { return "KRW" }, false),
		"amountInfo.totAmount": Number(func(e *Env) int64 {
			return testAmount(e.Status)
		}),
	}
	for k, f := range ids {
		success[k] = f
	}
	return &Base{Order: testOrder, Success: success, Error: ids, StatusKey: "cancelStatus", DefaultStatus: "TS02"}
}

// referenceAnswer builds the answer the old way.
func referenceAnswer(r *Response, env *Env) []byte {
	f := func(name string) string { v, _ := env.Request.Field(name); return v }
	over := r.Body.RenderObject(env)
	var base kicc.CancelStatusResponse
	if resCd := over.String("resCd"); resCd != "" && resCd != kicc.ResOK {
		base = kicc.CancelStatusResponse{ResCd: resCd, ResMsg: "msg " + resCd, ShopTransactionID: f("shopTransactionId"),
			MallID: f("mallId"), PgCno: f("pgCno"), CancelPgCno: f("cancelPgCno")}
	} else {
		st := over.String("cancelStatus")
		if st == "" {
			st = "TS02"
		}
		base = kicc.CancelStatusResponse{ResCd: kicc.ResOK, ResMsg: "msg 0000", ShopTransactionID: f("shopTransactionId"),
			MallID: f("mallId"), PgCno: f("pgCno"), CancelPgCno: f("cancelPgCno"),
			TransactionDate: kicc.FormatDateTime(env.Now), CancelStatus: kicc.Status(st),
			AmountInfo: &kicc.CancelAmountInfo{Currency: "KRW", TotAmount: testAmount(st)}}
	}
	obj, err := DecodeObject(base.AppendJSON(nil))
	if err != nil {
		panic(err)
	}
	return testOrder.Sort(Merge(obj, over)).AppendJSON(nil)
}

func compileAgainstReference(t testing.TB, body string) {
	list, err := Parse("c.yaml", []byte("version: 1\nscenarios:\n  - name: c\n    responses:\n      - body: "+body+"\n"), Options{})
	if err != nil {
		return // not a body the format takes
	}
	r := list[0].Responses[0]
	if r.Body == nil || r.HTTPStatus() != 200 {
		return
	}
	req := MapFields{"mallId": "T0000001", "shopTransactionId": "k-1", "pgCno": "25010112000010123456",
		"cancelPgCno": "25010112300010123470", "amount": "1200", "memo": "<a&b>"}
	now := time.Date(2026, 12, 1, 23, 59, 59, 0, kicc.KST)
	env := &Env{Request: req, Now: now, FakeSeed: 7}
	got := Compile("c", r, testBase()).Render(nil, env)
	env.Release()
	refEnv := &Env{Request: req, Now: now, FakeSeed: 7}
	want := referenceAnswer(r, refEnv)
	refEnv.Release()
	require.Equal(t, string(want), string(got), "body %s", body)
}

func TestCompiledAnswersAgreeWithTheMergedObject(t *testing.T) {
	for _, body := range compileSeeds {
		t.Run(body, func(t *testing.T) { compileAgainstReference(t, body) })
	}
}

var compileSeeds = []string{
	`{cancelStatus: TS02}`, `{cancelStatus: TS06}`, `{cancelStatus: TS01}`,
	`{resCd: "2001", resDetailMsg: '{{urlencode "SYSTEMERROR 系统超时"}}'}`,
	`{resCd: "9999"}`, `{resCd: "0000", resMsg: custom}`,
	`{amountInfo: {currency: USD}}`, `{amountInfo: {totAmount: null, extra: 1}}`, `{amountInfo: 5}`,
	`{transactionDate: null, mallId: null}`, `{zzz: 1, aaa: [1, "{{request.pgCno}}"], resDetailMsg: x}`,
	`{cancelStatus: '{{request.memo}}'}`, `{resCd: '{{request.amount}}'}`, `{resCd: 1003}`,
	`{cancelStatus: {nested: true}}`, `{amountInfo: {totAmount: '{{request.amount}}'}}`,
	`{amountInfo: {totAmount: '{{request.memo}}'}}`, `{resCd: "1020", amountInfo: {currency: KRW, x: [null]}}`,
	`{pgCno: '{{newId}}', shopTransactionId: "<&>", unknown: null}`,
	`{resMsg: '{{fake "firstname"}}', memo: '{{request.memo}}{{now}}{{today}}'}`,
	`{resCd: "1010", cancelStatus: TS02, transactionDate: "x"}`,
}

// FuzzCompiledAnswerAgreesWithMergedObject holds compiled answers to the
// reference for any body the format takes.
//
//	go test ./scenarios -run '^$' -fuzz '^FuzzCompiledAnswerAgreesWithMergedObject$' -fuzztime 5m
func FuzzCompiledAnswerAgreesWithMergedObject(f *testing.F) {
	for _, s := range compileSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		if len(body) > 2000 {
			return
		}
		compileAgainstReference(t, body)
	})
}
