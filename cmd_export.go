package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"scalelab/content"
	"scalelab/content/worksheet"
	"scalelab/lab/home"
	"scalelab/lab/load"
	"scalelab/tui"
)

// exportOut receives the markdown when no -o is given; exportLog the "wrote ..." note.
var (
	exportOut io.Writer = os.Stdout
	exportLog io.Writer = os.Stderr
)

// `scalelab export` writes the learner's worksheet as the scenario's markdown, answers and
// results filled in: a file to hand in.
func runExport(args []string) error {
	fs := newFlagSet("export", "export [-o FILE] [--scenario FILE]",
		"Write the scenario's markdown with your worksheet filled in: every answer in its box, the Fix 1\n"+
			"tasks you ticked, the result tables with your measured runs. Model answers are left out.\n"+
			"The worksheet is the one the workshop saves as you type (in scalelab's data directory).")
	out := fs.String("o", "", "write to FILE instead of standard output")
	scen := fs.String("scenario", "", "the scenario the worksheet belongs to: a FILE, or a built-in's name (02-load-balancing) (default: the built-in one you last worked in)")
	rest, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return fmt.Errorf("unexpected argument %q: write to a file with -o %s", rest[0], rest[0])
	}
	s, file, err := openScenario(*scen) // as the workshop opens it: parsed, with sections
	if err != nil {
		return err
	}
	dir, err := home.Dir()
	if err != nil {
		return fmt.Errorf("finding scalelab's data directory: %w (set SCALELAB_HOME to a writable directory)", err)
	}
	ident, err := worksheet.IdentityOf(s, file) // the workshop's worksheet of this very scenario
	if err != nil {
		return err
	}
	wsPath := ident.Path(dir)
	_, statErr := os.Stat(wsPath)
	ws, err := worksheet.Read(wsPath)
	if err != nil {
		return err
	}
	if ws.Scenario != "" && ws.Scenario != s.ID {
		return fmt.Errorf("worksheet %s belongs to scenario %q, not %q: pass that scenario with --scenario", wsPath, ws.Scenario, s.ID)
	}
	l, err := scenarioLab(s)
	if err != nil {
		return err
	}
	stages := l.Stages() // read unstarted: which runs fill which rows
	// the runs measured with `scalelab loadtest` too, by the rule the workshop fills its tables with
	if h, herr := load.OpenDefaultHistory(); herr == nil {
		if h.Recovered != "" {
			fmt.Fprintf(exportLog, "scalelab: the run history was unreadable and was kept as %s; the tables hold what the worksheet has\n", h.Recovered)
		}
		tui.FillFromHistory(s, ws, h.LatestFor(s.ID, labName(s)), stages)
	} else {
		fmt.Fprintf(exportLog, "scalelab: the run history cannot be read, so the tables hold what the worksheet has: %v\n", herr)
	}
	md := worksheet.Export(s, ws)
	answers, tasks, cells := exportCounts(s, ws)
	what := fmt.Sprintf("%d of %d answers, %d tasks ticked, %d result cells", answers, len(s.Questions()), tasks, cells)
	if errors.Is(statErr, os.ErrNotExist) {
		what = "no worksheet yet at " + wsPath + ": the scenario without answers"
		if cells > 0 {
			what += fmt.Sprintf(", %d result cells from the recorded runs", cells)
		}
	}

	if *out == "" {
		if _, err := exportOut.Write(md); err != nil {
			return err
		}
		fmt.Fprintf(exportLog, "scalelab: exported %s to standard output (%s)\n", s.ID, what)
		return nil
	}
	if err := worksheet.WriteFileAtomic(*out, md); err != nil {
		return fmt.Errorf("writing the export: %w (choose another path with -o)", err)
	}
	abs, _ := filepath.Abs(*out)
	fmt.Fprintf(exportLog, "scalelab: wrote %s (%s)\n", abs, what)
	return nil
}

// exportCounts says how much of the scenario the worksheet fills.
func exportCounts(s *content.Scenario, ws *worksheet.Worksheet) (answers, tasks, cells int) {
	for _, q := range s.Questions() {
		if q.AnswerFrom(ws.Answers[q.ID]) != "" {
			answers++
		}
	}
	for _, t := range s.Tasks() {
		if ws.Tasks[t.ID] {
			tasks++
		}
	}
	for _, t := range s.Tables() {
		for _, row := range ws.Tables[t.ID] {
			for c, v := range row {
				if c > 0 && strings.TrimSpace(v) != "" {
					cells++
				}
			}
		}
	}
	return
}
