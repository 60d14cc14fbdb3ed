package fault

import (
	"net/http"
	"time"
)

// MaxHang bounds a scripted hang: well past any client's timeout, short of
// pinning connections for good.
const MaxHang = 10 * time.Minute

func init() {
	Register(Kind{
		Name:        "hang",
		Doc:         "nothing is sent; the connection is held, then closed without an answer: the client's own timeout fires",
		ReachedKICC: true,
		Params: []Param{{Name: "for", Type: Duration, Min: int64(time.Millisecond), Max: int64(MaxHang),
			Doc: "how long the connection is held; by default the server's hang duration (60 s, past KICC clients' 30 s timeout)"}},
		New: func(p Params) Fault { return hang{d: p.Duration("for", 0)} },
	})
}

// hang waits on the server's clock, so a test advances a fake one instead
// of waiting. It ends at once when the client hangs up or the server shuts
// down.
type hang struct{ d time.Duration }

func (f hang) Apply(_ http.ResponseWriter, rc *http.ResponseController, env *Env) error {
	d := f.d
	if d <= 0 {
		d = env.Hang
	}
	select {
	case <-env.Clock.After(d):
	case <-env.Context.Done():
		if env.ClientLeft != nil {
			env.ClientLeft()
		}
		return nil // the client gave up, as it should
	case <-env.Stopping:
	}
	conn, err := hijack(rc)
	if err != nil {
		return err
	}
	return conn.Close()
}
