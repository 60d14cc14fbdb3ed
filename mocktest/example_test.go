package mocktest_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/kicc-mock/kicc-mock/client"
	"github.com/kicc-mock/kicc-mock/mocktest"
)

// A test starts the mock, calls it with the client and reads the answer.
func ExampleStart() {
	t := &testing.T{} // in a real test, the *testing.T of the test function
	m := mocktest.Start(t)

	st, err := m.Client.FindCancellation(context.Background(), client.FindCancellationRequest{
		PgCno:       "25010112000010123456",
		CancelPgCno: "25010112300010123470",
	})
	if err != nil {
		fmt.Println("error:", err)
		return
	}
	fmt.Println(st.ResCd, st.ResMsg, st.CancelStatus, st.CancelStatus.Label())
	// Output: 0000 정상처리 TS02 승인취소
}
