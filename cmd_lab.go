package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"golang.org/x/term"

	"scalelab/lab"
	"scalelab/lab/feed"
	"scalelab/lab/running"
)

// The lab commands: `scalelab NAME [args]` for each action of the lab that is not Hidden,
// made from its record. The load test (Load) is cmd_loadtest.go's; the action that answers to
// "serve" starts the lab with its server in the foreground (serveMain); any other action is
// run once on a lab started for it (actionMain).

// chosenLab is the lab a lab command works on: the one --lab names in args, else the lab the
// data home records as running (the workshop's, a `scalelab serve`), else lab.Default. A name
// this build does not have is refused with the list of the labs it has.
func chosenLab(args []string) (string, error) {
	if name, given := labFlag(args); given {
		if _, err := lab.Lookup(name); err != nil {
			return "", fmt.Errorf("--lab: %w", err)
		}
		return name, nil
	}
	r, err := running.Find()
	if err != nil || r.Lab == "" {
		return lab.Default, nil
	}
	if _, err := lab.Lookup(r.Lab); err != nil {
		return "", fmt.Errorf("%s runs the lab %q: %w; pass --lab NAME", r.Describe(), r.Lab, err)
	}
	return r.Lab, nil
}

// labFlag finds --lab NAME (or -lab, or --lab=NAME) in args, before a "--".
func labFlag(args []string) (string, bool) {
	for i, a := range args {
		if a == "--" {
			break
		}
		n, v, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if !strings.HasPrefix(a, "-") || n != "lab" {
			continue
		}
		if hasValue {
			return v, true
		}
		if i+1 < len(args) {
			return args[i+1], true
		}
		return "", true
	}
	return "", false
}

// registerLabFlag adds --lab to a lab command's flags (chosenLab read it already; here it is
// parsed and shown in --help).
func registerLabFlag(fs *flag.FlagSet) {
	fs.String("lab", "", fmt.Sprintf("the lab to work on (%s; default: the running workshop's, else %s)", strings.Join(lab.Names(), ", "), lab.Default))
}

// cliActions are the lab's actions the CLI offers as commands, in the lab's order.
func cliActions(l lab.Lab) []lab.Action {
	var out []lab.Action
	for _, a := range l.Actions() {
		if !a.Hidden {
			out = append(out, a)
		}
	}
	return out
}

// labCommand finds the action `scalelab name` runs on the lab labName (an unstarted lab's
// record: its Do belongs to that unstarted lab, so the command finds it again on the lab it
// starts).
func labCommand(labName, name string) (lab.Action, bool) {
	l, err := lab.New(labName, lab.Config{})
	if err != nil {
		return lab.Action{}, false
	}
	a, ok := lab.FindAction(l, name)
	return a, ok && !a.Hidden
}

// cliName and cliHelp are how help lists an action: the serve action as `serve`, what it is
// in the CLI.
func cliName(a lab.Action) string {
	if serves(a) {
		return "serve"
	}
	return a.Name
}

func cliHelp(a lab.Action) string {
	switch {
	case serves(a):
		return "run the lab with its server in the foreground until Ctrl+C (--preset NAME: its settings)"
	case a.InWorkshop && a.Key != "":
		return fmt.Sprintf("(in the workshop: %s) %s", a.Key, a.Help)
	case a.InWorkshop:
		return "(in the workshop only) " + a.Help
	}
	return a.Help
}

// workshopOnly is the refusal of an InWorkshop action run alone: it acts on a lab the learner
// watches, and a lab started for one command would be watched by nobody.
func workshopOnly(labName, name string, a lab.Action) error {
	how := "run it from a command block of the scenario"
	if a.Key != "" {
		how = "press " + a.Key + " in the workshop"
	}
	return fmt.Errorf("%s acts on the %s lab while you watch it, so it runs in the workshop only: start `scalelab` and %s", name, labName, how)
}

// serves tells whether an action is the one `scalelab serve` names: in the CLI it starts the
// lab with its server and waits.
func serves(a lab.Action) bool { return a.Name == "serve" || slices.Contains(a.Aliases, "serve") }

// runLabCommand runs `scalelab name args` on the lab labName, on the process's streams.
func runLabCommand(labName, name string, args []string) error {
	color := term.IsTerminal(int(os.Stdout.Fd())) && os.Getenv("NO_COLOR") == ""
	return labCommandMain(context.Background(), labName, name, args, os.Stdout, os.Stderr, color)
}

