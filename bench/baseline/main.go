// Command baseline is the yardstick of the load harness: a bare Echo server
// that answers POST /api/trades/wechatpay/find with one fixed KICC answer
// after reading the body. Whatever kicc-mock does beyond this — decoding,
// validation, the idempotency ledger, fake data, logging — is what the
// harness measures.
package main

import (
	"flag"
	"io"
	"log"
	"net/http"
	"os"
	"os/signal"
	"runtime/pprof"
	"syscall"

	"github.com/labstack/echo/v4"
)

const answer = `{"resCd":"0000","resMsg":"정상처리","shopTransactionId":"4CC44FEA352B461890F6E465C5BB20BB","mallId":"T0000001","pgCno":"25122722034810122119","cancelPgCno":"25122722044210122121","transactionDate":"20261126030034","cancelStatus":"TS02","amountInfo":{"currency":"KRW","totAmount":306800}}`

func main() {
	addr := flag.String("addr", "127.0.0.1:8090", "listen address")
	profile := flag.String("cpuprofile", "", "write a CPU profile here until SIGINT/SIGTERM")
	flag.Parse()
	if *profile != "" {
		stop := startProfile(*profile)
		defer stop()
	}
	e := echo.New()
	e.HideBanner = true
	e.HidePort = true
	e.POST("/api/trades/wechatpay/find", func(c echo.Context) error {
		if _, err := io.Copy(io.Discard, c.Request().Body); err != nil {
			return err
		}
		return c.Blob(http.StatusOK, "application/json; charset=utf-8", []byte(answer))
	})
	e.GET("/__admin/health", func(c echo.Context) error {
		return c.Blob(http.StatusOK, "application/json; charset=utf-8", []byte(`{"status":"UP"}`))
	})
	go func() { log.Fatal(e.Start(*addr)) }()
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	<-sig
}

// startProfile profiles the CPU into path, for comparing with kicc-mock's
// profile under the same load (bench/profile).
func startProfile(path string) func() {
	f, err := os.Create(path)
	if err != nil {
		log.Fatal(err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		log.Fatal(err)
	}
	return func() { pprof.StopCPUProfile(); f.Close() }
}
