package tui

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	xansi "github.com/charmbracelet/x/ansi"
)

// The scenarios screen (o): the series the caller listed in Options.Series, each with how far
// the learner got in it. Enter on another scenario saves the worksheet and ends the program;
// Next then names that scenario, and the caller opens it in a new program.

// SeriesEntry is one scenario of the series as the scenarios screen shows it: what it is, where
// its text lives, and how far the learner got in it (from its saved worksheet).
type SeriesEntry struct {
	ID, Title, File string
	Steps, Step     int  // the scenario's step count and the learner's saved step (0-based)
	Questions       int  // the questions in the scenario
	Answered        int  // the questions the learner answered
	Current         bool // the scenario open in this app
}

// Next is the ID of the scenario the learner chose on the scenarios screen, read after the
// program ends: the caller saves and closes this one and opens that one. "" means the learner quit.
func (a *App) Next() string { return a.next }

// seriesState is the scenarios screen's state in the app.
type seriesState struct {
	open   bool
	cursor int
}

// reNextScenario finds the line of a scenario's last section that names the one after it:
// "_Next: Scenario 2 — Load Balancing & Stateless Servers →_".
var reNextScenario = regexp.MustCompile(`Next:\s*(Scenario\s+\d+)\b`)

// nextInSeries is the index in c.series of the scenario the last section of the text names as
// the next one, -1 when it names none or the series does not hold it.
func (c *common) nextInSeries() int {
	steps := c.scenario.Steps
	if len(steps) == 0 || len(c.series) == 0 {
		return -1
	}
	last := steps[len(steps)-1]
	from, to := max(0, last.Line-1), min(last.End, len(c.scenario.Lines))
	for _, l := range c.scenario.Lines[from:to] {
		m := reNextScenario.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		name := strings.Join(strings.Fields(m[1]), " ")
		for i, e := range c.series {
			if !e.Current && seriesName(e.Title) == name {
				return i
			}
		}
	}
	return -1
}

// seriesName is the "Scenario N" part of a title ("Scenario 2: Load Balancing ..."), or the
// whole title when it has no such part.
func seriesName(title string) string {
	name, _, _ := strings.Cut(title, ":")
	name, _, _ = strings.Cut(name, " — ")
	return strings.Join(strings.Fields(name), " ")
}

// nextPointer is the reader's way to the next scenario at the last step ("o: open Scenario 2"),
// "" elsewhere or when the series does not hold it.
func (c *common) nextPointer(step int) string {
	if step != len(c.scenario.Steps)-1 || c.next < 0 {
		return ""
	}
	return c.keys.Scenarios.Help().Key + ": open " + seriesName(c.series[c.next].Title)
}

// openSeries opens the scenarios screen with the cursor on the next scenario at the end of the
// text, on the current one elsewhere.
func (a *App) openSeries() tea.Cmd {
	if len(a.c.series) == 0 {
		return a.setNotice("no list of scenarios here: this workshop runs one scenario file", false)
	}
	a.series = seriesState{open: true}
	if r, ok := a.screens[screenReader].(*reader); ok && a.c.nextPointer(r.step) != "" {
		a.series.cursor = a.c.next
		return nil
	}
	for i, e := range a.c.series {
		if e.Current {
			a.series.cursor = i
		}
	}
	return nil
}

// seriesKey handles a key while the scenarios screen is open. Enter on the current scenario
// closes the screen; on another it saves the worksheet and quits with Next set.
func (a *App) seriesKey(msg tea.KeyMsg) tea.Cmd {
	k := a.c.keys
	n := len(a.c.series)
	switch {
	case key.Matches(msg, k.Down), msg.String() == "tab":
		a.series.cursor = min(a.series.cursor+1, n-1)
	case key.Matches(msg, k.Up), msg.String() == "shift+tab":
		a.series.cursor = max(a.series.cursor-1, 0)
	case key.Matches(msg, k.Top):
		a.series.cursor = 0
	case key.Matches(msg, k.Bottom):
		a.series.cursor = n - 1
	case msg.String() == "enter":
		a.series.open = false
		e := a.c.series[a.series.cursor]
		if e.Current {
			return nil
		}
		a.next = e.ID
		cmd := a.quit()
		if !a.quitting { // held back (the answers could not be saved): stay, and say why
			a.next = ""
		}
		return cmd
	case key.Matches(msg, k.Close, k.Scenarios, k.Quit):
		a.series.open = false
	}
	return nil
}

// seriesHelp is the help line's keys while the scenarios screen is open.
func (a *App) seriesHelp() []key.Binding {
	k := a.c.keys
	return []key.Binding{k.Up, k.Down, key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open")), k.Close}
}

// seriesView draws the scenarios screen: a box over the body listing the series.
func (a *App) seriesView() string {
	s := a.c.styles
	w := min(72, a.width-6)
	lines := []string{s.OverlayTitle.Render("Scenarios"), ""}
	for i, e := range a.c.series {
		cue, style := "  ", s.SidebarItem
		if i == a.series.cursor {
			cue, style = s.SidebarCurrent.Render("▸ "), s.SidebarCurrent
		}
		// the title on its line, the progress under it: both whole in 80 columns
		lines = append(lines, cue+style.Render(xansi.Truncate(e.Title, w-2, "…")),
			"    "+s.Hint.Render(xansi.Truncate(a.seriesProgress(e), w-4, "…")))
	}
	box := s.Overlay.Render(strings.Join(lines, "\n"))
	hint := s.Hint.Render("j/k: move · enter: open · esc: close")
	return lipgloss.Place(a.width, a.bodyHeight(), lipgloss.Center, lipgloss.Center,
		lipgloss.JoinVertical(lipgloss.Center, box, hint))
}

// seriesProgress says how far the learner got in e: "open now · step 3/12 · 4/15 answered" for the
// scenario open now (read live), "step 3/12 · ..." for one worked in, "not started" otherwise.
func (a *App) seriesProgress(e SeriesEntry) string {
	step, steps, answered, questions := e.Step, e.Steps, e.Answered, e.Questions
	if e.Current {
		if r, ok := a.screens[screenReader].(*reader); ok {
			step = r.step
		}
		steps = len(a.c.scenario.Steps)
		answered, questions = a.c.totalProgress()
	} else if step == 0 && answered == 0 {
		return "not started"
	}
	out := "step " + strconv.Itoa(step+1) + "/" + strconv.Itoa(steps)
	if questions > 0 {
		out += " · " + strconv.Itoa(answered) + "/" + strconv.Itoa(questions) + " answered"
	}
	if e.Current {
		out = "open now · " + out
	}
	return out
}
