package scenarios

import (
	"embed"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
)

//go:embed builtin/*.yaml
var builtinFS embed.FS

var builtins = sync.OnceValues(func() ([]*Scenario, error) {
	return loadFS(builtinFS, "builtin", Options{Source: SourceBuiltin})
})

// Builtins returns the embedded built-in scenarios, parsed once. An error
// here is a bug in the binary; a test keeps it from shipping.
func Builtins() ([]*Scenario, error) { return builtins() }

// DefaultFor is the scenario an endpoint answers with when nothing else is
// selected.
func DefaultFor(ep Endpoint) string {
	switch ep {
	case FindCancel:
		return "cancel-full"
	case FindPayment:
		return "payment-approved"
	}
	return ""
}

func loadFS(fsys fs.FS, dir string, opts Options) ([]*Scenario, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, err
	}
	var files []string
	for _, e := range entries {
		if !e.IsDir() && isYAML(e.Name()) {
			files = append(files, dir+"/"+e.Name())
		}
	}
	return loadFiles(files, func(f string) ([]byte, error) { return fs.ReadFile(fsys, f) }, opts)
}

func isYAML(name string) bool {
	return strings.HasSuffix(name, ".yaml") || strings.HasSuffix(name, ".yml")
}

// loadFiles parses files in order and reports a name defined twice across
// them, as well as every mistake within them.
func loadFiles(files []string, read func(string) ([]byte, error), opts Options) ([]*Scenario, error) {
	var out []*Scenario
	var errs ErrorList
	where := map[string]*Scenario{}
	for _, f := range files {
		data, err := read(f)
		if err != nil {
			errs = append(errs, &Error{File: f, Line: 1, Msg: "cannot read: " + err.Error()})
			continue
		}
		list, err := Parse(f, data, opts)
		if el, ok := err.(ErrorList); ok {
			errs = append(errs, el...)
			continue
		} else if err != nil {
			errs = append(errs, &Error{File: f, Line: 1, Msg: err.Error()})
			continue
		}
		for _, sc := range list {
			if prev, dup := where[sc.Name]; dup {
				errs = append(errs, &Error{File: f, Line: sc.Line,
					Msg: fmt.Sprintf("scenario %q is already defined at %s:%d", sc.Name, prev.File, prev.Line)})
				continue
			}
			where[sc.Name] = sc
			out = append(out, sc)
		}
	}
	if err := errs.err(); err != nil {
		return nil, err
	}
	return out, nil
}

// DirFiles lists the scenario files of dir (*.yaml and *.yml, not
// recursive) in name order.
func DirFiles(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		if !e.IsDir() && isYAML(e.Name()) {
			names = append(names, filepath.Join(dir, e.Name()))
		}
	}
	sort.Strings(names)
	return names, nil
}

// LoadPaths parses scenario files; a directory stands for its *.yaml and
// *.yml files (not recursive), in name order. Every mistake in every file is
// reported, as an ErrorList.
func LoadPaths(paths []string, opts Options) ([]*Scenario, error) {
	var files []string
	var errs ErrorList
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			errs = append(errs, &Error{File: p, Line: 1, Msg: "cannot read: " + err.Error()})
			continue
		}
		if !st.IsDir() {
			files = append(files, p)
			continue
		}
		names, err := DirFiles(p)
		if err != nil {
			errs = append(errs, &Error{File: p, Line: 1, Msg: "cannot read: " + err.Error()})
			continue
		}
		files = append(files, names...)
	}
	out, err := loadFiles(files, readFile, opts)
	if el, ok := err.(ErrorList); ok {
		errs = append(errs, el...)
	} else if err != nil {
		return nil, err
	}
	if err := errs.err(); err != nil {
		return nil, err
	}
	return out, nil
}