// labCommandMain is runLabCommand with its context and streams; color asks for ANSI colours
// in the output (a plan's scans).
func labCommandMain(ctx context.Context, labName, name string, args []string, stdout, stderr io.Writer, color bool) error {
	a, ok := labCommand(labName, name)
	switch {
	case !ok:
		return fmt.Errorf("the %s lab has no command %q: see 'scalelab help --lab %s'", labName, name, labName)
	case a.InWorkshop:
		return workshopOnly(labName, name, a)
	case a.Load:
		return loadtestMain(ctx, labName, name, a, args, stdout, stderr)
	case serves(a):
		return serveMain(ctx, labName, name, a, args, stdout, stderr)
	}
	return actionMain(ctx, labName, name, a, args, stdout, stderr, color)
}

// splitFlags splits args into the command's own flags (those fs defines, and -h/--help) with
// their values, and the rest, which go to the lab's action as its arguments (everything after
// a "--" too).
func splitFlags(fs *flag.FlagSet, args []string) (own, rest []string) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			return own, append(rest, args[i+1:]...)
		}
		n, _, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if !strings.HasPrefix(a, "-") || a == "-" {
			rest = append(rest, a)
			continue
		}
		if n == "h" || n == "help" {
			own = append(own, a)
			continue
		}
		f := fs.Lookup(n)
		if f == nil {
			rest = append(rest, a)
			continue
		}
		own = append(own, a)
		if b, ok := f.Value.(interface{ IsBoolFlag() bool }); (!ok || !b.IsBoolFlag()) && !hasValue && i+1 < len(args) {
			own = append(own, args[i+1])
			i++
		}
	}
	return own, rest
}

// parseLabCommand parses a lab command's own flags (the lab flags, --lab, and what extra
// adds) out of args, and returns the rest: the action's arguments.
func parseLabCommand(fs *flag.FlagSet, f *labFlags, args []string, stderr io.Writer) ([]string, error) {
	fs.SetOutput(stderr)
	f.register(fs)
	registerLabFlag(fs)
	own, rest := splitFlags(fs, args)
	if err := fs.Parse(own); err != nil {
		return nil, err
	}
	return rest, f.check(fs)
}

// doAction runs the action name of the started lab l with args, its progress lines on stderr.
func doAction(ctx context.Context, l lab.Lab, name string, args []string, stderr io.Writer) (lab.Outcome, error) {
	a, ok := lab.FindAction(l, name)
	if !ok || a.Do == nil {
		return lab.Outcome{}, fmt.Errorf("the %s lab cannot run %q here", l.Name(), name)
	}
	return a.Do(ctx, lab.Request{Args: args, Progress: func(line string) { fmt.Fprintf(stderr, "scalelab: %s\n", line) }})
}

// actionMain is `scalelab NAME [args]` for an action of the lab: it starts the lab (its data
// only, unless the action needs its server), runs the action, prints what it did and stops
// the lab.
func actionMain(ctx context.Context, labName, name string, a lab.Action, args []string, stdout, stderr io.Writer, color bool) error {
	what := "its data only (no server)"
	if a.NeedsServer {
		what = "with its server"
	}
	fs := newFlagSet(name, name+" [ARGS] [--db URL] [--rows N] [--lab NAME]",
		fmt.Sprintf("%s.\n\nStarts the %s lab %s, runs %s with ARGS, prints what it did and stops the lab.", upperFirst(a.Help), labName, what, a.Name))
	var f labFlags
	rest, err := parseLabCommand(fs, &f, args, stderr)
	if err != nil {
		return err
	}
	cfg := f.config(stderr)
	cfg.DataOnly = !a.NeedsServer
	return withLab(ctx, stderr, labName, cfg, func(ctx context.Context, l lab.Lab) error {
		out, err := doAction(ctx, l, name, rest, stderr)
		if err != nil {
			return err
		}
		printOutcome(stdout, out, color)
		return nil
	})
}

