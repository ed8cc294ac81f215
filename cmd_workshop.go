package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
	"golang.org/x/term"

	"scalelab/content"
	"scalelab/content/worksheet"
	"scalelab/lab"
	"scalelab/lab/feed"
	"scalelab/lab/home"
	"scalelab/lab/load"
	"scalelab/tui"
)

type workshopFlags struct {
	plain    bool
	theme    string
	scenario string

	// the lab beside the text
	noLab    bool
	lab      labFlags // --db, --rows, --replicas
	addr     string
	users    int
	duration time.Duration
	// durationSet: --duration was given, so it overrides the -z of the text's commands
	durationSet bool
}

func (w *workshopFlags) register(fs *flag.FlagSet, withScenario bool) {
	fs.BoolVar(&w.plain, "plain", false, "plain line-by-line text and numbered prompts, for screen readers (automatic when TERM=dumb or input/output is not a terminal)")
	fs.StringVar(&w.theme, "theme", "default", "colours: default, or projector (bold, 16 basic colours; T switches in the app)")
	if withScenario {
		fs.StringVar(&w.scenario, "scenario", "", "a scenario markdown FILE, or a built-in's name (02-load-balancing), instead of the built-in one you last worked in")
	}
	fs.BoolVar(&w.noLab, "no-lab", false, "the text only: start no PostgreSQL and no API (the commands then say to use another terminal)")
	w.lab.register(fs)
	fs.StringVar(&w.addr, "addr", "", "where the lab's API listens (default: the lab's; when the port is busy, the next free one, shown in the header)")
	fs.IntVar(&w.users, "users", 0, fmt.Sprintf("concurrent users of every load test started in the app, 1 to %d: given, it overrides the -c of the text's commands; "+
		"else a command's -c is used, else %d", load.MaxConcurrency, load.DefaultConcurrency))
	fs.DurationVar(&w.duration, "duration", load.DefaultDuration, "how long every load test started in the app runs (e.g. 5s): given, it overrides the -z of the text's commands; else a command's -z is used, else this default")
}

// check validates the lab flags after parsing (positional arguments are the caller's: a
// scenario FILE for open, none for the workshop).
func (w *workshopFlags) check(fs *flag.FlagSet) error {
	if err := w.lab.checkValues(fs); err != nil {
		return err
	}
	if explicit(fs, "users") && (w.users < 1 || w.users > load.MaxConcurrency) {
		return fmt.Errorf("--users %d is out of range: pass a number from 1 to %d", w.users, load.MaxConcurrency)
	}
	w.durationSet = explicit(fs, "duration")
	if w.duration < time.Second || w.duration > time.Hour {
		return fmt.Errorf("--duration %v is out of range: pass a duration from 1s to 1h, e.g. --duration 30s", w.duration)
	}
	return nil
}

// The workshop is scalelab's default command: the scenario in a full-screen reader with the
// learner's answers saved as they type (tui/), or plain line-by-line text with --plain.
func runWorkshop(args []string) error {
	var f workshopFlags
	fs := newFlagSet("workshop", "[workshop] [--plain] [--theme default|projector] [--scenario FILE] [--no-lab] [--rows N] [--replicas N] [--db URL] [--users N] [--duration D]",
		"Start the workshop: the scenario's steps in a full-screen reader, your answers saved as you type\n"+
			"and restored at the same step next time, and the scenario's lab beside the text, started in the\n"+
			"background (the header shows its state). With no --scenario it opens the built-in scenario you\n"+
			"last worked in (Scenario 1 the first time); o lists the series and opens another. Keys: Tab to a\n"+
			"question, Enter to answer or run a command, n/p steps, d live panes, ? help (it lists the keys\n"+
			"of the lab's actions).")
	f.register(fs, true)
	rest, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if err := f.check(fs); err != nil {
		return err
	}
	if len(rest) > 0 {
		return fmt.Errorf("unexpected argument %q: to open a scenario file use `scalelab open FILE`", rest[0])
	}
	return workshop(f)
}

func runOpen(args []string) error {
	var f workshopFlags
	fs := newFlagSet("open", "open FILE [--plain] [--theme default|projector] [--replicas N]",
		"Run the workshop on a scenario markdown FILE (the format of the built-in one).\n"+
			"A file that does not parse is reported with its line numbers; `scalelab lint FILE` lists every problem.")
	f.register(fs, false)
	rest, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if err := f.check(fs); err != nil {
		return err
	}
	if len(rest) != 1 {
		fs.Usage()
		return errors.New("open needs exactly one scenario FILE: scalelab open path/to/scenario.md")
	}
	f.scenario = rest[0]
	return workshop(f)
}

