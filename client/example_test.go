package client_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http/httptest"

	"github.com/kicc-mock/kicc-mock/client"
	"github.com/kicc-mock/kicc-mock/server"
)

// After a cancel request whose webhook never came, ask KICC for the
// cancellation's status. Here the KICC is a kicc-mock; in production it is
// client.ProductionURL.
func ExampleClient_FindCancellation() {
	mock, err := server.New(server.Config{})
	if err != nil {
		log.Fatal(err)
	}
	ts := httptest.NewServer(mock)
	defer ts.Close()

	c := client.New(ts.URL, "T0000001")
	st, err := c.FindCancellation(context.Background(), client.FindCancellationRequest{
		PgCno:       "25122722034810122119",
		CancelPgCno: "25122722044210122121",
	})
	var kerr *client.Error
	switch {
	case errors.Is(err, client.ErrDuplicate):
		fmt.Println("reused key: call again with a fresh one")
	case errors.As(err, &kerr):
		fmt.Println("KICC said", kerr.ResCd, kerr.ResMsg)
	case err != nil:
		fmt.Println("transport:", err)
	default:
		fmt.Println(st.CancelStatus, st.CancelStatus.Label(), st.AmountInfo.Currency)
	}
	// Output: TS02 승인취소 KRW
}
