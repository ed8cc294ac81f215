package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
	"golang.org/x/term"

	"scalelab/content"
	"scalelab/content/worksheet"
	"scalelab/lab/home"
	"scalelab/tui"
)

// The workshop is scalelab's default command: the scenario in a full-screen reader with the
// learner's answers saved as they type (tui/), or plain line-by-line text with --plain.
func init() {
	defaultCommand = "workshop"
	register(command{Name: "workshop", Summary: "the workshop: read the scenario and answer its questions (the default)", Run: runWorkshop})
	register(command{Name: "open", Summary: "run the workshop on a scenario FILE instead of the built-in one", Run: runOpen})
}

type workshopFlags struct {
	plain    bool
	theme    string
	scenario string
}

func (w *workshopFlags) register(fs *flag.FlagSet, withScenario bool) {
	fs.BoolVar(&w.plain, "plain", false, "plain line-by-line text and numbered prompts, for screen readers (automatic when TERM=dumb or input/output is not a terminal)")
	fs.StringVar(&w.theme, "theme", "default", "colours: default, or projector (bold, 16 basic colours; T switches in the app)")
	if withScenario {
		fs.StringVar(&w.scenario, "scenario", "", "a scenario markdown FILE to run instead of the built-in one")
	}
}

func runWorkshop(args []string) error {
	var f workshopFlags
	fs := newFlagSet("workshop", "[workshop] [--plain] [--theme default|projector] [--scenario FILE]",
		"Start the workshop: the scenario's steps in a full-screen reader, your answers saved as you type\n"+
			"and restored at the same step next time. Keys: Tab to a question, Enter to answer, n/p steps, ? help.")
	f.register(fs, true)
	rest, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return fmt.Errorf("unexpected argument %q: to open a scenario file use `scalelab open FILE`", rest[0])
	}
	return workshop(f)
}

func runOpen(args []string) error {
	var f workshopFlags
	fs := newFlagSet("open", "open FILE [--plain] [--theme default|projector]",
		"Run the workshop on a scenario markdown FILE (the format of the built-in one).\n"+
			"A file that does not parse is reported with its line numbers; `scalelab lint FILE` lists every problem.")
	f.register(fs, false)
	rest, err := parseInterspersed(fs, args)
	if err != nil {
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

func loadScenario(path string) (*content.Scenario, error) {
	if path == "" {
		return content.Builtin(), nil
	}
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
	return sc, nil
}

func workshop(f workshopFlags) error {
	theme, ok := tui.ParseTheme(f.theme)
	if !ok {
		return fmt.Errorf("unknown theme %q: use --theme default or --theme projector", f.theme)
	}
	sc, err := loadScenario(f.scenario)
	if err != nil {
		return err
	}
	dir, err := home.Dir()
	if err != nil {
		return fmt.Errorf("data directory: %w (set SCALELAB_HOME to a writable directory)", err)
	}
	path := worksheet.PathFor(dir, sc.ID)
	ws, err := worksheet.Load(path)
	notice := ""
	var corrupt *worksheet.CorruptError
	switch {
	case errors.As(err, &corrupt) && corrupt.Backup != "":
		// the unreadable file was kept aside and a fresh worksheet started: say so, go on
		fmt.Fprintf(os.Stderr, "scalelab: %v\n", err)
		notice = "your old worksheet could not be read; it was kept as " + corrupt.Backup
	case err != nil:
		return fmt.Errorf("reading your worksheet %s: %w (move the file away to start afresh)", path, err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGHUP)
	defer stop()

	// plain when asked, on a dumb terminal, or when either end is a pipe or a file
	if f.plain || os.Getenv("TERM") == "dumb" || !term.IsTerminal(int(os.Stdout.Fd())) || !term.IsTerminal(int(os.Stdin.Fd())) {
		return tui.RunPlain(ctx, tui.PlainOptions{Scenario: sc, Worksheet: ws, WorksheetPath: path, In: os.Stdin, Out: os.Stdout})
	}

	if logPath, err := home.Path("scalelab.log"); err == nil {
		if lf, err := tea.LogToFile(logPath, "workshop"); err == nil {
			defer lf.Close()
		}
	}
	noColor := os.Getenv("NO_COLOR") != ""
	if noColor {
		lipgloss.SetColorProfile(termenv.Ascii)
	}
	app := tui.New(tui.Options{
		Scenario: sc, Worksheet: ws, WorksheetPath: path,
		Theme: theme, NoColor: noColor, GlamourStyle: glamourStyle(noColor), Notice: notice,
	})
	// SIGTERM and ctrl+c end the program through bubbletea with the final model; SIGHUP (the
	// terminal went away) through the context. Either way the worksheet is flushed below.
	p := tea.NewProgram(app, tea.WithAltScreen(), tea.WithContext(ctx))
	final, runErr := p.Run()
	if m, ok := final.(*tui.App); ok && m != nil {
		app = m
	}
	if err := app.Flush(); err != nil {
		return fmt.Errorf("saving your answers to %s failed: %w (check the disk and the directory's permissions)", path, err)
	}
	fmt.Fprintf(os.Stderr, "scalelab: your answers are saved in %s\n", path)
	if runErr != nil && !errors.Is(runErr, tea.ErrProgramKilled) && !errors.Is(runErr, tea.ErrInterrupted) {
		return fmt.Errorf("the terminal interface stopped: %w", runErr)
	}
	return nil
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
