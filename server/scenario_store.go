package server

import (
	"fmt"
	"slices"
	"strconv"

	"github.com/kicc-mock/kicc-mock/scenarios"
)

// Runtime scenarios across restarts: with Config.ScenarioStore set, every
// file POSTed to /__admin/scenarios is stored as it came, with the names of
// its scenarios still in force. A later file replacing some of them, or a
// DELETE, shrinks that list; a file with none left is dropped, so the store
// never holds more than the runtime scenarios in force. New loads the files
// again, oldest first, which restores the same scenarios.

// loadStoredScenarios adds the stored runtime scenarios to the layers. A
// stored file that no longer loads (say --max-delay was lowered) is skipped
// with a warning rather than failing the start.
func (s *Server) loadStoredScenarios() error {
	s.runtimeDoc = map[string]uint64{}
	if s.cfg.ScenarioStore == nil {
		return nil
	}
	docs, err := s.cfg.ScenarioStore.List()
	if err != nil {
		return err
	}
	for _, doc := range docs {
		name := "stored-" + strconv.FormatUint(doc.ID, 10)
		list, err := scenarios.Parse(name, doc.Data, s.parseOptions(scenarios.SourceRuntime))
		if err != nil {
			s.log.Warn("a stored runtime scenario file no longer loads; skipped", "file", name, "error", err)
			continue
		}
		for _, sc := range list {
			if !slices.Contains(doc.Names, sc.Name) {
				continue
			}
			s.layers.runtime = append(removeNamed(s.layers.runtime, sc.Name), sc)
			s.runtimeDoc[sc.Name] = doc.ID
		}
	}
	if n := len(s.layers.runtime); n > 0 {
		s.log.Info("runtime scenarios restored", "count", n)
	}
	return nil
}

// storeAddedLocked stores a runtime scenario file whose scenarios (names)
// are about to be added, and takes the names off the files they replace.
// scenMu is held. On error nothing is added.
func (s *Server) storeAddedLocked(data []byte, names []string) error {
	if s.cfg.ScenarioStore == nil {
		return nil
	}
	id, err := s.cfg.ScenarioStore.Add(data, names)
	if err != nil {
		return err
	}
	touched := map[uint64]bool{}
	for _, n := range names {
		if old, ok := s.runtimeDoc[n]; ok && old != id {
			touched[old] = true
		}
		s.runtimeDoc[n] = id
	}
	return s.storeNamesLocked(touched)
}

// storeRemovedLocked takes a removed runtime scenario off its file.
func (s *Server) storeRemovedLocked(name string) error {
	if s.cfg.ScenarioStore == nil {
		return nil
	}
	id, ok := s.runtimeDoc[name]
	if !ok {
		return nil
	}
	delete(s.runtimeDoc, name)
	return s.storeNamesLocked(map[uint64]bool{id: true})
}

// storeNamesLocked writes the names still in force of each touched file.
func (s *Server) storeNamesLocked(touched map[uint64]bool) error {
	for id := range touched {
		var live []string
		for n, d := range s.runtimeDoc {
			if d == id {
				live = append(live, n)
			}
		}
		slices.Sort(live)
		if err := s.cfg.ScenarioStore.SetNames(id, live); err != nil {
			return fmt.Errorf("keeping runtime scenarios: %w", err)
		}
	}
	return nil
}

// resetStoredLocked forgets every stored runtime scenario.
func (s *Server) resetStoredLocked() {
	s.runtimeDoc = map[string]uint64{}
	if s.cfg.ScenarioStore == nil {
		return
	}
	if err := s.cfg.ScenarioStore.Reset(); err != nil {
		s.log.Warn("clearing stored runtime scenarios", "error", err)
	}
}
