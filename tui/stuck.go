package tui

import (
	"maps"
	"strings"

	"github.com/charmbracelet/lipgloss"

	"scalelab/content"
)

// Live "Stuck?" hints: the scenario's Stuck rows that name a lab condition (content.Hint) are
// shown in place while the lab reports that condition (LabStatusMsg.Hints): a callout at the
// top of the step the learner is on, and a marker on the row in the Stuck table. Both go when
// the condition clears.

// setHints records the conditions that hold now; it reports whether they changed.
func (c *common) setHints(h map[string]bool) bool {
	now := map[string]bool{}
	for k, v := range h {
		if v {
			now[k] = true
		}
	}
	if maps.Equal(now, c.hints) {
		return false
	}
	c.hints = now
	return true
}

// activeHints lists the scenario's hints whose condition holds, in file order, once each.
func (c *common) activeHints() []content.Hint {
	if len(c.hints) == 0 {
		return nil
	}
	var out []content.Hint
	seen := map[string]bool{}
	for _, h := range c.scenario.Hints() {
		if c.hints[h.When] && !seen[h.Problem] {
			seen[h.Problem] = true
			out = append(out, h)
		}
	}
	return out
}

// hintOn reports that row i of table t names a condition that holds now.
func (c *common) hintOn(t *content.Table, i int) bool {
	return i < len(t.When) && t.When[i] != "" && c.hints[t.When[i]]
}

// stuckCallout draws the active hints as a Stuck? box, the bar on every wrapped line; "" when
// none holds.
func (r *reader) stuckCallout(width int) string {
	hs := r.c.activeHints()
	if len(hs) == 0 {
		return ""
	}
	s := r.c.styles
	bar := s.Notice.Render(quoteBar)
	textW := max(10, width-lipgloss.Width(quoteBar))
	var texts []string
	for _, h := range hs {
		texts = append(texts, s.Notice.Render("Stuck? "+plainInline(h.Problem)+".")+" "+plainInline(h.Fix))
	}
	texts = append(texts, s.Hint.Render("(the lab sees this now; it goes once it is fixed)"))
	var lines []string
	for _, text := range texts {
		for _, l := range strings.Split(lipgloss.NewStyle().Width(textW).Render(text), "\n") {
			lines = append(lines, bar+strings.TrimRight(l, " "))
		}
	}
	return strings.Join(lines, "\n")
}

// stuckMark is put in front of a Stuck row's first cell while its condition holds.
const stuckMark = "▶ "
