package tui

import (
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	xansi "github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"

	"scalelab/content"
)

const stuckScenario = `# Scenario 9: Hints

## Step 1 — Fix It

Tick the boxes, then restart the API.

## Stuck at Any Point?

| Problem               | What to do                                 |
| --------------------- | ------------------------------------------ |
| No change after Fix 1 | Restart the API: Enter on ` + "`scalelab serve`" + ` |
| You want to start over | Reset the lab |
`

// stuckApp is the app on a scenario whose first Stuck row names restart-pending (set here as
// the parser will from a <!-- when: --> comment), at 80x24, on its first step.
func stuckApp(t *testing.T) (*App, *reader) {
	t.Helper()
	testHome(t)
	sc, err := content.Parse("hints.md", []byte(stuckScenario))
	if err != nil {
		t.Fatal(err)
	}
	tables := sc.Tables()
	if len(tables) != 1 {
		t.Fatalf("%d tables", len(tables))
	}
	tables[0].When = []string{"restart-pending", ""}
	a := New(Options{Scenario: sc, GlamourStyle: "dark", ColorProfile: termenv.Ascii})
	a.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	return a, a.screens[screenReader].(*reader)
}

func composed(r *reader) string { return xansi.Strip(strings.Join(r.lines, "\n")) }

func TestLiveStuckHint(t *testing.T) {
	a, r := stuckApp(t)
	showStep(t, a, r, 0)
	if strings.Contains(composed(r), "Stuck?") {
		t.Fatalf("a hint before its condition holds:\n%s", composed(r))
	}

	a.Update(LabStatusMsg{Text: "lab", Hints: map[string]bool{"restart-pending": true}})
	got := composed(r)
	mustContain(t, got, "│ Stuck? No change after Fix 1. Restart the API: Enter on scalelab serve")
	// at the top of the step: right under its title
	lines := strings.Split(got, "\n")
	if len(lines) < 3 || !strings.Contains(lines[2], "Stuck?") {
		t.Fatalf("the hint is not at the top of the step:\n%s", got)
	}
	// another condition, or one no row names, shows nothing more
	a.Update(LabStatusMsg{Text: "lab", Hints: map[string]bool{"restart-pending": true, "index-exists": true}})
	if n := strings.Count(composed(r), "Stuck? "); n != 1 {
		t.Fatalf("%d callouts:\n%s", n, composed(r))
	}

	// the row in the Stuck table is marked, the other row is not
	showStep(t, a, r, 1)
	got = composed(r)
	mustContain(t, got, stuckMark+"No change after Fix 1")
	if strings.Contains(got, stuckMark+"You want") {
		t.Fatalf("a row without its condition is marked:\n%s", got)
	}

	// the condition clears: callout and marker go
	a.Update(LabStatusMsg{Text: "lab"})
	got = composed(r)
	if strings.Contains(got, stuckMark) || strings.Contains(got, "│ Stuck?") {
		t.Fatalf("the hint stayed after its condition cleared:\n%s", got)
	}
}

// The callout keeps its bar on every line it wraps to.
func TestStuckCalloutWraps(t *testing.T) {
	a, r := stuckApp(t)
	showStep(t, a, r, 0)
	a.Update(LabStatusMsg{Text: "lab", Hints: map[string]bool{"restart-pending": true}})
	box := xansi.Strip(r.stuckCallout(30))
	ls := strings.Split(box, "\n")
	if len(ls) < 3 {
		t.Fatalf("not wrapped at 30:\n%s", box)
	}
	for _, l := range ls {
		if !strings.HasPrefix(l, "│ ") || len([]rune(l)) > 30 {
			t.Fatalf("line without its bar or too wide: %q", l)
		}
	}
}
