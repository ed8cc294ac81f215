package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"text/tabwriter"
	"time"

	"github.com/muesli/termenv"
	"golang.org/x/term"

	"scalelab/lab/haproxy"
	"scalelab/lab/home"
	"scalelab/lab/pg"
)

// runDoctor is `scalelab doctor`: what the lab needs, found or missing.
func runDoctor(args []string) error {
	fs := newFlagSet("doctor", "doctor [--db URL]",
		"Reports what scalelab found on this machine: the PostgreSQL binaries and their version, the\n"+
			"private cluster's data dir and whether it runs, HAProxy (Scenario 2's load balancer), the\n"+
			"DATABASE_URL in use, the terminal, and the data home. Starts nothing. Exits non-zero, with what\n"+
			"to do, when something needed is missing; a missing HAProxy is a warning (Scenario 1 runs without it).")
	db := fs.String("db", os.Getenv("DATABASE_URL"), "an existing PostgreSQL to check instead of the private cluster (default $DATABASE_URL)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return doctor(ctx, os.Stdout, *db)
}

// doctor prints its findings to w and returns an error saying what to fix when the lab cannot run.
func doctor(ctx context.Context, w io.Writer, dbURL string) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	row := func(k, format string, args ...any) { fmt.Fprintf(tw, "  %s\t%s\n", k, fmt.Sprintf(format, args...)) }
	var problems []string

	fmt.Fprintln(w, "scalelab doctor")

	// Data home.
	dir, err := home.Dir()
	if err != nil {
		row("data home", "UNUSABLE: %v", err)
		problems = append(problems, "the data home is not writable: set SCALELAB_HOME to a writable directory")
	} else {
		src := "default"
		if os.Getenv("SCALELAB_HOME") != "" {
			src = "SCALELAB_HOME"
		}
		if werr := canWrite(dir); werr != nil {
			row("data home", "%s (%s) NOT WRITABLE: %v", dir, src, werr)
			problems = append(problems, fmt.Sprintf("the data home %s cannot be written (%v): answers, runs and the database would not be saved; make it writable (or free some space), or set SCALELAB_HOME to a writable directory", dir, werr))
		} else {
			row("data home", "%s (%s)", dir, src)
		}
	}

	// PostgreSQL.
	st := pg.Inspect(ctx, pg.Options{})
	if st.BinErr != nil {
		row("PostgreSQL", "NOT FOUND (%v)", st.BinErr)
		if dbURL == "" {
			problems = append(problems, pg.ErrBinariesNotFound.Error())
		}
	} else {
		row("PostgreSQL", "%s in %s", st.Binaries.Version, st.Binaries.Dir)
		row("runs as", "%s%s", st.RunAs, rootNote())
		switch {
		case st.DataDir == "":
			row("cluster dir", "unknown")
		case st.Initialized && st.DataVersion != fmt.Sprint(st.Binaries.Major):
			row("cluster dir", "%s (made by PostgreSQL %s, binaries are %d)", st.DataDir, st.DataVersion, st.Binaries.Major)
			problems = append(problems, fmt.Sprintf("the cluster in %s was made by PostgreSQL %s: install that version or delete %s to start over", st.DataDir, st.DataVersion, st.DataDir))
		case st.Initialized:
			row("cluster dir", "%s (initialised, PostgreSQL %s)", st.DataDir, st.DataVersion)
		default:
			row("cluster dir", "%s (not yet: the first start runs initdb, about a second)", st.DataDir)
		}
		switch {
		case st.Running && st.Answers:
			row("cluster", "running on 127.0.0.1:%d, pid %d%s, answers", st.Port, st.PID, ownerNote(st.Owner))
			row("cluster URL", "%s (`scalelab psql --url` shows it whole)", pg.Redact(st.URL))
			if st.Legacy {
				row("passwords", "the published postgres/postgres of an older scalelab: the next start of this one replaces it with a random password")
			}
			row("server log", "%s", st.LogFile)
		case st.Running:
			row("cluster", "running on 127.0.0.1:%d, pid %d%s, NOT ANSWERING: %v", st.Port, st.PID, ownerNote(st.Owner), st.PingErr)
			problems = append(problems, fmt.Sprintf("the private PostgreSQL (pid %d) runs but does not answer: see %s; stopping scalelab (or `kill -INT %d`) lets the next start recover it", st.PID, st.LogFile, st.PID))
		default:
			row("cluster", "not running (scalelab starts it when needed)")
		}
	}

	// HAProxy: Scenario 2's load balancer; Scenario 1 runs without it, so missing is a warning.
	var warnings []string
	if bin, err := findHAProxy(); err != nil {
		row("HAProxy", "NOT FOUND (needed by Scenario 2 only)")
		warnings = append(warnings, err.Error()+": Scenario 2 (load balancing) needs it; Scenario 1 runs without it")
	} else if v, err := haproxy.Version(ctx, bin); err != nil {
		row("HAProxy", "%s DOES NOT RUN: %v (needed by Scenario 2 only)", bin, err)
		warnings = append(warnings, fmt.Sprintf("%s does not run (%v): reinstall haproxy for Scenario 2; Scenario 1 runs without it", bin, err))
	} else {
		row("HAProxy", "%s at %s (Scenario 2)", v, bin)
	}

	// External server.
	if dbURL == "" {
		row("DATABASE_URL", "not set: the lab uses its private cluster")
	} else {
		srv, err := pg.Open(ctx, pg.Options{URL: dbURL})
		if err != nil {
			row("DATABASE_URL", "%s UNREACHABLE", pg.Redact(dbURL))
			problems = append(problems, err.Error())
		} else {
			row("DATABASE_URL", "%s answers (PostgreSQL %s): the lab uses it instead of the private cluster", pg.Redact(dbURL), srv.Info().Version)
			srv.Close()
		}
	}

	// Terminal.
	termName := os.Getenv("TERM")
	if termName == "" {
		termName = "(unset)"
	}
	fd := int(os.Stdout.Fd())
	size := "not a terminal (output is redirected)"
	if term.IsTerminal(fd) {
		if cols, rows, err := term.GetSize(fd); err == nil {
			size = fmt.Sprintf("%dx%d", cols, rows)
			if cols < 80 || rows < 24 {
				size += " (smaller than 80x24: the workshop squeezes; enlarge the window)"
			}
		}
	}
	out := termenv.NewOutput(os.Stdout)
	colour := profileName(out.EnvColorProfile())
	if out.EnvNoColor() {
		colour += " (NO_COLOR/CLICOLOR set)"
	}
	row("terminal", "TERM=%s, size %s", termName, size)
	row("colours", "%s", colour)
	if os.Getenv("TMUX") != "" {
		row("tmux", "yes")
	}
	tw.Flush()

	if len(warnings) > 0 {
		fmt.Fprintln(w, "\nwarnings:")
		for _, p := range warnings {
			fmt.Fprintf(w, "  - %s\n", p)
		}
	}
	if len(problems) > 0 {
		fmt.Fprintln(w, "\nto fix:")
		for _, p := range problems {
			fmt.Fprintf(w, "  - %s\n", p)
		}
		return exitError{code: 1}
	}
	if len(warnings) > 0 {
		fmt.Fprintln(w, "\nScenario 1 can run: `scalelab` starts the workshop")
		return nil
	}
	fmt.Fprintln(w, "\nall good: `scalelab` starts the workshop")
	return nil
}

// findHAProxy finds the haproxy binary doctor reports (a variable: the tests take it away).
var findHAProxy = haproxy.Find

// canWrite checks that a file can be created, written and removed in dir: a read-only mount, a
// directory without write permission or a full disk fail here rather than when work is saved.
func canWrite(dir string) error {
	f, err := os.CreateTemp(dir, ".doctor-*")
	if err != nil {
		return err
	}
	name := f.Name()
	_, err = f.Write(make([]byte, 4096))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if rerr := os.Remove(name); err == nil {
		err = rerr
	}
	return err
}

func profileName(p termenv.Profile) string {
	switch p {
	case termenv.TrueColor:
		return "true colour (24-bit)"
	case termenv.ANSI256:
		return "256 colours"
	case termenv.ANSI:
		return "16 colours"
	default:
		return "none (plain text)"
	}
}

func rootNote() string {
	if os.Geteuid() == 0 {
		return " (you are root; PostgreSQL refuses to run as root)"
	}
	return ""
}

func ownerNote(owner int) string {
	switch {
	case owner == 0:
		return ""
	case owner == os.Getpid():
		return ", started by this process"
	default:
		return fmt.Sprintf(", started by scalelab pid %d", owner)
	}
}
