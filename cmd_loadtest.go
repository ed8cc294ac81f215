package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"

	"scalelab/lab"
	"scalelab/lab/load"
	"scalelab/lab/numfmt"
	"scalelab/lab/running"
	"scalelab/tui"
)

// loadtestArgs are the flags of `scalelab loadtest`.
type loadtestArgs struct {
	load.Options
	labFlags        // --db, --rows, --replicas (cmd_common.go)
	lab      string // the lab started or measured ("" = lab.Default)
	preset   string // settings of a lab started for the run, given to its serve action
	json     bool

	presetSet bool   // --preset was given
	measuring string // the running lab measured instead of starting one ("" when none)
}

// labName is the lab of the run.
func (a loadtestArgs) labName() string {
	if a.lab == "" {
		return lab.Default
	}
	return a.lab
}

// loadtestMain is `scalelab loadtest` (the lab's Load action, under any of its names) on the
// lab labName.
func loadtestMain(ctx context.Context, labName, name string, act lab.Action, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet(name, name+" [-c 100] [-z 30s] [-n N] [--preset NAME] [--url URL] [--json] [--db URL] [--rows N] [--replicas N] [--lab NAME]",
		upperFirst(act.Help)+".\n\n"+
			"Sends concurrent users to the lab's API (hey's load generator, in this process) and prints hey's\n"+
			"summary, then the scenario's table: success rate, failed requests, average and p99 latency,\n"+
			"requests per second, and the failures grouped by cause. Without --url it measures the lab that\n"+
			"runs already (the workshop or 'scalelab serve', found in the data home: it says which, and the\n"+
			"stage its API reports), else it starts one (with --preset's settings); with --url it loads any\n"+
			"URL. Every finished run is kept in the run history (runs.json in the data home).")
	fs.SetOutput(stderr)
	a := loadtestArgs{lab: labName}
	fs.IntVar(&a.Concurrency, "c", load.DefaultConcurrency, fmt.Sprintf("concurrent users (workers), 1 to %d", load.MaxConcurrency))
	fs.DurationVar(&a.Duration, "z", load.DefaultDuration, "how long to load; 0 with -n: until -n requests are done")
	fs.IntVar(&a.Requests, "n", 0, "stop after this many requests, at least -c (0: run for -z); rounded down to a multiple of -c, as hey does")
	fs.DurationVar(&a.Timeout, "timeout", load.DefaultTimeout, "per-request timeout")
	fs.StringVar(&a.preset, "preset", "", "the settings of a lab started for the run, as 'scalelab serve --preset NAME' takes them (default: the scenario's start)")
	fs.StringVar(&a.URL, "url", "", "load this URL instead of starting the lab (e.g. http://127.0.0.1:3000/feed of a running 'scalelab serve')")
	fs.BoolVar(&a.json, "json", false, "print one JSON object instead of the summary and table")
	a.labFlags.register(fs)
	registerLabFlag(fs)
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
	ctx, stop := signalContext(ctx) // a second Ctrl+C kills at once
	defer stop()
	return loadtest(ctx, stdout, stderr, a)
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
				fmt.Fprintf(stderr, "scalelab: --preset %s is not used: %s keeps its own settings\n", a.preset, r.Describe())
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
		rec, err = loadURL(ctx, a, progress, stderr)
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
		printLoadTable(stdout, rec, labStages(a.labName()))
	}
	if errors.Is(err, context.Canceled) {
		return fmt.Errorf("load test cancelled after %.1fs: the partial figures above are not recorded in the run history", rec.Result.Elapsed.Seconds())
	}
	return err
}

// loadURL loads any URL. When it is the API of a scalelab lab in another process (`scalelab
// serve`, the workshop), its /metrics explain the failures by cause (counters read before and
// after the run) and the lab says which stage it reports (lab.Remote); otherwise the run is
// custom and its failures are what the client saw.
//
// a.measuring names the running lab that URL belongs to (found in the data home): the stage
// is said on stderr before the run.
func loadURL(ctx context.Context, a loadtestArgs, progress *progressPrinter, stderr io.Writer) (*load.Record, error) {
	opt, err := a.Options.Normalize()
	if err != nil {
		return nil, err
	}
	stage, rows, serr := remoteStage(ctx, a.labName(), opt.URL)
	if a.measuring != "" {
		title := stage.title
		if serr != nil {
			title = "unknown (it did not say: " + firstLineOf(serr.Error()) + ")"
		}
		fmt.Fprintf(stderr, "scalelab: measuring %s, stage %s\n", a.measuring, title)
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
	rec := &load.Record{Options: opt, State: stage.name, Rows: rows, Result: res}
	if a.measuring != "" || isRunningLab(opt.URL) {
		rec.Lab = a.labName()
	}
	res.State = rec.State
	if err != nil {
		return rec, err
	}
	return saveRun(rec, stderr), nil
}

// labStages are the stages of the lab labName (read unstarted), for the titles of its runs.
func labStages(labName string) []lab.Stage {
	l, err := lab.New(labName, lab.Config{})
	if err != nil {
		return nil
	}
	return l.Stages()
}

// stageOf is a stage's name and title.
type stageOf struct{ name, title string }

// remoteStage is the stage of the lab labName's API at url as it reports it, and its rows:
// custom when the lab cannot tell (it is no lab.Remote, or the server says nothing it knows).
func remoteStage(ctx context.Context, labName, url string) (stageOf, int, error) {
	custom := stageOf{lab.StageCustom, lab.StageTitle(nil, lab.StageCustom)}
	l, err := lab.New(labName, lab.Config{})
	if err != nil {
		return custom, 0, err
	}
	r, ok := l.(lab.Remote)
	if !ok {
		h, _ := load.ReadHealth(ctx, url) // the rows, when the server says
		return custom, h.Rows, nil
	}
	name, rows, err := r.RemoteStage(ctx, url)
	if err != nil || name == "" {
		return custom, rows, err
	}
	return stageOf{name, lab.StageTitle(l.Stages(), name)}, rows, nil
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
func printLoadTable(w io.Writer, rec *load.Record, stages []lab.Stage) {
	tui.WriteRunTable(w, rec, stages)
}

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
// loadLab starts the lab (its server on a free port, with --preset's settings), loads it,
// records the run and stops the lab again.
func loadLab(ctx context.Context, a loadtestArgs, progress *progressPrinter, stderr io.Writer) (*load.Record, error) {
	cfg := a.labFlags.config(stderr)
	cfg.Addr = "127.0.0.1:0"
	cfg.Logf = func(format string, args ...any) {
		if !a.json {
			progress.done()
			fmt.Fprintf(stderr, "scalelab: "+format+"\n", args...)
		}
	}
	var rec *load.Record
	err := withLab(ctx, stderr, a.labName(), cfg, func(ctx context.Context, l lab.Lab) error {
		if a.presetSet {
			if err := applyPreset(ctx, l, a.preset, stderr); err != nil {
				return err
			}
		}
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

// applyPreset gives --preset NAME to the lab's serve action, as `scalelab serve --preset NAME`
// does.
func applyPreset(ctx context.Context, l lab.Lab, preset string, stderr io.Writer) error {
	for _, a := range l.Actions() {
		if serves(a) {
			if _, err := doAction(ctx, l, a.Name, []string{"--preset", preset}, stderr); err != nil {
				return fmt.Errorf("--preset %s: %w", preset, err)
			}
			return nil
		}
	}
	return fmt.Errorf("--preset %s: %w", preset, errNoServeAction)
}

func firstLineOf(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
