package tui

import (
	"fmt"

	tea "github.com/charmbracelet/bubbletea"

	"scalelab/content"
)

// Actions is the seam between the workshop and the lab. The reader emits an actionMsg when the
// learner presses Enter on a command block that names a lab action ("loadtest", "start",
// "apply-fix", "explain-query", "reset"); the root model hands it to Actions.Run.
//
// Run must not block: it returns a Cmd that does the work (or starts it and waits for its first
// report, the bubbletea realtime pattern). Messages the Cmd produces are routed by the root model
// to every screen, so a dashboard can consume progress messages; an ActionDoneMsg ends the action
// and its Summary or Err is shown in the status line. A nil Actions means the lab is not wired.
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
}

// actionMsg asks the root model to run a lab action (Enter on a command block).
type actionMsg struct{ Action content.Action }

func runActionCmd(a content.Action) tea.Cmd {
	return func() tea.Msg { return actionMsg{Action: a} }
}

func notWiredNotice(a content.Action) string {
	cmd := a.Command
	if cmd == "" {
		cmd = "scalelab " + a.Name
	}
	return fmt.Sprintf("the lab is not wired yet: run `%s` in another terminal", cmd)
}

// LabStatusMsg sets the lab's state line in the header ("PG up · API 127.0.0.1:3000 broken ·
// no index · 10,000 rows"). Send it from the lab wiring whenever the state changes
// (p.Send, or a Cmd returned by Actions.Run); screens receive it too.
type LabStatusMsg struct{ Text string }

// SetTableMsg writes measured values into a result table of the worksheet (same shape as
// content.Table.Rows; "" leaves a cell empty) and saves it like any other change. The reader
// shows the values in the table at once; export carries them.
type SetTableMsg struct {
	ID   string
	Rows [][]string
}
