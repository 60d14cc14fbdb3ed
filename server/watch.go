package server

import (
	"hash/fnv"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

// DefaultWatchInterval is how often --watch looks at the scenario directory.
const DefaultWatchInterval = time.Second

// watch polls the scenario directory on the server's clock and reloads when
// a file was added, removed or changed. A bad file keeps the last good set
// and is logged with its file:line lines. Polling needs no OS-specific
// notification API and works on bind mounts, where inotify often does not.
func (s *Server) watch() {
	defer close(s.watchDone)
	for {
		select {
		case <-s.stopping:
			return
		case <-s.clock.After(s.cfg.WatchInterval):
		}
		sum := dirSum(s.cfg.ScenarioDir)
		if sum == s.watchSum {
			continue
		}
		s.watchSum = sum
		if err := s.ReloadScenarioFiles(); err != nil {
			s.log.Error("scenario files not reloaded; keeping the last good set",
				"dir", s.cfg.ScenarioDir, "errors", strings.Split(err.Error(), "\n"))
			continue
		}
		s.log.Info("scenario files reloaded", "dir", s.cfg.ScenarioDir, "scenarios", s.Scenarios().Len())
	}
}

// dirSum fingerprints the YAML files of dir: names, sizes and times.
func dirSum(dir string) uint64 {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return 0
	}
	var lines []string
	for _, e := range entries {
		n := e.Name()
		if e.IsDir() || !(strings.HasSuffix(n, ".yaml") || strings.HasSuffix(n, ".yml")) {
			continue
		}
		info, err := os.Stat(filepath.Join(dir, n))
		if err != nil {
			continue
		}
		lines = append(lines, n+"\x00"+strconv.FormatInt(info.Size(), 10)+"\x00"+strconv.FormatInt(info.ModTime().UnixNano(), 10))
	}
	sort.Strings(lines)
	h := fnv.New64a()
	for _, l := range lines {
		h.Write([]byte(l))
		h.Write([]byte{'\n'})
	}
	return h.Sum64()
}
