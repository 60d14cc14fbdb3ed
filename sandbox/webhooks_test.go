package sandbox

import (
	"fmt"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/kicc-mock/kicc-mock/clock"
)

// TestWebhookJournalGrowsThenWraps: the attempt ring starts empty, grows as
// attempts come, keeps the newest WebhookJournalSize of them, newest first,
// and reset empties it.
func TestWebhookJournalGrowsThenWraps(t *testing.T) {
	s := New(Config{WebhookJournalSize: 3}, Deps{Clock: clock.NewAdjustable(clock.Real{}), Log: slog.New(slog.DiscardHandler)})
	t.Cleanup(s.Close)
	d := s.hooks
	pgCnos := func() []string {
		var out []string
		for _, a := range d.attempts() {
			out = append(out, a.PgCno)
		}
		return out
	}
	assert.Empty(t, d.attempts())
	assert.Zero(t, cap(d.ring), "nothing is allocated before the first attempt")
	for i := range 2 {
		d.record(WebhookAttempt{PgCno: fmt.Sprint("P", i)})
	}
	assert.Equal(t, []string{"P1", "P0"}, pgCnos())
	for i := 2; i < 7; i++ {
		d.record(WebhookAttempt{PgCno: fmt.Sprint("P", i)})
		assert.LessOrEqual(t, len(d.ring), 3)
	}
	assert.Equal(t, []string{"P6", "P5", "P4"}, pgCnos())
	d.reset()
	assert.Empty(t, d.attempts())
	d.record(WebhookAttempt{PgCno: "after"})
	assert.Equal(t, []string{"after"}, pgCnos())
}
