package tui

import (
	"strings"

	tea "github.com/charmbracelet/bubbletea"

	"scalelab/content/termsafe"
)

// The class server runs this same app for every learner who joins over SSH. It watches where
// each learner is (Options.Observe) and sends the instructor's notices into every session
// (tea.Program.Send with BroadcastMsg and GotoStepMsg). A local workshop uses none of it.

// Progress is where the learner is in the scenario, as the instructor's board shows it.
type Progress struct {
	Scenario  string // the scenario's ID
	Step      int    // 0-based index of the step on screen
	Steps     int    // steps in the scenario
	StepTitle string
	Answered  int // questions answered in the whole scenario
	Questions int // questions in the whole scenario
}

// BroadcastMsg is a one-line message from the instructor: the status line shows it, first as a
// notice, then for the rest of the session whenever nothing more urgent is there.
type BroadcastMsg struct{ Text string }

// GotoStepMsg sends the reader to a step (0-based; clamped to the scenario's steps).
type GotoStepMsg struct{ Step int }

// instructorPrefix starts the status line's instructor message.
const instructorPrefix = "instructor: "

// classUpdate handles the class server's messages; ok is false for every other message.
func (a *App) classUpdate(msg tea.Msg) (tea.Cmd, bool) {
	switch msg := msg.(type) {
	case BroadcastMsg:
		// one line, no control sequences: it is drawn in every learner's terminal
		a.instructor = oneLine(msg.Text, maxBroadcast)
		if a.instructor == "" {
			return nil, true
		}
		return a.setNotice(instructorPrefix+a.instructor, false), true
	case GotoStepMsg:
		r, ok := a.screens[screenReader].(*reader)
		if !ok {
			return nil, true
		}
		a.active = screenReader
		return tea.Batch(r.gotoStep(msg.Step), a.layout()), true
	}
	return nil, false
}

// progress is the learner's place in the scenario now.
func (a *App) progress() Progress {
	p := Progress{Scenario: a.c.scenario.ID, Steps: len(a.c.scenario.Steps)}
	if r, ok := a.screens[screenReader].(*reader); ok && p.Steps > 0 {
		p.Step = r.step
		p.StepTitle = r.currentStep().Title
	}
	p.Answered, p.Questions = a.c.totalProgress()
	return p
}

// report tells Options.Observe of the learner's progress when it changed since the last time.
func (a *App) report() {
	if a.opt.Observe == nil {
		return
	}
	p := a.progress()
	if a.reported != nil && *a.reported == p {
		return
	}
	a.reported = &p
	a.opt.Observe(p)
}

// maxBroadcast is the most runes of an instructor's message the status line keeps.
const maxBroadcast = 200

// oneLine is s as one line of at most n runes: control sequences replaced, runs of spaces and
// line breaks made one space.
func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(termsafe.StripBidi(termsafe.Clean(s))), " ")
	if r := []rune(s); len(r) > n {
		s = string(r[:n-1]) + "…"
	}
	return s
}
