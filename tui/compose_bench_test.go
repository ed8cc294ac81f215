package tui

import (
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/muesli/termenv"

	"scalelab/content"
)

// BenchmarkKeystroke: one key typed into an answer on the longest step of the built-in
// scenario with a question (Update + View: what every key costs; a frame is 16 ms).
func BenchmarkKeystroke(b *testing.B) {
	sc := content.Builtin()
	longest := 0
	for i := range sc.Steps {
		if len(questionsIn(stepBlocks(sc, i))) > 0 && len(stepBlocks(sc, i)) > len(stepBlocks(sc, longest)) {
			longest = i
		}
	}
	a := New(Options{Scenario: sc, ColorProfile: termenv.ANSI256})
	a.c.sheet.ws.Step = longest
	a.screens[screenReader] = newReader(a.c)
	a.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	r := a.screens[screenReader].(*reader)
	k := r.key(longest)
	rend, err := renderStep(a.c.render, k, stepBlocks(sc, longest))
	if err != nil {
		b.Fatal(err)
	}
	a.Update(renderedMsg{key: k, r: rend})
	for i := 0; i < 20 && (r.focused() == nil || r.focused().kind != itemQuestion); i++ {
		r.moveFocus(+1)
	}
	if it := r.focused(); it == nil || it.kind != itemQuestion {
		b.Skip("the longest step has no question first")
	}
	r.activate()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		a.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{'x'}})
		_ = a.View()
	}
}
