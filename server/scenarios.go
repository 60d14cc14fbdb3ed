package server

import (
	"errors"
	"fmt"

	"github.com/kicc-mock/kicc-mock/pipeline"
	"github.com/kicc-mock/kicc-mock/scenarios"
)

// Errors of the scenario management methods (for the admin API to map).
var (
	ErrUnknownScenario = errors.New("unknown scenario")
	ErrNotRuntime      = errors.New("only runtime scenarios can be removed")
	ErrUnknownEndpoint = errors.New("unknown endpoint")
	// ErrTooManyScenarios: AddScenarios would hold more runtime scenarios
	// than Config.MaxRuntimeScenarios.
	ErrTooManyScenarios = errors.New("too many runtime scenarios")
)

// scenarioLayers are the sources of the Set, under Server.scenMu.
type scenarioLayers struct {
	builtin      []*scenarios.Scenario
	files        []*scenarios.Scenario
	runtime      []*scenarios.Scenario
	defaultNames map[scenarios.Endpoint]string
}

func (s *Server) initScenarios() error {
	b, err := scenarios.Builtins()
	if err != nil {
		return fmt.Errorf("built-in scenarios: %w", err)
	}
	s.layers.builtin = b
	s.layers.defaultNames = map[scenarios.Endpoint]string{}
	if s.cfg.ScenarioDir != "" {
		files, err := scenarios.LoadPaths([]string{s.cfg.ScenarioDir}, s.parseOptions(scenarios.SourceFile))
		if err != nil {
			return fmt.Errorf("loading --scenarios %s:\n%w", s.cfg.ScenarioDir, err)
		}
		s.layers.files = files
		s.watchSum = dirSum(s.cfg.ScenarioDir)
	}
	if err := s.loadStoredScenarios(); err != nil {
		return err
	}
	s.rebuildLocked()
	s.logScenarios()
	return nil
}

// logScenarios says at start what was loaded from where, and when a
// --scenarios directory held no scenario file (a wrong path or an empty
// mount would otherwise pass for success).
func (s *Server) logScenarios() {
	if dir := s.cfg.ScenarioDir; dir != "" {
		if files, _ := scenarios.DirFiles(dir); len(files) == 0 {
			s.log.Warn("no scenario files (*.yaml, *.yml) in --scenarios; serving the built-ins only", "dir", dir)
		}
	}
	s.log.Info("scenarios loaded", "builtin", len(s.layers.builtin), "files", len(s.layers.files),
		"dir", s.cfg.ScenarioDir, "runtime", len(s.layers.runtime))
}

// parseOptions are the bounds scenario files are loaded with.
func (s *Server) parseOptions(src scenarios.Source) scenarios.Options {
	return scenarios.Options{MaxDelay: s.cfg.MaxDelay, Source: src, MaxTemplateBytes: s.cfg.MaxTemplateBytes}
}

// rebuildLocked makes a new Set from the layers, compiles it and swaps it
// in; scenMu is held (or the server is being built). Every endpoint's
// default scenario, the built-in one included, answers through its
// compiled answer: one path for every answer.
func (s *Server) rebuildLocked() {
	set := scenarios.NewSet(s.layers.builtin, s.layers.files, s.layers.runtime)
	defaults := map[scenarios.Endpoint]*scenarios.Scenario{}
	for _, ep := range scenarios.Endpoints {
		name := s.layers.defaultNames[ep]
		if name == "" {
			name = scenarios.DefaultFor(ep)
		}
		if sc := set.Lookup(name); sc != nil && sc.AppliesTo(ep) {
			defaults[ep] = sc
		}
	}
	s.scen.Store(pipeline.NewState(set, defaults, s.bases))
}

// Scenarios returns the scenarios in force. The Set is immutable; a later
// change makes a new one.
func (s *Server) Scenarios() *scenarios.Set { return s.scen.Load().Set }

