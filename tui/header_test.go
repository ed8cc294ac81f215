package tui

import (
	"strconv"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	xansi "github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"

	"scalelab/content"
)

// On a projector at 80 columns the header keeps the answer count beside the lab's state.
func TestHeaderKeepsTheAnswerCount(t *testing.T) {
	testHome(t)
	for _, theme := range []Theme{ThemeProjector, ThemeDefault} {
		for _, w := range []int{80, 100, 120} {
			a := New(Options{Scenario: content.Builtin(), Theme: theme, GlamourStyle: "dark", ColorProfile: termenv.Ascii})
			a.Update(tea.WindowSizeMsg{Width: w, Height: 24})
			a.Update(LabStatusMsg{
				Text:  "PostgreSQL 16 :41234 ✓ · API 127.0.0.1:3000 broken · no index · 10,000 rows",
				Short: "PG ✓ · 127.0.0.1:3000 broken · no index · 10k rows",
			})
			h := xansi.Strip(a.header())
			_, questions := a.c.totalProgress()
			if !strings.Contains(h, "0/"+strconv.Itoa(questions)) || !strings.Contains(h, "broken") {
				t.Errorf("%v at %d: the count or the lab state is missing: %q", theme, w, h)
			}
			if lipgloss.Width(h) > w {
				t.Errorf("%v at %d: header wider than the window: %q", theme, w, h)
			}
		}
	}
}
