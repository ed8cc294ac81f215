package tui

import (
	"slices"
	"strconv"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	xansi "github.com/charmbracelet/x/ansi"

	"scalelab/content"
	"scalelab/lab"
)

// The step list: every section of the scenario with a progress mark (the step's checks done /
// its checks). A sidebar from 100 columns, an overlay (s) below that.
//
// A step's checks are derived from what it holds, so any scenario of the format gets them:
//   - every question: answered;
//   - every result table to fill: every value cell filled;
//   - every load test command: a run recorded at the stage the lab is in at that point of the
//     text. The lab says which stage the text's commands from the start lead to
//     (lab.Lab.StageAfter): in the built-in scenario Step 2 needs a Broken run, Step 3 an After
//     Fix 1 and an After Fix 2 run.

// stepCheck is one thing a step asks for, and whether it is done.
type stepCheck struct {
	what string // what to do, e.g. "answer Q4", "record a load test after Fix 1 (L)"
	done bool
	lab  bool // a check on the lab's recorded runs
}

// checks lists step i's checks.
func (c *common) checks(i int) []stepCheck {
	var out []stepCheck
	for _, q := range questionsIn(c.blocks(i)) {
		out = append(out, stepCheck{what: "answer " + q.ID, done: c.sheet.answered(q)})
	}
	for _, b := range c.blocks(i) {
		if b.Kind == content.TableBlock && b.Table != nil && b.Table.Fillable {
			out = append(out, stepCheck{what: "fill the results table", done: tableFilled(b.Table, c.sheet.ws.Tables[b.Table.ID])})
		}
	}
	for _, st := range c.stagesMeasured(i) {
		what := "record a load test " + c.stageWhen(st)
		if b, ok := c.loadBinding(); ok {
			what += " (" + b.Help().Key + ")"
		}
		out = append(out, stepCheck{what: what, done: c.runs[st], lab: true})
	}
	return out
}

// stagesMeasured lists the stages step i's load tests run at, once each; none without a lab.
// The lab says which (StageAfter) from the commands of the text up to each load test and those
// that follow it in its step until the next one, which run during it.
func (c *common) stagesMeasured(i int) []string {
	if c.lab == nil {
		return nil
	}
	// the scenario and the lab's stages never change: worked out once per step (the step list
	// asks for every step at every frame)
	if c.measured == nil {
		c.measured = map[int][]string{}
	}
	if m, ok := c.measured[i]; ok {
		return m
	}
	m := c.workOutStagesMeasured(i)
	c.measured[i] = m
	return m
}

func (c *common) workOutStagesMeasured(i int) []string {
	var before, out []string
	for s := 0; s <= i && s < len(c.scenario.Steps); s++ {
		names, loads := c.stepCommands(s)
		for k := range names {
			if s != i || !loads[k] {
				continue
			}
			during := names[k:]
			if next := slices.Index(loads[k+1:], true); next >= 0 {
				during = names[k : k+1+next]
			}
			st := c.lab.StageAfter(append(slices.Clip(before), append(names[:k:k], during...)...))
			if (c.isStage(st) || st == lab.StageOutage) && !slices.Contains(out, st) {
				out = append(out, st)
			}
		}
		before = append(before, names...)
	}
	return out
}

// stepCommands lists the lab action names of step s's command blocks in order (the lab's name
// for an alias), and which of them are load tests.
func (c *common) stepCommands(s int) (names []string, loads []bool) {
	for _, b := range c.blocks(s) {
		if b.Kind != content.CommandBlock || b.Action == nil {
			continue
		}
		act, ok := c.action(b.Action.Name)
		name := b.Action.Name
		if ok {
			name = act.Name
		}
		names = append(names, name)
		loads = append(loads, ok && act.Load)
	}
	return names, loads
}

func (c *common) isStage(name string) bool {
	for _, s := range c.stages {
		if s.Name == name {
			return true
		}
	}
	return false
}

// stageWhen says when a run is of a stage, in a few words (the stage's When, else its title).
func (c *common) stageWhen(name string) string {
	if name == lab.StageOutage {
		return "during an outage"
	}
	for _, s := range c.stages {
		if s.Name == name {
			if s.When != "" {
				return s.When
			}
			return "at " + s.Title
		}
	}
	return name
}

// tableFilled reports that every cell the table leaves empty has a value in the worksheet.
func tableFilled(t *content.Table, have [][]string) bool {
	for i, r := range t.Rows {
		for j := 1; j < len(r); j++ {
			if strings.TrimSpace(r[j]) != "" {
				continue
			}
			if i >= len(have) || j >= len(have[i]) || strings.TrimSpace(have[i][j]) == "" {
				return false
			}
		}
	}
	return true
}

// checkProgress counts step i's checks done.
func (c *common) checkProgress(i int) (done, total int) {
	for _, ch := range c.checks(i) {
		total++
		if ch.done {
			done++
		}
	}
	return done, total
}

// nextLabCheck is the first open lab check of step i ("" when none): the reader's status line
// names it, since unlike a question it is not visible in the text.
func (c *common) nextLabCheck(i int) string {
	for _, ch := range c.checks(i) {
		if ch.lab && !ch.done {
			return ch.what
		}
	}
	return ""
}

func (r *reader) stepMark(i int) string {
	s := r.c.styles
	a, t := r.c.checkProgress(i)
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
		a, t := r.c.checkProgress(i)
		count := ""
		if t > 0 {
			count = " " + strconv.Itoa(a) + "/" + strconv.Itoa(t)
		}
		room := max(4, w-3-len(count))
		title := st.Title
		if lipgloss.Width(title) > room {
			title = shortStepTitle(title)
		}
		title = xansi.Truncate(title, room, "…")
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

// shortStepTitle shortens a title too long for its room so a narrow list still tells the
// sections apart: it drops the "Step " word ("Step 1 — Read the Code" -> "1 Read the Code") and
// marks a section beyond the steps ("Go Further — A Million Posts" -> "+ A Million Posts"), where
// the truncated prefix alone would make all such sections read the same.
func shortStepTitle(t string) string {
	if rest, ok := strings.CutPrefix(t, "Go Further"); ok {
		if rest = strings.TrimLeft(rest, " —–-:"); rest != "" {
			return "+ " + rest
		}
		return t
	}
	rest, ok := strings.CutPrefix(t, "Step ")
	if !ok {
		return t
	}
	n, after, ok := strings.Cut(rest, " ")
	if !ok {
		return t
	}
	return n + " " + strings.TrimLeft(after, "—–-: ")
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
