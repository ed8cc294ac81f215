package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"path/filepath"
	"time"

	"scalelab/class/board"
	"scalelab/class/room"
	"scalelab/class/server"
	"scalelab/content/worksheet"
	"scalelab/lab/home"
	"scalelab/lab/load"
	"scalelab/tui"
)

// The classroom: `scalelab class serve` runs the workshop over SSH for a room of learners,
// `scalelab class board` shows the room to the instructor, `scalelab class export` writes the
// class's results.

const classUsage = `Usage: scalelab class serve|board|export [flags]

  serve    run the workshop over SSH: every learner runs ` + "`ssh -p 2222 NAME@HOST`" + ` and gets
           their own worksheet and lab; load tests are queued so that at most K run at once
  board    the instructor's board of the running class (projector theme): every learner's
           step, answers and runs, the class's medians; send a message or a step to everyone
  export   write the class's results as markdown (stdout, or --md FILE) and CSV (--csv FILE)

Run 'scalelab class COMMAND --help' for its flags.`

func runClass(args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprintln(os.Stderr, classUsage)
		if len(args) == 0 {
			return errors.New("class needs a command: serve, board or export")
		}
		return nil
	}
	switch args[0] {
	case "serve":
		return runClassServe(args[1:], os.Stdout)
	case "board":
		return runClassBoard(args[1:])
	case "export":
		return runClassExport(args[1:], os.Stdout)
	}
	return fmt.Errorf("unknown class command %q: use serve, board or export (scalelab class --help)", args[0])
}

// defaultClassDir is <data home>/class.
func defaultClassDir() string {
	dir, err := home.Dir()
	if err != nil {
		return "class"
	}
	return filepath.Join(dir, "class")
}

func classDirFlag(fs *flag.FlagSet) *string {
	return fs.String("dir", defaultClassDir(), "the class directory: the host key, learners.json, every learner's files, the control socket")
}

