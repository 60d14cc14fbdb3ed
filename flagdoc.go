package main

import (
	"flag"
	"fmt"
	"io"
	"strings"
)

// The help text and docs/configuration.md are both made from the flag set
// newFlagSet defines, so a flag added there is documented in both places
// without anyone writing it down twice (TestConfigurationTable holds the
// file to it).

// flagDoc is one serve flag as the help and the configuration table show it.
type flagDoc struct {
	name  string // without dashes
	arg   string // the value's placeholder: "duration", "DIR"; empty for booleans
	env   string // its KICC_MOCK_* twin
	def   string // its default, as the flag package prints it
	text  bool   // a string flag: its default is shown quoted in the help
	usage string
}

// flagDocs lists the serve flags in name order.
func flagDocs() []flagDoc {
	fs := newFlagSet("serve", &options{}, io.Discard)
	var docs []flagDoc
	fs.VisitAll(func(f *flag.Flag) {
		arg, usage := flag.UnquoteUsage(f)
		_, text := f.Value.(flag.Getter).Get().(string)
		docs = append(docs, flagDoc{name: f.Name, arg: arg, env: envName(f.Name), def: f.DefValue, text: text, usage: usage})
	})
	return docs
}

// commandsHelp is the list of subcommands.
const commandsHelp = `Usage:
  kicc-mock [serve] [flags]   serve the mock (the default command)
  kicc-mock validate PATH...  check scenario files (or directories of them); every
                              mistake as file:line: message, exit 1 on any
  kicc-mock healthcheck       exit 0 when the mock at --addr answers its health check
  kicc-mock record --upstream URL --out DIR [--addr host:port]
                              proxy KICC calls to URL and write its answers as
                              scenario files that --scenarios DIR replays
  kicc-mock drift --upstream URL [--mock URL]
                              make the contract calls to URL and to the mock and
                              print where their answers differ; exit 1 on any,
                              3 when a server does not answer
  kicc-mock trigger approval|cancel --to URL [--pgCno ID] [--amount N]
                              send a KICC webhook to URL, resending as KICC does;
                              exit 0 once acknowledged
  kicc-mock version           print the version
  kicc-mock help              print this help
`

// printHelp writes the subcommands and every serve flag with its
// environment twin and default.
func printHelp(w io.Writer) {
	fmt.Fprint(w, commandsHelp)
	fmt.Fprint(w, `
Flags of serve. Each has an environment twin, shown beside it; a flag given on
the command line wins over its variable. The same table is docs/configuration.md.

`)
	for _, d := range flagDocs() {
		head := "  --" + d.name
		if d.arg != "" {
			head += " " + d.arg
		}
		def := d.def
		if d.text {
			def = fmt.Sprintf("%q", def)
		}
		fmt.Fprintf(w, "%s  (%s, default %s)\n      %s\n", head, d.env, def, d.usage)
	}
}

// configurationTable is the markdown table of every serve flag that
// docs/configuration.md holds between its flags:begin and flags:end markers.
func configurationTable() string {
	var b strings.Builder
	b.WriteString("| flag | environment | default | what it does |\n|---|---|---|---|\n")
	for _, d := range flagDocs() {
		flagCell := "`--" + d.name + "`"
		if d.arg != "" {
			flagCell += " " + mdEscape(d.arg)
		}
		def := "`" + d.def + "`"
		if d.def == "" {
			def = "(empty)"
		}
		fmt.Fprintf(&b, "| %s | `%s` | %s | %s |\n", flagCell, d.env, def, mdEscape(d.usage))
	}
	return b.String()
}

// mdEscape keeps a usage text literal in a markdown table cell: | would end
// the cell, < > would start HTML, * and _ emphasis.
func mdEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, "|", `\|`, "<", "&lt;", ">", "&gt;", "*", `\*`, "_", `\_`).Replace(s)
}
