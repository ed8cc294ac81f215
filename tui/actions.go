package tui

import (
	"fmt"
	"slices"
	"strings"

	tea "github.com/charmbracelet/bubbletea"

	"scalelab/content"
	"scalelab/lab"
)

// Actions is the seam between the workshop and the lab. The reader emits an actionMsg when the
// learner presses Enter on a command block that names a lab action (a lab.Action's name or
// alias), or the action's key; the root model hands it to Actions.Run.
//
// Run must not block: it returns a Cmd that does the work (or starts it and waits for its first
// report, the bubbletea realtime pattern). Messages the Cmd produces are routed by the root model
// to every screen, so a dashboard can consume progress messages; an ActionDoneMsg ends the action
// and its Summary or Err is shown in the status line. A nil Actions means the lab is off (--no-lab).
type Actions interface {
	Run(a content.Action) tea.Cmd
}

// ActionsFunc adapts a function to Actions.
type ActionsFunc func(a content.Action) tea.Cmd

// Run calls f.
func (f ActionsFunc) Run(a content.Action) tea.Cmd { return f(a) }

// ActionDoneMsg reports the end of a lab action started through Actions.
type ActionDoneMsg struct {
	Action  content.Action
	Summary string // one line for the status bar, e.g. "load test done: 12% ok, p99 1.2s"
	Err     error  // says what went wrong and what to do
	// OpenPlan: the action read a query plan and changed nothing (an EXPLAIN: no settings
	// applied, no reset, the lab at the stage it was): the plan view opens on it.
	OpenPlan bool
}

// actionMsg asks the root model to run a lab action (Enter on a command block).
type actionMsg struct{ Action content.Action }

func runActionCmd(a content.Action) tea.Cmd {
	return func() tea.Msg { return actionMsg{Action: a} }
}

// labOffNotice answers a lab action when the workshop runs without its lab (--no-lab).
func labOffNotice(a content.Action) string {
	cmd := a.Command
	if cmd == "" {
		cmd = "scalelab " + a.Name
	}
	return fmt.Sprintf("the lab is off (--no-lab): run `%s` in another terminal, or restart scalelab without --no-lab", cmd)
}

// LabStatusMsg sets the lab's state line in the header ("PG 15 :5433 · API 127.0.0.1:3000 broken ·
// no index · 10,000 rows"). Send it from the lab wiring whenever the state changes
// (p.Send, or a Cmd returned by Actions.Run); screens receive it too.
type LabStatusMsg struct {
	Text  string // the full line
	Short string // the same for narrow windows ("" = Text)
	Busy  bool   // the lab is working (starting, seeding): the header shows a spinner
	Err   bool   // the lab is not usable (it failed to start, or a part of it is down)
	Stage string // the stage the lab is at (a lab.Stage's Name); "" when not known
	// Hints are the lab conditions that hold now (lab.Lab.Conditions names them): the reader shows
	// the scenario's "Stuck?" rows that name them, in place. nil when none holds.
	Hints map[string]bool
}

// Lab is the running lab as the app sees it (LabController implements it): it runs the text's
// actions, starts in the background (Init's Cmd runs beside the first rendering, never before
// it), sees every message the app receives (Update; its own ticks and results come back that
// way), learns which tasks are ticked before an action runs (SetTasks: task ID -> ticked, the
// worksheet's form), stops a running load test on request (CancelRun), and gives the lab whose
// records the screens read (Contract: its actions, keys, stages, code and plan views).
type Lab interface {
	Actions
	Init() tea.Cmd
	Update(msg tea.Msg) tea.Cmd
	SetTasks(ticked map[string]bool)
	CancelRun()
	Contract() lab.Lab
}

// LabRunsMsg tells the screens which stages have a recorded run (a lab.Stage's Name -> a run
// with a result): the step checks read it. The controller sends it at start and after
// every finished load test.
type LabRunsMsg struct{ Stages map[string]bool }

// SetTableMsg writes measured values into a result table of the worksheet (same shape as
// content.Table.Rows; "" leaves a cell empty) and saves it like any other change. The reader
// shows the values in the table at once; export carries them.
type SetTableMsg struct {
	ID   string
	Rows [][]string
	// KeepFilled keeps the cells the worksheet already has (filling only empty ones): the
	// lab's fill at start-up, which must not undo the learner's corrections. A fill after a run
	// replaces the run's cells.
	KeepFilled bool
	FreshRows  []int // with KeepFilled: rows replaced all the same (a run that just ended)
}

// mergeTable applies a SetTableMsg to the worksheet's rows of that table: with KeepFilled, cells
// the worksheet has already (the learner's own values, or an earlier fill) keep their value.
func mergeTable(have [][]string, msg SetTableMsg) (rows [][]string, changed bool) {
	rows = make([][]string, len(msg.Rows))
	for i, r := range msg.Rows {
		rows[i] = append([]string(nil), r...)
		if !msg.KeepFilled || i >= len(have) || slices.Contains(msg.FreshRows, i) {
			continue
		}
		for j := range rows[i] {
			if j < len(have[i]) && strings.TrimSpace(have[i][j]) != "" {
				rows[i][j] = have[i][j]
			}
		}
	}
	if len(rows) != len(have) {
		return rows, true
	}
	for i := range rows {
		if len(rows[i]) != len(have[i]) {
			return rows, true
		}
		for j := range rows[i] {
			if rows[i][j] != have[i][j] {
				return rows, true
			}
		}
	}
	return rows, false
}