// parseInterspersed parses flags that may come before or after the positional arguments.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// openScenario is the scenario a workshop or an export works on: for "" the built-in scenario
// the learner last worked in (the first one when none); for a built-in's ID or file name
// ("02-load-balancing") with no such file here, that built-in; else the scenario FILE. file
// is "" for a built-in (its worksheet is the built-in's), else the path.
func openScenario(arg string) (sc *content.Scenario, file string, err error) {
	if arg == "" {
		dir, err := home.Dir()
		if err != nil {
			return content.Builtin(), "", nil // the first scenario; the data home's error comes next
		}
		return lastBuiltin(dir), "", nil
	}
	if _, statErr := os.Stat(arg); statErr != nil {
		if b := builtinScenario(arg); b != nil {
			return b, "", nil
		}
	}
	sc, err = loadScenario(arg)
	return sc, arg, err
}

// loadScenario reads and checks the scenario FILE at path.
func loadScenario(path string) (*content.Scenario, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading the scenario: %w (check the path)", err)
	}
	sc, err := content.Parse(path, src)
	if err != nil {
		return nil, fmt.Errorf("%s does not parse:\n  %w\nfix the file at that line (`scalelab lint %s` lists every problem)", path, err, path)
	}
	if len(sc.Steps) == 0 {
		return nil, fmt.Errorf("%s has no `## ` sections: a scenario is a `# Title` and `## Step N — ...` sections", path)
	}
	if _, err := scenarioLab(sc); err != nil {
		return nil, fmt.Errorf("%s:%d: %w", path, sc.LabLine, err)
	}
	return sc, nil
}

// scenarioLab is the lab a scenario runs in, unstarted: the one its `**Lab:**` line names, or
// lab.Default when it names none. A lab this build does not have is an error that quotes the
// line and lists the labs there are.
func scenarioLab(sc *content.Scenario) (lab.Lab, error) {
	l, err := lab.New(sc.Lab, lab.Config{Scenario: sc.ID})
	if err != nil && sc.LabLine > 0 {
		return nil, fmt.Errorf("%s: %w", strings.TrimSpace(sc.Lines[sc.LabLine-1]), err)
	}
	return l, err
}

// workshop runs the workshop on the scenario f names (none: the built-in one last worked in),
// then on each built-in scenario the learner chooses on the scenarios screen, one program
// after another: each ends with its worksheet saved and its lab closed before the next opens.
func workshop(f workshopFlags) error {
	theme, ok := tui.ParseTheme(f.theme)
	if !ok {
		return fmt.Errorf("unknown theme %q: use --theme default or --theme projector", f.theme)
	}
	sc, file, err := openScenario(f.scenario)
	if err != nil {
		return err
	}
	for {
		next, err := workshopOn(f, theme, sc, file)
		if err != nil || next == "" {
			return err
		}
		if sc = builtinScenario(next); sc == nil {
			return fmt.Errorf("the scenarios screen chose %q, which is no built-in scenario", next)
		}
		file = ""
		if dir, err := home.Dir(); err == nil {
			markOpened(dir, sc)
		}
	}
}

