package main

import (
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/kicc-mock/kicc-mock/kicc"
	sandboxpkg "github.com/kicc-mock/kicc-mock/sandbox" // the package has a func sandbox (contract_test.go)
	"github.com/kicc-mock/kicc-mock/server"
)

// sandboxOptions are the flags of the sandbox (create, pay, cancel,
// webhooks).
type sandboxOptions struct {
	secretKey           string
	publicURL           string
	autoPayAfter        time.Duration
	cancelCompleteAfter time.Duration
	strict              bool
	unpaidStatus        string
	retryIntervals      string
	maxTransactions     int

	webhookAllow           string
	webhookConcurrency     int
	webhookHostConcurrency int
	webhookQueue           int
	webhookHostQueue       int
}

func (o *sandboxOptions) flags(fs *flag.FlagSet) {
	fs.StringVar(&o.secretKey, "secret-key", "", "merchant secret key; when set, the revise's msgAuthValue is checked (resCd 1040 on a mismatch)")
	fs.StringVar(&o.publicURL, "public-url", "", "base URL of the mock in paymentPageUrl (default: http:// and the listen address, 127.0.0.1 for an unspecified host; never a request's Host header)")
	fs.DurationVar(&o.autoPayAfter, "auto-pay-after", 0, "approve created payments by themselves after this long (0 = off: use the payment page or the admin API)")
	fs.DurationVar(&o.cancelCompleteAfter, "cancel-complete-after", server.DefaultCancelCompleteAfter, "how long a cancel stays pending before it completes (0 = only POST /__admin/transactions/{cancelPgCno}/complete)")
	fs.StringVar(&o.unpaidStatus, "unpaid-status", "", "statusCd find answers for a payment created but not paid yet; KICC documents none (empty = no statusCd in the answer)")
	fs.BoolVar(&o.strict, "strict-transactions", false, "find answers resCd 1020 for ids the sandbox never issued (default: a realistic default answer)")
	fs.StringVar(&o.retryIntervals, "webhook-retry-intervals", joinDurations(server.DefaultWebhookRetryIntervals), "comma-separated waits between webhook resends, the last repeating (up to 15 resends)")
	fs.IntVar(&o.maxTransactions, "max-transactions", server.DefaultMaxTransactions, "most payments the sandbox holds; past it create answers resCd 9999")
	fs.StringVar(&o.webhookAllow, "webhook-allow", "", "comma-separated hosts webhooks may go to: example.com (any port), example.com:8443, *.example.com (names under it), 10.0.0.7, [::1]:9000; others are journaled refused and not sent (empty = any)")
	fs.IntVar(&o.webhookConcurrency, "webhook-concurrency", sandboxpkg.DefaultWebhookConcurrency, "most webhook sends in flight at once, all receivers together")
	fs.IntVar(&o.webhookHostConcurrency, "webhook-host-concurrency", sandboxpkg.DefaultWebhookHostConcurrency, "most webhook sends in flight at once to one receiver (scheme, host and port); a receiver that hangs holds up only its own webhooks")
	fs.IntVar(&o.webhookQueue, "webhook-queue", sandboxpkg.DefaultWebhookQueue, "most webhooks held at once (waiting, in flight or waiting for a resend); past it a new one is journaled queue-full and not sent")
	fs.IntVar(&o.webhookHostQueue, "webhook-host-queue", sandboxpkg.DefaultWebhookHostQueue, "most webhooks held at once for one receiver; past it a new one to it is journaled queue-full and not sent")
}

func (o *sandboxOptions) apply(cfg *server.Config) error {
	cfg.SecretKey = o.secretKey
	cfg.PublicURL = o.publicURL
	cfg.StrictTransactions = o.strict
	cfg.UnpaidStatus = kicc.Status(o.unpaidStatus)
	cfg.MaxTransactions = o.maxTransactions
	if o.autoPayAfter < 0 {
		return fmt.Errorf("--auto-pay-after %v must not be negative", o.autoPayAfter)
	}
	cfg.AutoPayAfter = o.autoPayAfter
	switch {
	case o.cancelCompleteAfter < 0:
		return fmt.Errorf("--cancel-complete-after %v must not be negative", o.cancelCompleteAfter)
	case o.cancelCompleteAfter == 0:
		cfg.CancelCompleteAfter = -1 // manual only
	default:
		cfg.CancelCompleteAfter = o.cancelCompleteAfter
	}
	for _, b := range []struct {
		name string
		v    int
		to   *int
	}{
		{"webhook-concurrency", o.webhookConcurrency, &cfg.WebhookConcurrency},
		{"webhook-host-concurrency", o.webhookHostConcurrency, &cfg.WebhookHostConcurrency},
		{"webhook-queue", o.webhookQueue, &cfg.WebhookQueue},
		{"webhook-host-queue", o.webhookHostQueue, &cfg.WebhookHostQueue},
	} {
		if b.v < 1 {
			return fmt.Errorf("--%s %d must be at least 1", b.name, b.v)
		}
		*b.to = b.v
	}
	allow, err := sandboxpkg.ParseAllowList(o.webhookAllow)
	if err != nil {
		return fmt.Errorf("--webhook-allow: %w", err)
	}
	cfg.WebhookAllow = allow
	if cfg.WebhookRetryIntervals, err = parseDurations(o.retryIntervals); err != nil {
		return fmt.Errorf("--webhook-retry-intervals: %w", err)
	}
	return nil
}

// parseDurations reads comma-separated waits between webhook resends
// (serve's --webhook-retry-intervals, trigger's --intervals). A wait must
// be positive: a 0 wait would resend at once, which KICC never does.
func parseDurations(s string) ([]time.Duration, error) {
	var out []time.Duration
	for _, f := range strings.Split(s, ",") {
		d, err := time.ParseDuration(strings.TrimSpace(f))
		if err != nil || d <= 0 {
			return nil, fmt.Errorf("%q is not a positive duration such as 1s", f)
		}
		out = append(out, d)
	}
	return out, nil
}

func joinDurations(ds []time.Duration) string {
	parts := make([]string, len(ds))
	for i, d := range ds {
		parts[i] = d.String()
	}
	return strings.Join(parts, ",")
}
