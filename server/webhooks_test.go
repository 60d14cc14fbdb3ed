package server

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestWebhookJournalGrowsThenWraps: the attempt ring starts empty, grows as
// attempts come, keeps the newest WebhookJournalSize of them, newest first,
// and reset empties it.
func TestWebhookJournalGrowsThenWraps(t *testing.T) {
	s, err := New(Config{SandboxConfig: SandboxConfig{WebhookJournalSize: 3}})
	require.NoError(t, err)
	t.Cleanup(s.Close)
	d := s.webhooks
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
