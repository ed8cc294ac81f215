package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"scalelab/lab"
	"scalelab/lab/running"
)

// maxRows is the most posts --rows takes.
const maxRows = 10_000_000

// minReplicas and maxReplicas bound --replicas.
const minReplicas, maxReplicas = 2, 8

// labFlags are the flags every command that starts a lab shares: --db, --rows and --replicas
// (the lab itself is chosen before: chosenLab).
type labFlags struct {
	db       string
	rows     int
	rowsSet  bool // --rows was given: reseed a table holding another count
	replicas int
}

// register adds --db, --rows and --replicas to fs.
func (f *labFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.db, "db", os.Getenv("DATABASE_URL"),
		"an existing PostgreSQL to use instead of the private cluster (default $DATABASE_URL)")
	fs.IntVar(&f.rows, "rows", 0,
		fmt.Sprintf("posts in the table, 1 to %d (default: the lab's; seeded when the table is empty, or when given and the count differs)", maxRows))
	fs.IntVar(&f.replicas, "replicas", 0,
		fmt.Sprintf("copies of the API behind the load balancer, %d to %d (default: the lab's; ignored by labs without replicas, such as single-server)", minReplicas, maxReplicas))
}

// check validates the flags after fs.Parse, for a command that takes no positional argument.
func (f *labFlags) check(fs *flag.FlagSet) error {
	if err := f.checkValues(fs); err != nil {
		return err
	}
	return noArgs(fs)
}

// checkValues validates --rows and --replicas after fs.Parse and notes whether it was given.
func (f *labFlags) checkValues(fs *flag.FlagSet) error {
	f.rowsSet = explicit(fs, "rows")
	if f.rowsSet && (f.rows < 1 || f.rows > maxRows) {
		return fmt.Errorf("--rows %d is out of range: pass a number from 1 to %d", f.rows, maxRows)
	}
	if explicit(fs, "replicas") && (f.replicas < minReplicas || f.replicas > maxReplicas) {
		return fmt.Errorf("--replicas %d is out of range: pass a number from %d to %d", f.replicas, minReplicas, maxReplicas)
	}
	return nil
}

// noArgs rejects positional arguments left after fs.Parse.
func noArgs(fs *flag.FlagSet) error {
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q: see 'scalelab %s --help'", fs.Arg(0), fs.Name())
	}
	return nil
}

// config turns the flags into a lab configuration that logs to stderr.
func (f *labFlags) config(stderr io.Writer) lab.Config {
	return lab.Config{
		DBURL:    f.db,
		Rows:     f.rows,
		Reseed:   f.rowsSet,
		Replicas: f.replicas,
		Logf:     func(format string, args ...any) { fmt.Fprintf(stderr, "scalelab: "+format+"\n", args...) },
	}
}

// explicit tells whether a flag was given on the command line.
func explicit(fs *flag.FlagSet, name string) bool {
	found := false
	fs.Visit(func(f *flag.Flag) {
		if f.Name == name {
			found = true
		}
	})
	return found
}

// signalContext is canceled on SIGINT (Ctrl+C) or SIGTERM. After the first
// signal the default behaviour is restored, so a second Ctrl+C kills at once.
func signalContext(parent context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(parent)
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	go func() {
		select {
		case <-sig:
			signal.Stop(sig)
			cancel()
		case <-ctx.Done():
			signal.Stop(sig)
		}
	}()
	return ctx, cancel
}

// errInterrupted is returned when a signal stopped the lab while it started.
var errInterrupted = errors.New("interrupted: the lab was stopped before it was ready")

// withLab makes the lab labName with cfg and starts it (progress lines on stderr), runs fn,
// and stops everything when fn returns, or when ctx is canceled or a SIGINT/SIGTERM arrives
// (fn's ctx is canceled then: fn should return). While a lab with a server runs, other
// terminals find it in the data home (lab/running).
func withLab(ctx context.Context, stderr io.Writer, labName string, cfg lab.Config, fn func(ctx context.Context, l lab.Lab) error) error {
	ctx, cancel := signalContext(ctx)
	defer cancel()
	l, err := lab.New(labName, cfg)
	if err != nil {
		return err
	}
	if err := l.Start(ctx); err != nil {
		l.Close()
		if ctx.Err() != nil {
			return errInterrupted
		}
		return err
	}
	if addr := l.Status(ctx).Addr; addr != "" {
		if h, werr := running.WriteLab(l.Name(), addr, commandName()); werr == nil {
			defer h.Remove()
		} else {
			fmt.Fprintf(stderr, "scalelab: other terminals will not find this lab (%v)\n", werr)
		}
	}
	err = fn(ctx, l)
	if cerr := l.Close(); cerr != nil && err == nil {
		err = fmt.Errorf("stopping the lab: %w", cerr)
	}
	return err
}

// commandName names this process for the running lab's record: "scalelab serve".
func commandName() string {
	for _, a := range os.Args[1:] {
		if !strings.HasPrefix(a, "-") {
			return "scalelab " + a
		}
	}
	return "scalelab"
}

// findRunningLab returns the lab another scalelab process serves (the workshop, `scalelab
// serve`), when one runs and its API accepts connections (its database may be down: the run
// then says so, as it would in the workshop).
func findRunningLab() (running.Record, bool) {
	r, err := running.Find()
	if err != nil {
		return r, false
	}
	c, err := net.DialTimeout("tcp", r.Addr, 2*time.Second)
	if err != nil {
		return r, false
	}
	c.Close()
	return r, true
}

// isRunningLab tells whether a --url points at the API of the lab another scalelab process
// records in the data home.
func isRunningLab(rawURL string) bool {
	r, err := running.Find()
	if err != nil {
		return false
	}
	u, err := url.Parse(rawURL)
	return err == nil && u.Host == r.Addr
}
