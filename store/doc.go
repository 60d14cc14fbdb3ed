// Package store keeps the mock's state behind small interfaces: the
// idempotency ledger, sequence positions, runtime scenario files and the
// sandbox's transactions. The in-memory implementations are the default;
// Persistent (bbolt, behind --data-dir) keeps the first three across
// restarts, kill -9 included. Open checks the whole database file before
// anything reads it, so a damaged file is an error at start, not a panic
// later, and a write that fails (a full disk) leaves memory as it leaves
// the file: a restart finds what the process held.
package store
