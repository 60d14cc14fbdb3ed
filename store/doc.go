// Package store keeps the mock's state behind small interfaces: today the
// idempotency ledger and the sandbox's transactions. Everything lives in memory; the interfaces leave room
// for a persistent implementation.
package store
