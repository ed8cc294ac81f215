package tui

import (
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	xansi "github.com/charmbracelet/x/ansi"

	"scalelab/content"
)

// stepOf finds the step holding question id.
func stepOf(t *testing.T, sc *content.Scenario, id string) int {
	t.Helper()
	for i := range sc.Steps {
		for _, q := range questionsIn(stepBlocks(sc, i)) {
			if q.ID == id {
				return i
			}
		}
	}
	t.Fatalf("no question %s", id)
	return -1
}

// focusQuestion puts the focus on question id of the current step.
func focusQuestion(t *testing.T, r *reader, id string) *item {
	t.Helper()
	for i := range r.items {
		if r.items[i].kind == itemQuestion && r.items[i].q.ID == id {
			r.focus = i
			r.compose()
			r.scrollToFocus()
			return &r.items[i]
		}
	}
	t.Fatalf("question %s not on this step", id)
	return nil
}

// Q7's numbered slots are on screen before the learner types anything.
func TestSlotsTemplateVisible(t *testing.T) {
	a, r := builtinApp(t, 80, 24, false)
	showStep(t, a, r, stepOf(t, r.c.scenario, "Q7"))
	got := composed(r)
	for _, want := range []string{"1. …", "2. …", "3. …"} {
		if !strings.Contains(got, want) {
			t.Fatalf("missing %q before typing:\n%s", want, got)
		}
	}
}

// Typing "1. disk" over the template's "1. " does not number it twice, on screen or in export.
func TestTypingANumberedListOverTheSlots(t *testing.T) {
	a, r := builtinApp(t, 80, 24, false)
	showStep(t, a, r, stepOf(t, r.c.scenario, "Q7"))
	focusQuestion(t, r, "Q7")
	a.Update(keyMsg("enter"))
	for _, k := range strings.Split("1. disk", "") {
		if k == " " {
			k = "space"
		}
		a.Update(keyMsg(k))
	}
	ans := r.c.sheet.ws.Answers["Q7"]
	if !strings.HasPrefix(ans, "1. disk") || strings.Contains(ans, "1. 1.") || strings.Contains(ans, "  ") {
		t.Fatalf("answer %q", ans)
	}
	var q7 *content.Question
	for _, q := range r.c.scenario.Questions() {
		if q.ID == "Q7" {
			q7 = q
		}
	}
	if body := q7.FenceBody("1. 1.  disk\n\n2. 2. network\n\n3."); strings.Contains(body, "1. 1.") || strings.Contains(body, "  ") {
		t.Fatalf("export body %q", body)
	}
}

// m brings the model answer into view.
func TestRevealScrollsToTheModelAnswer(t *testing.T) {
	a, r := builtinApp(t, 80, 24, false)
	showStep(t, a, r, stepOf(t, r.c.scenario, "Q4"))
	r.c.sheet.ws.Answers["Q4"] = "every request opens its own pool"
	it := focusQuestion(t, r, "Q4")
	_ = it
	a.Update(keyMsg("m"))
	view := xansi.Strip(r.vp.View())
	if !strings.Contains(view, "Model answer") {
		t.Fatalf("the model answer is not on screen:\n%s", view)
	}
}

// After the wheel scrolled the focus away, Tab starts from the screen, not from the old focus
// (which would jump past the items on screen).
func TestTabStartsFromTheScreen(t *testing.T) {
	a, r := builtinApp(t, 80, 24, false)
	showStep(t, a, r, stepOf(t, r.c.scenario, "Q4"))
	focusQuestion(t, r, "Q4")
	for range 40 {
		a.Update(tea.MouseMsg{Button: tea.MouseButtonWheelUp, Action: tea.MouseActionPress})
	}
	if r.vp.YOffset != 0 {
		t.Fatalf("the wheel did not scroll to the top: %d", r.vp.YOffset)
	}
	first := -1
	for i := range r.items {
		if r.onScreen(&r.items[i]) {
			first = i
			break
		}
	}
	if first < 0 {
		t.Fatal("no item on screen")
	}
	a.Update(keyMsg("tab"))
	if r.focus != first {
		t.Fatalf("Tab focused item %d, want %d, the first one on screen", r.focus, first)
	}
}
