package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/kicc-mock/kicc-mock/kicc"
	"github.com/kicc-mock/kicc-mock/trigger"
)

// triggerCmd sends one webhook with KICC's resends; it exits 0 once the
// receiver acknowledged it, 1 when it never did, 2 on bad usage.
func triggerCmd(args []string, stdout, stderr io.Writer) int {
	fs := subFlagSet("trigger", "Usage: kicc-mock trigger approval|cancel --to URL [--pgCno ID] [--cancelPgCno ID] [--amount N]", stderr)
	var n trigger.Notification
	to := fs.String("to", "", "the merchant's notifyUrl")
	fs.StringVar(&n.PgCno, "pgCno", "", "the payment's id (empty: a new 20-digit id)")
	fs.StringVar(&n.CancelPgCno, "cancelPgCno", "", "the cancellation's id, for cancel (empty: a new 20-digit id)")
	fs.Int64Var(&n.Amount, "amount", 1000, "amountInfo.amount: paid (approval) or cancelled (cancel); KRW in won, USD in cents")
	fs.StringVar(&n.Currency, "currency", kicc.CurrencyKRW, "amountInfo.currency: KRW or USD")
	fs.StringVar(&n.MallID, "mall-id", "T0000001", "mallId")
	fs.StringVar(&n.ShopOrderNo, "shop-order-no", "ORD-TRIGGER-1", "shopOrderNo")
	intervals := fs.String("intervals", joinDurations(trigger.DefaultIntervals), "waits between resends, comma-separated, the last repeating (KICC documents none; these are the sandbox's)")
	maxResends := fs.Int("max-resends", kicc.WebhookMaxResends, "resends after the first send (KICC's: 15)")
	timeout := fs.Duration("timeout", kicc.WebhookAckDeadline, "the receiver's ack deadline (KICC's: 10s)")
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		n.Kind, args = args[0], args[1:]
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if n.Kind == "" && fs.NArg() > 0 {
		n.Kind = fs.Arg(0)
	} else if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "kicc-mock trigger: unexpected arguments: %v\n", fs.Args())
		return 2
	}
	if n.Kind != trigger.Approval && n.Kind != trigger.Cancel {
		fmt.Fprintf(stderr, "kicc-mock trigger: which webhook: approval or cancel (got %q)\n", n.Kind)
		return 2
	}
	if *to == "" {
		fmt.Fprintln(stderr, "kicc-mock trigger: --to is required")
		return 2
	}
	// Checked here: a URL no request can go to would otherwise be resent
	// for minutes, on every interval, before exit 1.
	target, err := url.Parse(*to)
	if err != nil || (target.Scheme != "http" && target.Scheme != "https") || target.Host == "" {
		fmt.Fprintln(stderr, "kicc-mock trigger: --to is not an http(s) URL")
		return 2
	}
	waits, err := parseDurations(*intervals)
	if err != nil {
		fmt.Fprintln(stderr, "kicc-mock trigger: --intervals:", err)
		return 2
	}
	if *maxResends < 0 {
		fmt.Fprintln(stderr, "kicc-mock trigger: --max-resends must not be negative")
		return 2
	}
	body, err := trigger.Body(n, time.Now())
	if err != nil {
		fmt.Fprintln(stderr, "kicc-mock", err)
		return 2
	}
	fmt.Fprintf(stdout, "sending the %s webhook to %s: %s\n", n.Kind, target.Redacted(), body)
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	cfg := trigger.Config{URL: *to, Intervals: waits, MaxResends: *maxResends, Timeout: *timeout,
		UserAgent: "kicc-mock/" + buildVersion(), OnAttempt: func(a trigger.Attempt) { printAttempt(stdout, a) }}
	if *maxResends == 0 {
		cfg.MaxResends = -1 // Send's 0 means KICC's 15
	}
	attempts, err := trigger.Send(ctx, cfg, body)
	if err != nil {
		fmt.Fprintf(stdout, "not delivered after %d attempts: %v\n", attempts, err)
		return 1
	}
	fmt.Fprintf(stdout, "delivered on attempt %d\n", attempts)
	return 0
}

func printAttempt(w io.Writer, a trigger.Attempt) {
	status := "no answer"
	if a.Status != 0 {
		status = fmt.Sprintf("HTTP %d", a.Status)
	}
	line := fmt.Sprintf("%s  attempt %d  %s  %s", a.Time.In(kicc.KST).Format(time.RFC3339), a.N, status, a.Outcome)
	if a.Outcome == trigger.Retrying {
		line += " in " + a.Next.String()
	}
	if a.Err != nil {
		line += ": " + a.Err.Error()
	}
	fmt.Fprintln(w, line)
}
