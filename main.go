// Command scalelab is a terminal workshop runner: it walks a learner through a scaling scenario
// beside a real lab (a feed API on a real PostgreSQL, loaded by 100 concurrent users).
//
// main.go only dispatches: each subcommand lives in its own cmd_*.go file and registers itself.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

// command is one `scalelab NAME` subcommand.
type command struct {
	Name    string
	Summary string                    // one line for `scalelab --help`
	Run     func(args []string) error // parses its own flags from args
}

var commands = map[string]command{}

// register is called from the init of each cmd_*.go file.
func register(c command) { commands[c.Name] = c }

// defaultCommand runs when scalelab is started with no subcommand (or only flags).
var defaultCommand = "serve"

// exitError carries a process exit code without printing anything more.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

func main() {
	os.Exit(run(os.Args[1:], os.Stderr))
}

func run(args []string, stderr io.Writer) int {
	name := defaultCommand
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		name, args = args[0], args[1:]
	} else if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
		usage(stderr)
		return 0
	}
	if name == "help" {
		if len(args) > 0 {
			if c, ok := commands[args[0]]; ok {
				return exitCode(c.Run([]string{"--help"}), stderr)
			}
		}
		usage(stderr)
		return 0
	}
	c, ok := commands[name]
	if !ok {
		fmt.Fprintf(stderr, "scalelab: unknown command %q\n\n", name)
		usage(stderr)
		return 2
	}
	return exitCode(c.Run(args), stderr)
}

func exitCode(err error, stderr io.Writer) int {
	var ee exitError
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &ee):
		return ee.code
	default:
		fmt.Fprintf(stderr, "scalelab: %v\n", err)
		return 1
	}
}

func usage(w io.Writer) {
	fmt.Fprintln(w, `scalelab — a terminal workshop on scaling a backend, with a real lab beside the text.

Usage:
  scalelab [flags]            start the workshop (the built-in scenario)
  scalelab COMMAND [flags]    run one part of the lab without the workshop

Commands:`)
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-14s %s\n", n, commands[n].Summary)
	}
	fmt.Fprintln(w, `
Run 'scalelab COMMAND --help' for a command's flags.
Environment: DATABASE_URL points the lab at an existing PostgreSQL instead of its private one;
SCALELAB_HOME moves the data directory (default: $XDG_DATA_HOME/scalelab or ~/.local/share/scalelab).`)
}

// newFlagSet makes a FlagSet whose --help prints the command's usage line and flags.
func newFlagSet(name, usageLine, about string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.Usage = func() {
		out := fs.Output()
		fmt.Fprintf(out, "Usage: scalelab %s\n\n%s\n\nFlags:\n", usageLine, about)
		fs.PrintDefaults()
	}
	return fs
}
