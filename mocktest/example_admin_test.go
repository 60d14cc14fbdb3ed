package mocktest_test

import (
	"context"
	"fmt"
	"log"

	"github.com/kicc-mock/kicc-mock/mocktest"
)

// A test resets the mock, lets the app under test call it, then asserts on
// what the app sent.
func ExampleAdmin() {
	ctx := context.Background()
	admin := mocktest.NewAdmin("http://127.0.0.1:8080", mocktest.WithToken("s3cret"))
	if err := admin.Reset(ctx); err != nil {
		log.Fatal(err)
	}

	// ... the app under test checks a cancellation here ...

	n, err := admin.Count(ctx, mocktest.CountFilter{
		Path: "/api/trades/wechatpay/find",
		Body: map[string]any{"pgCno": "26112517542410000001"},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("find calls:", n)
}
