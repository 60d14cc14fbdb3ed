package store

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestShardRemoveKeepsProbeRuns: keys crowded onto few home slots, so that
// their probe runs overlap and wrap past the table's end, are inserted and
// removed at random against a map; after every step each held key is found
// and no removed one is.
func TestShardRemoveKeepsProbeRuns(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 9))
	var s shard
	model := map[keyHash]bool{}
	var keys []keyHash
	for i := range 200 {
		// Homes 60..63 of a 64-slot table (k[1] picks the slot): runs wrap.
		keys = append(keys, keyHash{uint64(i) | 1<<63, uint64(60 + r.IntN(4))})
	}
	for step := range 5000 {
		k := keys[r.IntN(len(keys))]
		i, held := s.find(k)
		require.Equal(t, model[k], held, "step %d", step)
		switch {
		case held:
			s.remove(i)
			delete(model, k)
		case len(model) < 40: // stay below the table's growth, where runs are long
			s.insert(i, k)
			model[k] = true
		}
		require.Equal(t, len(model), s.n)
		for _, k := range keys {
			_, held := s.find(k)
			require.Equal(t, model[k], held, "step %d: key %v", step, k)
		}
	}
}
