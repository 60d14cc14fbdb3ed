package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/kicc-mock/kicc-mock/scenarios"
)

// validate checks scenario files the way serve loads them and prints every
// mistake as "file:line: message". It exits 0 when all files are valid, 1
// when any is not, 2 on bad usage.
func validate(args []string, stdout, stderr io.Writer) int {
	fs := subFlagSet("validate", "Usage: kicc-mock validate [--max-delay 30s] PATH...  (files, or directories of *.yaml)", stderr)
	maxDelay := fs.Duration("max-delay", scenarios.DefaultMaxDelay, "longest delay a file may ask for (as serve's --max-delay)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return 2
	}
	list, err := scenarios.LoadPaths(fs.Args(), scenarios.Options{MaxDelay: *maxDelay})
	if err != nil {
		fmt.Fprintln(stdout, err)
		return 1
	}
	// A directory without a scenario file validates nothing: a wrong path
	// or an empty mount, which "ok: 0 scenarios" would hide.
	empty := false
	for _, p := range fs.Args() {
		if st, err := os.Stat(p); err == nil && st.IsDir() {
			if files, _ := scenarios.DirFiles(p); len(files) == 0 {
				fmt.Fprintf(stdout, "%s: no scenario files (*.yaml, *.yml) in this directory\n", p)
				empty = true
			}
		}
	}
	if empty {
		return 1
	}
	fmt.Fprintf(stdout, "ok: %d scenarios\n", len(list))
	return 0
}
