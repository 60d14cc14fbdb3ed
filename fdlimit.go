package main

import "log/slog"

// The file descriptors --max-conns leaves to everything but the served
// connections: standard streams, the listener, the poller, the --data-dir
// database, scenario files being read, and the idle connections the
// webhook sender keeps (64); each webhook send in flight takes one more.
const fdReserve = 64 + 64

// maxConnsCeiling bounds the computed default: an idle connection costs
// about 20 KiB (its goroutine and buffers), so a million-descriptor
// container limit would otherwise let connections alone take 20 GiB.
const maxConnsCeiling = 16384

// defaultMaxConns is --max-conns 0: what the descriptor limit leaves after
// the reserve and webhookConcurrency sends, at most maxConnsCeiling. A
// limit too small for that reserve leaves half of it to connections.
func defaultMaxConns(fdLimit uint64, webhookConcurrency int) int {
	if fdLimit == 0 {
		return maxConnsCeiling // no limit known
	}
	reserve := uint64(fdReserve + max(webhookConcurrency, 0))
	if fdLimit < 2*reserve {
		return int(max(fdLimit/2, 1))
	}
	return int(min(fdLimit-reserve, maxConnsCeiling))
}

// raiseFDLimit raises the soft limit on open files to the hard one and
// returns the soft limit in force (0 when it is not known).
func raiseFDLimit(log *slog.Logger) uint64 {
	soft, hard, err := raiseNoFile()
	switch {
	case err != nil:
		log.Warn("cannot raise the open file limit", "soft", soft, "hard", hard, "error", err)
	case soft != 0:
		log.Debug("open file limit", "soft", soft, "hard", hard)
	}
	return soft
}
