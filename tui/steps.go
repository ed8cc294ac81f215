package tui

import (
	"strconv"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	xansi "github.com/charmbracelet/x/ansi"
)

// The step list: every section of the scenario with a progress mark (answered questions of
// the step / its questions). A sidebar from 100 columns, an overlay (s) below that.

func (r *reader) stepMark(i int) string {
	s := r.c.styles
	a, t := r.c.progress(i)
	switch {
	case t == 0:
		return s.MarkNone.Render(" ")
	case a == t:
		return s.MarkDone.Render("●")
	case a > 0:
		return s.MarkPartial.Render("◐")
	}
	return s.MarkNone.Render("○")
}

// stepList draws the list in a box of width w, height h, with `cur` marked.
func (r *reader) stepList(w, h, cur int) string {
	s := r.c.styles
	var lines []string
	lines = append(lines, s.OverlayTitle.Render(xansi.Truncate("Steps", w, "…")))
	for i, st := range r.c.scenario.Steps {
		a, t := r.c.progress(i)
		count := ""
		if t > 0 {
			count = " " + strconv.Itoa(a) + "/" + strconv.Itoa(t)
		}
		title := xansi.Truncate(st.Title, max(4, w-3-len(count)), "…")
		style, cue := s.SidebarItem, " "
		if i == cur {
			style, cue = s.SidebarCurrent, s.SidebarCurrent.Render("▸")
		}
		pad := max(0, w-3-lipgloss.Width(title)-len(count))
		lines = append(lines, r.stepMark(i)+cue+style.Render(title)+strings.Repeat(" ", pad)+s.Hint.Render(count))
	}
	a, t := r.c.totalProgress()
	lines = append(lines, "", s.Hint.Render(strconv.Itoa(a)+"/"+strconv.Itoa(t)+" questions answered"))
	if len(lines) > h {
		// keep the current step in view
		start := clamp(cur+1-h/2, 0, len(lines)-h)
		lines = lines[start : start+h]
	}
	return strings.Join(lines, "\n")
}

// stepListOverlay is the list opened with s in narrow windows, centred over the text.
func (r *reader) stepListOverlay() string {
	w := min(60, r.width-6)
	h := min(len(r.c.scenario.Steps)+3, r.height-4)
	box := r.c.styles.Overlay.Render(r.stepList(w, h, r.stepCursor))
	hint := r.c.styles.Hint.Render("j/k: move · enter: open · esc: close")
	return lipgloss.Place(r.width, r.height, lipgloss.Center, lipgloss.Center,
		lipgloss.JoinVertical(lipgloss.Center, box, hint))
}

func (r *reader) updateStepList(msg tea.KeyMsg) tea.Cmd {
	k := r.c.keys
	switch {
	case key.Matches(msg, k.Down), msg.String() == "tab":
		r.stepCursor = min(r.stepCursor+1, len(r.c.scenario.Steps)-1)
	case key.Matches(msg, k.Up), msg.String() == "shift+tab":
		r.stepCursor = max(r.stepCursor-1, 0)
	case key.Matches(msg, k.Top):
		r.stepCursor = 0
	case key.Matches(msg, k.Bottom):
		r.stepCursor = len(r.c.scenario.Steps) - 1
	case msg.String() == "enter":
		r.showSteps = false
		return r.gotoStep(r.stepCursor)
	case key.Matches(msg, k.Close), key.Matches(msg, k.Steps), key.Matches(msg, k.Quit):
		r.showSteps = false
	}
	return nil
}