// AddScenarios parses a scenario file (YAML; JSON is YAML too) and adds its
// scenarios as runtime scenarios, replacing any of the same name. file names
// the source in errors ("file:line: message"). On error nothing changes.
// It returns the names added.
func (s *Server) AddScenarios(file string, data []byte) ([]string, error) {
	list, err := scenarios.Parse(file, data, s.parseOptions(scenarios.SourceRuntime))
	if err != nil {
		return nil, err
	}
	s.scenMu.Lock()
	defer s.scenMu.Unlock()
	names := make([]string, len(list))
	runtime := s.layers.runtime[:len(s.layers.runtime):len(s.layers.runtime)]
	for i, sc := range list {
		names[i] = sc.Name
		runtime = removeNamed(runtime, sc.Name)
		runtime = append(runtime, sc)
	}
	if len(runtime) > s.cfg.MaxRuntimeScenarios {
		return nil, fmt.Errorf("%w: %d would be loaded, at most %d (--max-runtime-scenarios); delete some or POST /__admin/reset",
			ErrTooManyScenarios, len(runtime), s.cfg.MaxRuntimeScenarios)
	}
	if err := s.storeAddedLocked(data, names); err != nil {
		return nil, err
	}
	s.layers.runtime = runtime
	s.rebuildLocked()
	return names, nil
}

func removeNamed(list []*scenarios.Scenario, name string) []*scenarios.Scenario {
	out := make([]*scenarios.Scenario, 0, len(list))
	for _, sc := range list {
		if sc.Name != name {
			out = append(out, sc)
		}
	}
	return out
}

// RemoveScenario removes a runtime scenario; a built-in or file scenario of
// the same name, if any, is in force again. Built-in and file scenarios
// cannot be removed (ErrNotRuntime); an unknown name is ErrUnknownScenario.
func (s *Server) RemoveScenario(name string) error {
	s.scenMu.Lock()
	defer s.scenMu.Unlock()
	for _, sc := range s.layers.runtime {
		if sc.Name == name {
			s.layers.runtime = removeNamed(s.layers.runtime, name)
			s.rebuildLocked()
			return s.storeRemovedLocked(name)
		}
	}
	if s.scen.Load().Set.Lookup(name) != nil {
		return fmt.Errorf("%w: %q is a %s scenario", ErrNotRuntime, name, s.scen.Load().Set.Lookup(name).Source)
	}
	return fmt.Errorf("%w: %q", ErrUnknownScenario, name)
}

// ResetScenarios drops the runtime scenarios, returns every endpoint to its
// default scenario and restarts every sequence. File scenarios stay.
func (s *Server) ResetScenarios() {
	s.scenMu.Lock()
	defer s.scenMu.Unlock()
	s.layers.runtime = nil
	s.resetStoredLocked()
	s.layers.defaultNames = map[scenarios.Endpoint]string{}
	s.sequences.Reset()
	s.rebuildLocked()
}

// SetDefaultScenario makes name the answer of ep when no header, magic id or
// rule selects one. The scenario must exist and answer ep. An empty name
// restores the endpoint's own default (cancel-full, payment-approved).
func (s *Server) SetDefaultScenario(ep scenarios.Endpoint, name string) error {
	if !ep.Known() {
		return fmt.Errorf("%w: %q", ErrUnknownEndpoint, ep)
	}
	s.scenMu.Lock()
	defer s.scenMu.Unlock()
	if name != "" {
		sc := s.scen.Load().Set.Lookup(name)
		if sc == nil {
			return fmt.Errorf("%w: %q", ErrUnknownScenario, name)
		}
		if !sc.AppliesTo(ep) {
			return fmt.Errorf("scenario %q does not answer %s", name, ep)
		}
	}
	s.layers.defaultNames[ep] = name
	s.rebuildLocked()
	return nil
}

// DefaultScenario names the default scenario of ep.
func (s *Server) DefaultScenario(ep scenarios.Endpoint) string {
	s.scenMu.Lock()
	defer s.scenMu.Unlock()
	if n := s.layers.defaultNames[ep]; n != "" {
		return n
	}
	return scenarios.DefaultFor(ep)
}

// ReloadScenarioFiles reads the --scenarios directory again. When a file is
// bad the scenarios in force stay and the error (file:line lines) is
// returned.
func (s *Server) ReloadScenarioFiles() error {
	if s.cfg.ScenarioDir == "" {
		return nil
	}
	files, err := scenarios.LoadPaths([]string{s.cfg.ScenarioDir}, s.parseOptions(scenarios.SourceFile))
	if err != nil {
		return err
	}
	s.scenMu.Lock()
	defer s.scenMu.Unlock()
	s.layers.files = files
	s.rebuildLocked()
	return nil
}
