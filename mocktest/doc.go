// Package mocktest starts kicc-mock in-process from Go tests and controls it
// through its admin API.
package mocktest
