package store_test

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kicc-mock/kicc-mock/store"
)

var at = time.Date(2025, 11, 25, 3, 0, 0, 0, time.UTC)

func paid(t *testing.T, s store.Transactions, pg string, amount int64) {
	t.Helper()
	require.NoError(t, s.Create(store.Payment{PgCno: pg, MallID: "M", ShopOrderNo: "O-" + pg, Amount: amount, State: store.PaymentCreated, CreatedAt: at}))
	_, err := s.Approve(pg, at)
	require.NoError(t, err)
}

func TestTransactionsShopOrderNoIsUniquePerMall(t *testing.T) {
	s := store.NewMemoryTransactions(0)
	require.NoError(t, s.Create(store.Payment{PgCno: "1", MallID: "A", ShopOrderNo: "O"}))
	assert.ErrorIs(t, s.Create(store.Payment{PgCno: "2", MallID: "A", ShopOrderNo: "O"}), store.ErrOrderExists)
	assert.NoError(t, s.Create(store.Payment{PgCno: "3", MallID: "B", ShopOrderNo: "O"}))
}

func TestTransactionsCancelRules(t *testing.T) {
	s := store.NewMemoryTransactions(0)
	require.NoError(t, s.Create(store.Payment{PgCno: "P0", MallID: "M", ShopOrderNo: "unpaid", Amount: 1000, State: store.PaymentCreated}))
	_, err := s.AddCancel(store.Cancel{CancelPgCno: "C0", PgCno: "P0", MallID: "M"}, true)
	assert.ErrorIs(t, err, store.ErrNotPaid, "an unpaid payment cannot be cancelled")

	paid(t, s, "P1", 1000)
	_, err = s.AddCancel(store.Cancel{CancelPgCno: "C1", PgCno: "P1", MallID: "other"}, true)
	assert.ErrorIs(t, err, store.ErrNotFound, "another merchant's payment is unknown")
	c, err := s.AddCancel(store.Cancel{CancelPgCno: "C1", PgCno: "P1", MallID: "M", Amount: 300}, false)
	require.NoError(t, err)
	assert.Equal(t, store.CancelPending, c.State)
	_, err = s.AddCancel(store.Cancel{CancelPgCno: "C2", PgCno: "P1", MallID: "M", Amount: 701}, false)
	assert.ErrorIs(t, err, store.ErrOverCancel, "a pending cancel already reserves its amount")
	full, err := s.AddCancel(store.Cancel{CancelPgCno: "C3", PgCno: "P1", MallID: "M"}, true)
	require.NoError(t, err)
	assert.Equal(t, int64(700), full.Amount, "a full cancel cancels what remains")
	_, err = s.AddCancel(store.Cancel{CancelPgCno: "C4", PgCno: "P1", MallID: "M", Amount: 1}, false)
	assert.ErrorIs(t, err, store.ErrAllCancelled)

	_, p, err := s.CompleteCancel("C1", at)
	require.NoError(t, err)
	done, reserved := p.Cancelled()
	assert.Equal(t, int64(300), done)
	assert.Equal(t, int64(1000), reserved)
	_, _, err = s.CompleteCancel("C1", at)
	assert.ErrorIs(t, err, store.ErrState)
	got, ok := s.Cancel("C3")
	require.True(t, ok)
	assert.Equal(t, store.CancelPending, got.State)

	s.Reset()
	_, ok = s.Payment("P1")
	assert.False(t, ok)
	assert.Zero(t, s.Len())
}

func TestTransactionsConcurrentCancelsNeverOverCancel(t *testing.T) {
	s := store.NewMemoryTransactions(0)
	paid(t, s, "P", 1000)
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok := 0
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := s.AddCancel(store.Cancel{CancelPgCno: string(rune('a' + i)), PgCno: "P", MallID: "M", Amount: 100}, false)
			if err == nil {
				mu.Lock()
				ok++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	assert.Equal(t, 10, ok)
}

func TestTransactionsAreBounded(t *testing.T) {
	s := store.NewMemoryTransactions(1)
	require.NoError(t, s.Create(store.Payment{PgCno: "1", MallID: "A", ShopOrderNo: "1"}))
	assert.ErrorIs(t, s.Create(store.Payment{PgCno: "2", MallID: "A", ShopOrderNo: "2"}), store.ErrTooManyTrades)
}
