// Package store keeps the mock's state behind small interfaces: the
// idempotency ledger, sequence positions and runtime scenario files. The
// in-memory implementations are the default; Persistent (bbolt, behind
// --data-dir) keeps all three across restarts, kill -9 included.
package store
