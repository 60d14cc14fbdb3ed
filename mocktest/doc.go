// Package mocktest starts kicc-mock in-process from Go tests and controls it
// through its admin API: Start gives a running mock on a free loopback port,
// its URL, a KICC client and an admin client pointed at it, all stopped by
// t.Cleanup. NewAdmin alone controls a mock running anywhere else (a
// container, another process).
package mocktest