// workshopOn runs the workshop on one scenario (file "" for a built-in) until the learner
// quits (next "") or chooses another scenario (next is its ID). Everything it opened is
// closed when it returns.
func workshopOn(f workshopFlags, theme tui.Theme, sc *content.Scenario, file string) (next string, err error) {
	exposed := ""
	if !f.noLab {
		exposed = feed.ExposureWarning(f.addr)
	}
	if exposed != "" {
		fmt.Fprintln(os.Stderr, "scalelab: "+exposed)
	}
	dir, err := home.Dir()
	if err != nil {
		return "", fmt.Errorf("data directory: %w (set SCALELAB_HOME to a writable directory)", err)
	}
	ident, err := worksheet.IdentityOf(sc, file)
	if err != nil {
		return "", err
	}
	path := ident.Path(dir)
	// Marked open for as long as this process runs; a second workshop on the same worksheet is
	// told which process has it, and both merge their saves (worksheet.SaveMerged).
	// A data home that cannot be written does not stop the reading: the claim is skipped with
	// a warning, and the first failed save says so on the status line.
	claim, err := worksheet.ClaimSheet(path)
	notice := claim.Notice()
	if err != nil {
		log.Printf("worksheet: %v", err)
		notice = fmt.Sprintf("cannot write in %s: your answers may not be saved (fix its permissions, or set SCALELAB_HOME to a writable directory)", filepath.Dir(path))
	}
	defer claim.Release()
	if notice == "" {
		notice = exposed // the status line says it too: the alternate screen hides stderr
	} else {
		fmt.Fprintf(os.Stderr, "scalelab: %s\n", notice)
	}
	ws, err := worksheet.Load(path)
	var corrupt *worksheet.CorruptError
	var newer *worksheet.NewerError
	switch {
	case errors.As(err, &newer):
		return "", err
	case errors.As(err, &corrupt) && corrupt.Backup != "":
		// the unreadable file was kept aside and a fresh worksheet started: say so, go on
		fmt.Fprintf(os.Stderr, "scalelab: %v\n", err)
		notice = "your old worksheet could not be read; it was kept as " + corrupt.Backup
	case err != nil:
		return "", fmt.Errorf("reading your worksheet %s: %w (move the file away to start afresh)", path, err)
	}
	ident.Lab = labName(sc)
	ws.Stamp(ident)
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		// a scenario opened for the first time has its worksheet at once: the quit message
		// names a file that exists, and the next `scalelab` finds it last worked in
		if err := ws.Save(path); err != nil {
			log.Printf("worksheet: %v", err)
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGHUP)
	defer stop()

	// plain when asked, on a dumb terminal, or when either end is a pipe or a file
	if f.plain || os.Getenv("TERM") == "dumb" || !term.IsTerminal(int(os.Stdout.Fd())) || !term.IsTerminal(int(os.Stdin.Fd())) {
		po := tui.PlainOptions{Scenario: sc, Worksheet: ws, WorksheetPath: path, In: os.Stdin, Out: os.Stdout}
		if !f.noLab {
			log.SetOutput(io.Discard) // the lab's progress is printed by plain mode itself
			var histNotice string
			if po.Lab, _, histNotice, err = newWorkshopLab(f, sc, ws, false); err != nil {
				return "", err
			}
			if histNotice != "" {
				fmt.Fprintf(os.Stderr, "scalelab: %s\n", histNotice)
			}
		}
		return "", runPlain(ctx, po)
	}

	// Logs (the lab's progress lines too) go to a file, never to the screen.
	log.SetOutput(io.Discard)
	if logPath, err := home.Path("scalelab.log"); err == nil {
		if lf, err := tea.LogToFile(logPath, "workshop"); err == nil {
			defer lf.Close()
		}
	}
	noColor := os.Getenv("NO_COLOR") != ""
	if noColor {
		lipgloss.SetColorProfile(termenv.Ascii)
	}
	opt := tui.Options{
		Scenario: sc, Worksheet: ws, WorksheetPath: path,
		Theme: theme, NoColor: noColor, GlamourStyle: glamourStyle(noColor), Notice: notice,
	}
	if file == "" {
		opt.Series = seriesEntries(dir, sc)
	} else {
		opt.Series = seriesEntries(dir, nil)
	}
	if !f.noLab {
		ctl, hist, histNotice, err := newWorkshopLab(f, sc, ws, true)
		if err != nil {
			return "", err
		}
		// Every exit path stops the lab (PostgreSQL too): a normal return, an error, a panic
		// here (deferred), SIGTERM/ctrl+c/SIGHUP (p.Run returns, then this defer). Close waits
		// for a start in progress to unwind.
		defer ctl.Close()
		opt.Lab, opt.History = ctl, hist
		switch {
		case histNotice != "":
			// said at start: a run made now would not be kept
			fmt.Fprintf(os.Stderr, "scalelab: %s\n", histNotice)
			opt.Notice = strings.TrimPrefix(opt.Notice+"; "+histNotice, "; ")
		case hist != nil && hist.Recovered != "" && notice == "":
			opt.Notice = "your run history could not be read; it was kept as " + hist.Recovered
		}
	}
	app := tui.New(opt)
	// SIGTERM and ctrl+c end the program through bubbletea with the final model; SIGHUP (the
	// terminal went away) through the context. Either way the worksheet is flushed below.
	p := tea.NewProgram(app, tea.WithAltScreen(), tea.WithContext(ctx))
	return runApp(p, app, path, opt.Lab != nil, os.Stderr)
}

// runApp runs the program to its end, saves the worksheet whatever ended it, and says why it
// ended: ctrl+c, SIGTERM and SIGHUP are normal ends; a panic is a crash (exit 1) even though
// the answers were saved.
func runApp(p *tea.Program, app *tui.App, path string, labOn bool, stderr io.Writer) (next string, err error) {
	final, runErr := p.Run()
	if m, ok := final.(*tui.App); ok && m != nil {
		app = m
	}
	if err := endApp(app, runErr, path, labOn, stderr); err != nil {
		return "", err
	}
	return app.Next(), nil
}

