// Package store keeps the mock's state behind small interfaces: the
// idempotency ledger, sequence positions, runtime scenario files and the
// sandbox's transactions. The in-memory implementations are the default;
// Persistent (bbolt, behind --data-dir) keeps the first three across
// restarts, kill -9 included.
package store