func runClassServe(args []string, stdout io.Writer) error {
	fs := newFlagSet("class serve", "class serve [--addr HOST:PORT] [--dir DIR] [--keys FILE | --code CODE] [--slots K] [--max-learners N] [--idle D] [--metrics-addr HOST:PORT|off] [--db URL] [--no-lab]",
		"Run the workshop over SSH for a class. Every learner connects with `ssh -p 2222 NAME@HOST`\n"+
			"(NAME: lowercase letters, digits, '_' and '-') and gets the full workshop in their terminal,\n"+
			"with their own worksheet and their own lab (PostgreSQL cluster, API port) under\n"+
			"DIR/learners/. A learner needs an SSH key: `ssh-keygen -t ed25519` makes one; a client with\n"+
			"no key is refused. With --keys only the keys of that authorized_keys file get in; else the\n"+
			"learner types the class code once (--code, or a random one printed at start) and their key\n"+
			"is remembered. A dropped connection loses nothing: connect again to resume at the same step.\n"+
			"At most --slots load tests run at once, the rest wait in a queue (the learner sees their\n"+
			"place). The class's figures are on /metrics for Prometheus. Ctrl+C or SIGTERM stops the\n"+
			"class: every worksheet is saved and every lab stopped.")
	var cfg server.Config
	dir := classDirFlag(fs)
	fs.StringVar(&cfg.Addr, "addr", server.DefaultAddr, "where the SSH server listens (loopback by default: pass e.g. 0.0.0.0:2222 to let a room's network in)")
	fs.StringVar(&cfg.KeysFile, "keys", "", "an authorized_keys FILE: only these keys get in (then no class code)")
	fs.StringVar(&cfg.Code, "code", "", "the class code learners type once (default: a random one, printed)")
	fs.IntVar(&cfg.Slots, "slots", 0, "load tests that may run at once (default: half the machine's cores, at least 1)")
	fs.DurationVar(&cfg.Idle, "idle", server.DefaultIdle, "a learner away this long has their lab stopped (started again when they return)")
	fs.StringVar(&cfg.MetricsAddr, "metrics-addr", server.DefaultMetricsAddr, "where /metrics is served for Prometheus, or off")
	fs.StringVar(&cfg.SharedDB, "db", os.Getenv("DATABASE_URL"), "a PostgreSQL for every learner's lab instead of a private cluster each (default $DATABASE_URL; its user must create roles and databases): each learner gets a database and a role of their own there, limited to --db-conns connections")
	fs.IntVar(&cfg.SharedConns, "db-conns", server.DefaultSharedConns, "with --db: each learner's connection limit on it (their private cluster's max_connections otherwise)")
	fs.IntVar(&cfg.MaxLearners, "max-learners", server.DefaultMaxLearners, "how many learners may join the class (each with one name and one key); a new learner beyond it is refused")
	fs.BoolVar(&cfg.NoLab, "no-lab", false, "text-only sessions: no lab for anyone (a reading class, a memory test)")
	fs.IntVar(&cfg.Users, "users", 0, fmt.Sprintf("concurrent users of every learner's load tests, 1 to %d (default: each command's -c)", load.MaxConcurrency))
	fs.DurationVar(&cfg.Duration, "duration", 0, "how long every learner's load test runs, e.g. 10s (default: each command's -z): shorter runs queue less")
	theme := fs.String("theme", "default", "the learners' colours: default or projector")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	if explicit(fs, "users") && (cfg.Users < 1 || cfg.Users > load.MaxConcurrency) {
		return fmt.Errorf("--users %d is out of range: pass a number from 1 to %d", cfg.Users, load.MaxConcurrency)
	}
	if explicit(fs, "duration") && (cfg.Duration < time.Second || cfg.Duration > time.Hour) {
		return fmt.Errorf("--duration %v is out of range: pass a duration from 1s to 1h, e.g. --duration 10s", cfg.Duration)
	}
	if cfg.SharedConns < 1 {
		return fmt.Errorf("--db-conns %d is out of range: pass at least 1", cfg.SharedConns)
	}
	if cfg.MaxLearners < 1 {
		return fmt.Errorf("--max-learners %d is out of range: pass at least 1", cfg.MaxLearners)
	}
	if explicit(fs, "slots") && cfg.Slots < 1 {
		return fmt.Errorf("--slots %d is out of range: pass at least 1", cfg.Slots)
	}
	if explicit(fs, "idle") && cfg.Idle < time.Second {
		return fmt.Errorf("--idle %v is too short: pass a duration of at least 1s, e.g. --idle 20m", cfg.Idle)
	}
	var ok bool
	if cfg.Theme, ok = tui.ParseTheme(*theme); !ok {
		return fmt.Errorf("unknown theme %q: use --theme default or --theme projector", *theme)
	}
	cfg.Dir = *dir
	// the server's own log: stderr, and never a learner's screen
	logger := log.New(os.Stderr, "scalelab class: ", log.LstdFlags)
	cfg.Logf = logger.Printf
	srv, err := server.New(cfg)
	if err != nil {
		return err
	}
	if w := srv.Exposure(); w != "" {
		fmt.Fprintln(os.Stderr, "scalelab: "+w)
	}
	printJoin(stdout, srv, cfg)
	ctx, stop := signalContext(context.Background())
	defer stop()
	err = srv.Run(ctx)
	fmt.Fprintln(stdout, "scalelab: the class server stopped: every worksheet is saved and every lab stopped")
	return err
}

