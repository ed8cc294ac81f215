package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"

	"scalelab/lab/feed"
	"scalelab/lab/load"
	"scalelab/lab/numfmt"
	"scalelab/lab/running"
	"scalelab/lab/singleserver"
	"scalelab/tui"
)

func init() {
	register(command{Name: "loadtest", Summary: "load the feed API with 100 concurrent users for 30 s and print the scenario's table", Run: runLoadtest})
}

// loadtestArgs are the flags of `scalelab loadtest`.
type loadtestArgs struct {
	load.Options
	labFlags        // --db, --rows (cmd_common.go)
	preset   string // broken | fixed (lab only)
	json     bool

	presetSet bool   // --preset was given
	measuring string // the running lab measured instead of starting one ("" when none)
}

func runLoadtest(args []string) error {
	fs := newFlagSet("loadtest", "loadtest [-c 100] [-z 30s] [-n N] [--preset broken|fixed] [--url URL] [--json] [--db URL] [--rows N]",
		"Sends concurrent users to the feed API (hey's load generator, in this process) and prints hey's\n"+
			"summary, then the scenario's table: success rate, failed requests, average and p99 latency,\n"+
			"requests per second, and the failures grouped by cause. Without --url it measures the lab that\n"+
			"runs already (the workshop or 'scalelab serve', found in the data home: it says which, and the\n"+
			"stage its API reports), else it starts one (the private PostgreSQL and the feed API with\n"+
			"--preset's knobs); with --url it loads any URL. Every finished run is kept in the run history\n"+
			"(runs.json in the data home).")
	var a loadtestArgs
	fs.IntVar(&a.Concurrency, "c", load.DefaultConcurrency, fmt.Sprintf("concurrent users (workers), 1 to %d", load.MaxConcurrency))
	fs.DurationVar(&a.Duration, "z", load.DefaultDuration, "how long to load; 0 with -n: until -n requests are done")
	fs.IntVar(&a.Requests, "n", 0, "stop after this many requests, at least -c (0: run for -z); rounded down to a multiple of -c, as hey does")
	fs.DurationVar(&a.Timeout, "timeout", load.DefaultTimeout, "per-request timeout")
	fs.StringVar(&a.preset, "preset", "broken", "the API's connection knobs when the lab is started: broken or fixed")
	fs.StringVar(&a.URL, "url", "", "load this URL instead of starting the lab (e.g. http://127.0.0.1:3000/feed of a running 'scalelab serve')")
	fs.BoolVar(&a.json, "json", false, "print one JSON object instead of the summary and table")
	a.labFlags.register(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := a.labFlags.check(fs); err != nil {
		return err
	}
	a.presetSet = explicit(fs, "preset")
	if explicit(fs, "n") && !explicit(fs, "z") {
		a.Duration = 0 // -n alone: run until the count is done, like hey
	}
	ctx, stop := signalContext(context.Background()) // a second Ctrl+C kills at once
	defer stop()
	return loadtest(ctx, os.Stdout, os.Stderr, a)
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

// loadtest runs one load test and prints it to stdout; progress goes to stderr when it is a terminal.
func loadtest(ctx context.Context, stdout, stderr io.Writer, a loadtestArgs) error {
	progress := progressLine(stderr, a.json)
	var (
		rec *load.Record
		err error
	)
	if a.URL == "" {
		// The learner's lab, when another terminal runs it (the workshop, `scalelab serve`):
		// measure that one rather than a broken lab of our own.
		if r, ok := findRunningLab(); ok {
			a.URL = r.URL()
			a.measuring = r.Describe()
			if a.presetSet {
				fmt.Fprintf(stderr, "scalelab: --preset %s is not used: %s keeps its own knobs\n", a.preset, r.Describe())
			}
		} else if r, err := running.Find(); err == nil {
			// Its process runs but its API does not answer (restarting, or stopped): say so,
			// as the run of a lab of our own is not a run of that one.
			fmt.Fprintf(stderr, "scalelab: %s does not answer, so this run starts a lab of its own; to measure that one, start its API again and run this again\n", r.Describe())
		}
	}
	if a.URL == "" || a.measuring != "" || isRunningLab(a.URL) {
		// One load test at a time in a data home: the workshop's and this one would measure
		// each other.
		release, lerr := running.LockLoad("scalelab loadtest")
		if lerr != nil {
			return lerr
		}
		defer release()
	}
	if a.URL != "" {
		rec, err = loadURL(ctx, a.Options, progress, stderr, a.measuring)
	} else {
		rec, err = loadLab(ctx, a, progress, stderr)
	}
	progress.done()
	if rec == nil {
		return err
	}
	// A record comes with an error when the run was cancelled, or when the run was made but
	// stopping the lab afterwards failed: the figures are printed either way.
	if a.json {
		if werr := printLoadJSON(stdout, rec); werr != nil {
			return werr
		}
	} else {
		fmt.Fprint(stdout, rec.Result.Summary)
		printLoadTable(stdout, rec)
	}
	if errors.Is(err, context.Canceled) {
		return fmt.Errorf("load test cancelled after %.1fs: the partial figures above are not recorded in the run history", rec.Result.Elapsed.Seconds())
	}
	return err
}

// loadURL loads any URL. When it is a scalelab API in another process (`scalelab serve`), its
// /metrics explain the failures by cause (counters read before and after the run) and its
// /health gives the stage (its preset and the index) and the rows; otherwise the run is custom
// and its failures are what the client saw.
//
// measuring names the running lab that URL belongs to (found in the data home): the stage is
// said on stderr before the run.
func loadURL(ctx context.Context, opt load.Options, progress *progressPrinter, stderr io.Writer, measuring string) (*load.Record, error) {
	opt, err := opt.Normalize()
	if err != nil {
		return nil, err
	}
	health, herr := load.ReadHealth(ctx, opt.URL)
	if measuring != "" {
		stage := singleserver.StageTitle(remoteStage(health))
		if herr != nil {
			stage = "unknown (its /health did not answer: " + firstLineOf(herr.Error()) + ")"
		}
		fmt.Fprintf(stderr, "scalelab: measuring %s, stage %s\n", measuring, stage)
	}
	before, berr := load.ScrapeFailures(ctx, opt.URL)
	res, err := load.Run(ctx, opt, progress.update)
	if res == nil {
		return nil, err
	}
	if berr == nil {
		if after, aerr := load.ScrapeFailures(context.WithoutCancel(ctx), opt.URL); aerr == nil {
			res.AttributeServerCauses(load.DiffCounts(before, after))
		}
	}
	rec := &load.Record{Options: opt, State: remoteStage(health), Rows: health.Rows, Result: res}
	res.State = rec.State
	if err != nil {
		return rec, err
	}
	return saveRun(rec, stderr), nil
}

// remoteStage names the stage of a scalelab API from what its /health reports: its preset and
// whether the index is there; custom for anything else.
func remoteStage(h load.Health) string {
	if h.Index == nil {
		return load.StateCustom
	}
	k, err := feed.ParsePreset(h.Preset)
	if err != nil {
		return load.StateCustom
	}
	return singleserver.StageOf(k, *h.Index)
}

// saveRun adds a finished run to the history. A history that cannot be written costs the record,
// not the run: the error says so and the figures are still printed.
func saveRun(rec *load.Record, stderr io.Writer) *load.Record {
	h := openHistory(stderr)
	if h == nil {
		return rec
	}
	saved, err := h.Add(*rec)
	if err != nil {
		fmt.Fprintf(stderr, "scalelab: this run was not saved in the run history: %v\n", err)
		return rec
	}
	return &saved
}

// openHistory opens the run history in the data home and says on stderr when it was unreadable
// and moved aside. It returns nil, after saying so, when the history cannot be opened: runs are
// then not recorded.
func openHistory(stderr io.Writer) *load.History {
	h, err := load.OpenDefaultHistory()
	if err != nil {
		fmt.Fprintf(stderr, "scalelab: the run history cannot be opened, so this run is not saved in it: %v\n", err)
		return nil
	}
	if h.Recovered != "" {
		fmt.Fprintf(stderr, "scalelab: the run history was unreadable and was moved to %s; starting a new one\n", h.Recovered)
	}
	return h
}

// printLoadTable prints the scenario's table and the failures by cause (plain mode prints runs
// the same way).
func printLoadTable(w io.Writer, rec *load.Record) { tui.WriteRunTable(w, rec) }

// printLoadJSON prints the run as one JSON object (the Result's keys plus the run's settings).
func printLoadJSON(w io.Writer, rec *load.Record) error {
	r := *rec.Result
	r.Summary, r.Messages = "", nil
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	m["url"] = rec.Options.URL
	m["concurrency"] = rec.Options.Concurrency
	m["duration_s"] = rec.Options.Duration.Seconds()
	m["requests"] = rec.Options.Requests
	if rec.Rows > 0 {
		m["rows"] = rec.Rows
	}
	if rec.ID > 0 {
		m["run_id"] = rec.ID
	}
	enc := json.NewEncoder(w)
	return enc.Encode(m)
}

// progressPrinter keeps one line on a terminal up to date while a run goes.
type progressPrinter struct {
	w       io.Writer
	enabled bool
	drawn   bool
}

func progressLine(stderr io.Writer, quiet bool) *progressPrinter {
	p := &progressPrinter{w: stderr}
	if f, ok := stderr.(*os.File); ok && !quiet && term.IsTerminal(int(f.Fd())) {
		p.enabled = true
	}
	return p
}

func (p *progressPrinter) update(pr load.Progress) {
	if p == nil || !p.enabled {
		return
	}
	const width = 24
	filled := int(pr.Fraction() * width)
	bar := strings.Repeat("█", filled) + strings.Repeat("░", width-filled)
	total := ""
	if pr.Duration > 0 {
		total = fmt.Sprintf(" / %.0fs", pr.Duration.Seconds())
	}
	fmt.Fprintf(p.w, "\r\033[K  loading %5.1fs%s %s %s requests", pr.Elapsed.Seconds(), total, bar, numfmt.Int(pr.Requests))
	p.drawn = true
}

func (p *progressPrinter) done() {
	if p != nil && p.drawn {
		fmt.Fprint(p.w, "\r\033[K")
		p.drawn = false
	}
}

// loadLab starts the lab (private PostgreSQL or --db, the posts table, the feed API on a free
// port with --preset's knobs), loads its /feed, records the run and stops the lab again.
func loadLab(ctx context.Context, a loadtestArgs, progress *progressPrinter, stderr io.Writer) (*load.Record, error) {
	knobs, err := feed.ParsePreset(a.preset)
	if err != nil {
		return nil, err
	}
	cfg := a.labFlags.config(stderr)
	cfg.Knobs = knobs
	cfg.Logf = func(format string, args ...any) {
		if !a.json {
			progress.done()
			fmt.Fprintf(stderr, "scalelab: "+format+"\n", args...)
		}
	}
	var rec *load.Record
	err = withLab(ctx, stderr, cfg, func(ctx context.Context, l *singleserver.Lab) error {
		h := openHistory(stderr)
		opt := a.Options
		opt.URL = ""
		var err error
		rec, err = l.LoadTest(ctx, h, opt, progress.update)
		if rec != nil && err != nil && !errors.Is(err, context.Canceled) && h != nil {
			// The run itself worked; only saving it failed.
			fmt.Fprintf(stderr, "scalelab: this run was not saved in the run history: %v\n", err)
			err = nil
		}
		return err
	})
	return rec, err
}

func firstLineOf(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