// serveMain is `scalelab serve [args]`: the lab with its server in the foreground until
// Ctrl+C or SIGTERM. Arguments other than the runner's flags (--preset fixed) go to the serve
// action once the lab is up, before it says where it listens.
func serveMain(ctx context.Context, labName, name string, a lab.Action, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet(name, name+" [ARGS] [--addr HOST:PORT] [--rows N] [--replicas N] [--db URL] [--lab NAME]",
		fmt.Sprintf("Starts the %s lab in the foreground with its server and waits; Ctrl+C stops it all.\n"+
			"ARGS (e.g. --preset NAME) go to its %s action once it is up: %s.", labName, a.Name, a.Help))
	var f labFlags
	addr := fs.String("addr", "", "where the lab's server listens (host:port; port 0 picks a free one; default: the lab's)")
	rest, err := parseLabCommand(fs, &f, args, stderr)
	if err != nil {
		return err
	}
	if *addr != "" {
		if err := feed.CheckAddr(*addr); err != nil {
			return err // before starting PostgreSQL for nothing
		}
	}
	cfg := f.config(stderr)
	cfg.Addr = *addr
	err = withLab(ctx, stderr, labName, cfg, func(ctx context.Context, l lab.Lab) error {
		if len(rest) > 0 {
			out, err := doAction(ctx, l, name, rest, stderr)
			if err != nil {
				return err
			}
			printOutcome(stdout, out, false)
		}
		return serve(ctx, stdout, stderr, l)
	})
	if err == nil {
		fmt.Fprintln(stdout, "Stopped.")
	}
	return err
}

// serve prints where the lab is (and, on stderr, who else can reach it when that is more than
// this machine) and waits for ctx (Ctrl+C).
func serve(ctx context.Context, w, warn io.Writer, l lab.Lab) error {
	st := l.Status(ctx)
	if !st.Up {
		return fmt.Errorf("the %s lab started but cannot serve: %s", l.Name(), st.Err)
	}
	if st.Addr != "" {
		if msg := feed.ExposureWarning(st.Addr); msg != "" {
			fmt.Fprintf(warn, "Warning: %s\n", msg)
		}
		fmt.Fprintf(w, "Lab %s listening on http://%s\n", l.Name(), st.Addr)
	} else {
		fmt.Fprintf(w, "Lab %s up\n", l.Name())
	}
	fmt.Fprintf(w, "  %s\n", st.Line)
	fmt.Fprintf(w, "\nIn another terminal:\n")
	fmt.Fprintf(w, "  scalelab loadtest    load this lab and print the scenario's table\n")
	fmt.Fprintf(w, "  scalelab help        the lab's other commands\n")
	fmt.Fprintf(w, "\nCtrl+C stops the lab.\n")
	<-ctx.Done()
	fmt.Fprintf(w, "\nStopping...\n")
	return nil
}

// printOutcome prints what an action did: the plan it read (when it read one), its summary and
// its detail, each once (a summary that quotes the plan's verdict, or a detail that is the
// plan's text, is the plan already printed).
func printOutcome(w io.Writer, out lab.Outcome, color bool) {
	if p := out.Plan; p != nil {
		printPlan(w, *p, color)
		if p.Verdict != "" && strings.Contains(out.Summary, p.Verdict) {
			out.Summary = ""
		}
		if strings.TrimSpace(out.Detail) == strings.TrimSpace(p.Text) {
			out.Detail = ""
		}
	}
	for _, s := range []string{out.Summary, out.Detail} {
		if s != "" {
			fmt.Fprintln(w, strings.TrimRight(s, "\n"))
		}
	}
}

// printPlan prints a query plan with its scans marked (ANSI colours when color, else >>
// markers), then the line reading it.
func printPlan(w io.Writer, p lab.Plan, color bool) {
	for _, line := range strings.Split(strings.TrimRight(p.Text, "\n"), "\n") {
		fmt.Fprintln(w, highlight(line, color))
	}
	if p.Verdict != "" {
		fmt.Fprintln(w)
		fmt.Fprintln(w, p.Verdict)
	}
}

// highlight marks a plan line that reads a whole table (Seq Scan, red) or an index (green).
func highlight(line string, color bool) string {
	for _, h := range []struct{ word, ansi string }{
		{"Seq Scan", "\x1b[1;31m"},        // bold red
		{"Index Only Scan", "\x1b[1;32m"}, // bold green
		{"Index Scan", "\x1b[1;32m"},
	} {
		if !strings.Contains(line, h.word) {
			continue
		}
		if color {
			return strings.Replace(line, h.word, h.ansi+h.word+"\x1b[0m", 1)
		}
		return ">> " + line
	}
	if color {
		return line
	}
	return "   " + line
}

// upperFirst capitalises the first letter of a sentence.
func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// errNoServeAction says a lab cannot take --preset: none of its actions starts its server with
// settings.
var errNoServeAction = errors.New("this lab has no serve action to take --preset")
