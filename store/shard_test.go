package store

import (
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
)

func TestShardsFillWholeCacheLines(t *testing.T) {
	assert.Zero(t, unsafe.Sizeof(shard{})%cacheLine, "a shard is %d bytes", unsafe.Sizeof(shard{}))
	assert.Less(t, unsafe.Sizeof(shard{}), uintptr(2*cacheLine), "no more padding than one line")
}