// endApp saves the worksheet of the app that ended with runErr and says why it ended.
func endApp(app *tui.App, runErr error, path string, labOn bool, stderr io.Writer) error {
	if err := app.Flush(); err != nil {
		// the data home is read-only or full: the answers go where they can be found
		rescue, rerr := app.Rescue("")
		if rerr != nil {
			return fmt.Errorf("saving your answers to %s failed: %w, and so did a rescue copy: %v (check the disk and the directory's permissions)", path, err, rerr)
		}
		return fmt.Errorf("saving your answers to %s failed: %w\nyour answers are kept in %s: fix the disk or the directory's permissions, then copy that file to %s", path, err, rescue, path)
	}
	if errors.Is(runErr, tea.ErrProgramPanic) {
		// checked first: bubbletea reports a panic as ErrProgramKilled too
		return fmt.Errorf("the terminal interface crashed (a bug in scalelab: the trace is above); your answers are saved in %s: run scalelab again to go on, and please report the trace", path)
	}
	fmt.Fprintf(stderr, "scalelab: your answers are saved in %s\n", path)
	if labOn {
		fmt.Fprintln(stderr, "scalelab: stopping the lab and every process it started…")
	}
	if runErr != nil && !errors.Is(runErr, tea.ErrProgramKilled) && !errors.Is(runErr, tea.ErrInterrupted) {
		return fmt.Errorf("the terminal interface stopped: %w", runErr)
	}
	return nil
}

// newWorkshopLab makes the lab controller of the workshop: the scenario's lab (the private
// cluster or --db, its server on --addr or the next free port), in-app load tests of --users
// for --duration, runs recorded in the history with the scenario. Nothing starts until the
// app's Init. The notice says why runs will not be recorded ("" when they will).
//
// The lab starts as the learner left it (the worksheet's Lab). With shared, the controller reads
// the worksheet the TUI edits (on its Update goroutine); plain mode tells it of ticks instead.
func newWorkshopLab(f workshopFlags, sc *content.Scenario, ws *worksheet.Worksheet, shared bool) (*tui.LabController, *load.History, string, error) {
	var ctl *tui.LabController
	cfg := f.lab.config(io.Discard)
	cfg.Addr, cfg.Applied, cfg.Scenario = f.addr, ws.Lab, sc.ID
	cfg.Logf = func(format string, args ...any) {
		log.Printf("lab: "+format, args...)
		ctl.Logf(format, args...) // the lab logs from Start, which the controller runs
	}
	l, err := lab.New(sc.Lab, cfg)
	if err != nil {
		return nil, nil, "", err
	}
	hist, histNotice := openWorkshopHistory()
	shown := ws
	if !shared {
		shown = nil
	}
	ctl = tui.NewLabController(tui.LabOptions{
		Lab: l, History: hist, Scenario: sc,
		Users: f.users, Duration: f.durationGiven(),
		// found by other terminals while it runs
		Worksheet: shown, RecordAs: "the workshop",
	})
	return ctl, hist, histNotice, nil
}

// labName is the name of the lab a scenario runs in: the one it names, else lab.Default.
func labName(sc *content.Scenario) string {
	if sc.Lab == "" {
		return lab.Default
	}
	return sc.Lab
}

// openWorkshopHistory opens the run history, or says why runs will not be recorded this time
// (a history of a newer format, a data home it cannot write): the learner must learn it before
// measuring, not from the log after. hist is nil when the notice is not "".
func openWorkshopHistory() (hist *load.History, notice string) {
	hist, err := load.OpenDefaultHistory()
	if err != nil {
		log.Printf("run history: %v (runs are not recorded this time)", err)
		return nil, fmt.Sprintf("load runs are not recorded this time: %v", err)
	}
	return hist, ""
}

// glamourStyle picks the markdown style once at start-up without querying the terminal (a
// query can stall for a second in some terminals): COLORFGBG tells light from dark when set.
func glamourStyle(noColor bool) string {
	if noColor {
		return "notty"
	}
	if v := os.Getenv("COLORFGBG"); v != "" {
		parts := strings.Split(v, ";")
		switch parts[len(parts)-1] {
		case "7", "15":
			return "light"
		}
	}
	return "dark"
}

// runPlain runs plain mode until it ends or a signal (Ctrl+C, SIGTERM, SIGHUP) arrives: then the
// lab is stopped at once, though plain mode may still wait on a line of input.
func runPlain(ctx context.Context, po tui.PlainOptions) error {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	done := make(chan error, 1)
	go func() { done <- tui.RunPlain(ctx, po) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		if po.Lab != nil {
			po.Lab.Close()
		}
		fmt.Fprintf(os.Stderr, "\nscalelab: stopped; your answers are saved in %s\n", po.WorksheetPath)
		return nil
	}
}

// durationGiven is --duration when it was given, else 0 (a command's -z, else 30 s).
func (w *workshopFlags) durationGiven() time.Duration {
	if !w.durationSet {
		return 0
	}
	return w.duration
}
