package store_test

import (
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/kicc-mock/kicc-mock/store"
)

func TestSequencesCountEachKeyOnItsOwn(t *testing.T) {
	s := store.NewMemorySequences()
	assert.Equal(t, 0, s.Next("a", "1"))
	assert.Equal(t, 1, s.Next("a", "1"))
	assert.Equal(t, 0, s.Next("a", "2"))
	assert.Equal(t, 0, s.Next("b", "1"))
	s.Reset()
	assert.Equal(t, 0, s.Next("a", "1"))
}

func TestSequencesGiveEachConcurrentCallItsOwnNumber(t *testing.T) {
	s := store.NewMemorySequences()
	var wg sync.WaitGroup
	seen := make([]bool, 100)
	var mu sync.Mutex
	for range 100 {
		wg.Go(func() {
			n := s.Next("a", "k")
			mu.Lock()
			seen[n] = true
			mu.Unlock()
		})
	}
	wg.Wait()
	for i, ok := range seen {
		assert.True(t, ok, "number %d never given", i)
	}
}
