package tui

import (
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	xansi "github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/muesli/termenv"

	"scalelab/content"
)

// builtinApp is the app on the built-in scenario at a size, with nothing saved.
func builtinApp(t *testing.T, w, h int, noColor bool) (*App, *reader) {
	t.Helper()
	testHome(t)
	a := New(Options{Scenario: content.Builtin(), GlamourStyle: "dark", ColorProfile: termenv.Ascii, NoColor: noColor})
	a.Update(tea.WindowSizeMsg{Width: w, Height: h})
	return a, a.screens[screenReader].(*reader)
}

// showStep moves the reader to step i with glamour's rendering in place (done here, not in a Cmd).
func showStep(t *testing.T, a *App, r *reader, i int) {
	t.Helper()
	r.gotoStep(i)
	k := r.key(i)
	rend, err := renderFitted(r.c.render, k, stepBlocks(r.c.scenario, i), r.c.styles.Hint)
	if err != nil {
		t.Fatal(err)
	}
	a.Update(renderedMsg{key: k, r: rend})
}

var fitSizes = []struct{ w, h int }{{80, 24}, {100, 30}, {120, 40}}

// Every line of every step fits the text pane: nothing (a word, a diagram) is cut at its edge.
func TestBuiltinTextFitsItsPane(t *testing.T) {
	for _, sz := range fitSizes {
		a, r := builtinApp(t, sz.w, sz.h, false)
		for i := range r.c.scenario.Steps {
			showStep(t, a, r, i)
			for n, l := range r.lines {
				if w := lipgloss.Width(l); w > r.vp.Width {
					t.Errorf("%dx%d step %d line %d is %d wide, the pane %d: %q", sz.w, sz.h, i, n, w, r.vp.Width, xansi.Strip(l))
				}
			}
		}
	}
}

// A quote keeps its bar on every line it wraps to, at every width.
func TestQuoteBarOnEveryLine(t *testing.T) {
	for _, sz := range fitSizes {
		a, r := builtinApp(t, sz.w, sz.h, false)
		found := false
		for i := range r.c.scenario.Steps {
			showStep(t, a, r, i)
			in := false
			for _, l := range r.lines {
				text := strings.TrimSpace(xansi.Strip(l))
				switch {
				case strings.HasPrefix(text, "│ Stuck?"):
					in, found = true, true
				case in && text == "":
					in = false
				case in && !strings.HasPrefix(text, "│"):
					t.Errorf("%dx%d step %d: a quote line lost its bar: %q", sz.w, sz.h, i, text)
				}
			}
		}
		if !found {
			t.Fatalf("%dx%d: no Stuck? quote found", sz.w, sz.h)
		}
	}
}

// Under NO_COLOR the markdown is rendered, not shown as its source.
func TestNoColorRendersMarkdown(t *testing.T) {
	a, r := builtinApp(t, 100, 30, true)
	for i := range r.c.scenario.Steps {
		showStep(t, a, r, i)
		for _, l := range r.lines {
			text := xansi.Strip(l)
			if strings.Contains(text, "**") || strings.Contains(text, "###") {
				t.Errorf("step %d shows markdown source: %q", i, text)
			}
		}
	}
}

// The first screen of the built-in scenario, its diagram whole, at each size.
func TestGoldenBuiltinStart(t *testing.T) {
	for _, sz := range fitSizes {
		t.Run(itoaSize(sz.w, sz.h), func(t *testing.T) {
			a, r := builtinApp(t, sz.w, sz.h, false)
			showStep(t, a, r, 0)
			r.vp.SetYOffset(10)
			view := a.View()
			for _, l := range strings.Split(view, "\n") {
				if lipgloss.Width(l) > sz.w {
					t.Fatalf("line wider than the window: %q", l)
				}
			}
			golden.RequireEqual(t, []byte(view))
		})
	}
}
