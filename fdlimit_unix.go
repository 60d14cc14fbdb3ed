//go:build unix

package main

import "syscall"

// raiseNoFile sets RLIMIT_NOFILE's soft limit to its hard one (Go's
// runtime does so too on some systems, but not all, and not visibly) and
// returns the limits then in force.
func raiseNoFile() (soft, hard uint64, err error) {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return 0, 0, err
	}
	if lim.Cur < lim.Max {
		want := lim
		want.Cur = lim.Max
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &want); err != nil {
			return uint64(lim.Cur), uint64(lim.Max), err
		}
		lim = want
	}
	return uint64(lim.Cur), uint64(lim.Max), nil
}
