package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestDefaultMaxConnsLeavesTheReserve(t *testing.T) {
	for _, tc := range []struct {
		limit    uint64
		webhooks int
		want     int
	}{
		{1024, 256, 1024 - 128 - 256},
		{8192, 16, 8192 - 128 - 16},
		{20000, 256, maxConnsCeiling},
		{1 << 20, 256, maxConnsCeiling},
		{256, 256, 128}, // too small for the reserve: half of it
		{1, 256, 1},
		{0, 256, maxConnsCeiling}, // not known
	} {
		assert.Equal(t, tc.want, defaultMaxConns(tc.limit, tc.webhooks), "limit %d", tc.limit)
	}
}

func TestRaiseNoFileReachesTheHardLimit(t *testing.T) {
	soft, hard, err := raiseNoFile()
	if err != nil || hard == 0 {
		t.Skipf("no descriptor limit here (%v)", err)
	}
	assert.Equal(t, hard, soft)
}
