package fault

import "net/http"

func init() {
	Register(Kind{
		Name: "empty",
		Doc:  "the connection closes before any byte: EOF, \"empty reply from server\"",
		New:  func(Params) Fault { return empty{} },
	})
}

// empty closes the connection cleanly (a FIN) without answering.
type empty struct{}

func (empty) Apply(_ http.ResponseWriter, rc *http.ResponseController, _ *Env) error {
	conn, err := hijack(rc)
	if err != nil {
		return err
	}
	return conn.Close()
}
