// Command profile serves kicc-mock in-process on loopback with the CPU
// profiler on, for -d, so the find path can be profiled under a real load
// (scripts/bench's wrk script) rather than through httptest:
//
//	go run ./bench/profile -addr 127.0.0.1:18500 -d 15s -o cpu.prof &
//	wrk -t1 -c64 -d10s -s bench/find.lua http://127.0.0.1:18500
//	go tool pprof -top cpu.prof
package main

import (
	"context"
	"flag"
	"io"
	"log"
	"log/slog"
	"os"
	"runtime/pprof"
	"time"

	"github.com/kicc-mock/kicc-mock/server"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:18500", "listen address")
	d := flag.Duration("d", 15*time.Second, "how long to serve and profile")
	out := flag.String("o", "cpu.prof", "CPU profile file")
	flag.Parse()
	srv, err := server.New(server.Config{Logger: slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelWarn}))})
	if err != nil {
		log.Fatal(err)
	}
	f, err := os.Create(*out)
	if err != nil {
		log.Fatal(err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		log.Fatal(err)
	}
	hs := srv.HTTPServer(*addr)
	go func() { _ = hs.ListenAndServe() }()
	time.Sleep(*d)
	pprof.StopCPUProfile()
	_ = f.Close()
	_ = hs.Shutdown(context.Background())
}
