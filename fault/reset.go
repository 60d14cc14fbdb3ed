package fault

import (
	"net/http"
	"strconv"
	"time"
)

func init() {
	Register(Kind{
		Name: "reset",
		Doc:  "the TCP connection is reset (RST): ECONNRESET, \"connection reset by peer\"; with afterBytes, part of the answer arrives first",
		Params: []Param{{Name: "afterBytes", Type: Int, Min: 0, Max: 1 << 20,
			Doc: "bytes of the HTTP answer (status line, headers, body) sent before the reset; 0, the default, sends none"}},
		New: func(p Params) Fault { return reset{afterBytes: p.Int("afterBytes", 0)} },
	})
}

// reset aborts the connection: SO_LINGER 0 makes close send an RST instead
// of a FIN, the way a crashed peer or a middlebox looks.
type reset struct{ afterBytes int64 }

func (f reset) Apply(_ http.ResponseWriter, rc *http.ResponseController, env *Env) error {
	conn, err := hijack(rc)
	if err != nil {
		return err
	}
	if f.afterBytes > 0 {
		head := "HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: " +
			strconv.Itoa(len(env.Answer)) + "\r\nDate: " + time.Now().UTC().Format(http.TimeFormat) + "\r\n\r\n"
		wire := append([]byte(head), env.Answer...)
		_, _ = conn.Write(wire[:min(int64(len(wire)), f.afterBytes)])
	}
	// An interface, not *net.TCPConn: the server's connection limit wraps
	// the TCP connection.
	if tc, ok := conn.(interface{ SetLinger(sec int) error }); ok {
		_ = tc.SetLinger(0)
	}
	return conn.Close()
}