// printJoin says how learners join and how the instructor watches.
func printJoin(w io.Writer, srv *server.Server, cfg server.Config) {
	host, port, _ := net.SplitHostPort(srv.Addr().String())
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		host = "THIS-MACHINE"
	}
	fmt.Fprintf(w, "scalelab class: serving the workshop on %s (class directory %s)\n", srv.Addr(), srv.Dir())
	fmt.Fprintf(w, "  learners join with:   ssh -p %s NAME@%s   (an SSH key is needed: ssh-keygen -t ed25519)\n", port, host)
	if code := srv.Code(); code != "" {
		fmt.Fprintf(w, "  the class code:       %s   (typed once; the learner's key is then remembered)\n", code)
	} else {
		fmt.Fprintf(w, "  who gets in:          the keys of %s only\n", cfg.KeysFile)
	}
	fmt.Fprintf(w, "  the board:            scalelab class board --dir %s\n", srv.Dir())
	if m := srv.MetricsAddr(); m != nil {
		fmt.Fprintf(w, "  Prometheus:           http://%s/metrics\n", m)
	}
	fmt.Fprintln(w, "  stop with Ctrl+C: every worksheet is saved and every lab stopped")
}

func runClassBoard(args []string) error {
	fs := newFlagSet("class board", "class board [--dir DIR] [--theme projector|default]",
		"Show the running class full-screen, for the projector: one row per learner (step, answers,\n"+
			"a marker while their load test runs, their runs per stage), the class's medians per stage, a\n"+
			"chart of the class's runs. The keys (? lists them) sort and page the rows, send a one-line\n"+
			"message to every learner's status line, or send everyone to a step. It reads the class server\n"+
			"running on DIR (its control socket); start one first with `scalelab class serve`.")
	dir := classDirFlag(fs)
	theme := fs.String("theme", "projector", "colours: projector (bold, 16 basic colours) or default")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	opt := board.DefaultOptions()
	var ok bool
	if opt.Theme, ok = tui.ParseTheme(*theme); !ok {
		return fmt.Errorf("unknown theme %q: use --theme projector or --theme default", *theme)
	}
	opt.NoColor = os.Getenv("NO_COLOR") != ""
	c := room.Dial(filepath.Join(*dir, server.SocketFile))
	defer c.Close()
	ctx, stop := signalContext(context.Background())
	defer stop()
	// the board's first read says at once when no server runs, before the screen is taken
	sctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	_, err := c.Snapshot(sctx)
	cancel()
	if err != nil {
		return err
	}
	return board.Run(ctx, c, opt, os.Stdin, os.Stdout)
}

func runClassExport(args []string, stdout io.Writer) error {
	fs := newFlagSet("class export", "class export [--dir DIR] [--csv FILE] [--md FILE]",
		"Write the running class's results: the class's median per stage of each scenario (its\n"+
			"comparison table) and every learner's progress, as markdown (stdout by default, or --md\n"+
			"FILE), and every learner's runs as CSV (--csv FILE). It reads the class server running on\n"+
			"DIR; start one first with `scalelab class serve`.")
	dir := classDirFlag(fs)
	csvPath := fs.String("csv", "", "write one row per learner run to this CSV FILE")
	mdPath := fs.String("md", "", "write the markdown to this FILE instead of stdout")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	c := room.Dial(filepath.Join(*dir, server.SocketFile))
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	snap, err := c.Snapshot(ctx)
	if err != nil {
		return err
	}
	if *csvPath != "" {
		if err := writeWith(*csvPath, func(w io.Writer) error { return room.WriteCSV(w, snap) }); err != nil {
			return err
		}
	}
	if *mdPath != "" {
		return writeWith(*mdPath, func(w io.Writer) error { return room.WriteMarkdown(w, snap) })
	}
	if *csvPath != "" {
		return nil // only the CSV was asked for
	}
	return room.WriteMarkdown(stdout, snap)
}

// writeWith writes a private file (0600) atomically with write.
func writeWith(path string, write func(io.Writer) error) error {
	var b bytes.Buffer
	if err := write(&b); err != nil {
		return err
	}
	if err := worksheet.WriteFileAtomic(path, b.Bytes()); err != nil {
		return fmt.Errorf("writing %s: %w (check the path)", path, err)
	}
	return nil
}
