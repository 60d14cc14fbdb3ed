// Command receiver is a merchant's webhook endpoint for trying kicc-mock's
// sandbox by hand: it prints every notification KICC (here, the mock) posts
// and acknowledges it the way KICC asks, HTTP 200 with {"resCd":"0000"}.
// With --fail N its first N notifications fail instead (HTTP 500 and resCd 5001),
// so the mock's resends can be watched.
//
//	go run ./examples/receiver --addr 127.0.0.1:18081 --fail 3
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"sync/atomic"
	"time"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:18081", "address to listen on")
	fail := flag.Int64("fail", 0, "fail this many calls first (HTTP 500, resCd 5001)")
	flag.Parse()
	var calls atomic.Int64
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost { // a probe, not a notification
			_, _ = io.WriteString(w, "receiver: up\n")
			return
		}
		n := calls.Add(1)
		body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		failing := n <= *fail
		verdict := "200 ack"
		if failing {
			verdict = "500 fail"
		}
		fmt.Printf("receiver: call %d %s %s: %s -> %s\n", n, r.Method, r.URL.Path, body, verdict)
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		ack := map[string]string{"resCd": "0000", "resMsg": "정상"}
		if failing {
			w.WriteHeader(http.StatusInternalServerError)
			ack = map[string]string{"resCd": "5001", "resMsg": "처리실패"}
		}
		_ = json.NewEncoder(w).Encode(ack)
	})
	fmt.Fprintf(os.Stderr, "receiver: listening on %s, failing the first %d calls\n", *addr, *fail)
	srv := &http.Server{Addr: *addr, ReadHeaderTimeout: 5 * time.Second}
	log.Fatal(srv.ListenAndServe())
}
