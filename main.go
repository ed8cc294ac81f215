// Command scalelab is a terminal workshop runner: it walks a learner through a scaling scenario
// beside a real lab (for the first scenario, a feed API on a real PostgreSQL loaded by 100
// concurrent users).
//
// main.go dispatches: the runner's own commands are listed here, each in its cmd_*.go file; the
// lab commands (`scalelab loadtest`, `apply-fix` ...) are made from the lab's action
// records (cmd_lab.go), so a new action of a lab is a new command without a line here.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"scalelab/lab"
	_ "scalelab/lab/loadbalancing" // registers the load-balancing lab (Scenario 2)
	_ "scalelab/lab/singleserver"  // registers the single-server lab
)

// command is one of the runner's own `scalelab NAME` subcommands.
type command struct {
	Summary string                    // one line for `scalelab help`
	Run     func(args []string) error // parses its own flags from args
}

// commands are the runner's own commands, whatever the lab.
var commands = map[string]command{
	"workshop": {"the workshop: read the scenario and answer its questions (the default)", runWorkshop},
	"open":     {"run the workshop on a scenario FILE instead of the built-in one", runOpen},
	"lint":     {"check a scenario FILE: its steps, questions, tables, tasks and actions, or its errors", runLint},
	"export":   {"write your answers and results into the scenario's markdown (stdout or -o FILE)", runExport},
	"doctor":   {"check what the labs need: PostgreSQL, HAProxy (Scenario 2), data dir, terminal", runDoctor},
	"psql":     {"open psql on the lab's database (--url prints its URL instead)", runPsql},
	"class":    {"the classroom: serve the workshop over SSH (serve), the instructor's board, the class's export", runClass},
}

// defaultCommand runs when scalelab is started with no subcommand (or only flags).
const defaultCommand = "workshop"

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
	} else if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
		name, args = "help", args[1:]
	}
	if name == "help" {
		return help(args, stderr)
	}
	if c, ok := commands[name]; ok {
		return exitCode(c.Run(args), stderr)
	}
	labName, err := chosenLab(args)
	if err != nil {
		return exitCode(err, stderr)
	}
	if _, ok := labCommand(labName, name); !ok {
		fmt.Fprintf(stderr, "scalelab: unknown command %q\n\n", name)
		usage(stderr, labName)
		return 2
	}
	return exitCode(runLabCommand(labName, name, args), stderr)
}

// help is `scalelab help [COMMAND] [--lab NAME]`: the usage with the lab's commands, or one
// command's flags.
func help(args []string, stderr io.Writer) int {
	labName, err := chosenLab(args)
	if err != nil {
		return exitCode(err, stderr)
	}
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		if c, ok := commands[args[0]]; ok {
			return exitCode(c.Run([]string{"--help"}), stderr)
		}
		if _, ok := labCommand(labName, args[0]); ok {
			return exitCode(runLabCommand(labName, args[0], []string{"--lab", labName, "--help"}), stderr)
		}
	}
	usage(stderr, labName)
	return 0
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

// usage lists the runner's commands and the commands of the lab named labName, from its
// action records (their Help lines).
func usage(w io.Writer, labName string) {
	fmt.Fprintln(w, `scalelab — a terminal workshop on scaling a backend, with a real lab beside the text.

Usage:
  scalelab [flags]            start the workshop (the built-in scenario you last worked in)
  scalelab COMMAND [flags]    run one part of the lab without the workshop

Commands:`)
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-14s %s\n", n, commands[n].Summary)
	}
	if l, err := lab.New(labName, lab.Config{}); err == nil {
		fmt.Fprintf(w, "\nCommands of the %s lab (--lab NAME for another: %s):\n", l.Name(), strings.Join(lab.Names(), ", "))
		for _, a := range cliActions(l) {
			fmt.Fprintf(w, "  %-14s %s\n", cliName(a), cliHelp(a))
		}
	} else {
		fmt.Fprintf(w, "\n%v\n", err)
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
