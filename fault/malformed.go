package fault

import "net/http"

func init() {
	Register(Kind{
		Name:        "malformed",
		Doc:         "HTTP 200 with the JSON content type and a truncated body: the client's JSON decoder fails (\"unexpected end of JSON input\"), as when a proxy cuts a body",
		ReachedKICC: true,
		Params: []Param{{Name: "keepBytes", Type: Int, Min: 1, Max: 1 << 20,
			Doc: "bytes of the answer's body that are sent; by default the first half"}},
		New: func(p Params) Fault { return malformed{keep: p.Int("keepBytes", 0)} },
	})
}

// malformed sends the first part of the real answer (the same answer the
// request would have had), so what a client reads is a plausible prefix.
type malformed struct{ keep int64 }

// stub stands in for an answer too short to cut.
const stub = `{"resCd":"0000","resMsg":`

func (f malformed) Apply(w http.ResponseWriter, _ *http.ResponseController, env *Env) error {
	body := env.Answer
	if len(body) < 2 {
		body = []byte(stub)
	}
	n := int64(len(body) / 2)
	if f.keep > 0 {
		n = min(f.keep, int64(len(body)-1)) // never the whole answer: that would not be malformed
	}
	w.Header()["Content-Type"] = []string{"application/json; charset=utf-8"}
	w.WriteHeader(http.StatusOK)
	_, err := w.Write(body[:n])
	return err
}
