package tui

import (
	"slices"
	"strconv"
	"strings"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textarea"
	"github.com/charmbracelet/bubbles/textinput"
	"github.com/charmbracelet/bubbles/viewport"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	xansi "github.com/charmbracelet/x/ansi"

	"scalelab/content"
)

// sidebarMinWidth is the window width from which the step list stays open beside the text.
const sidebarMinWidth = 100

// reader is the workshop's main screen: the step list, the current step rendered with glamour
// in a viewport, and the interactive items (questions with their answer editor, tasks, lab
// commands) that Tab moves between.
type reader struct {
	c             *common
	width, height int
	step          int
	vp            viewport.Model

	renders map[renderKey]*stepRender
	pending map[renderKey]bool
	lastErr error

	diagramW int // widestDiagram, -1 until measured

	lines []string // the composed step
	items []item
	focus int // index into items, -1 for none

	editing bool
	ta      textarea.Model

	showSteps  bool // the step list overlay (narrow windows)
	stepCursor int

	searching     bool
	search        textinput.Model
	query         string
	matchLine     int // the current match's line, -1 for none
	pendingSearch int // after a step change: +1 jump to the first match, -1 to the last
}

func newReader(c *common) *reader {
	r := &reader{c: c, focus: -1, matchLine: -1, diagramW: -1, renders: map[renderKey]*stepRender{}, pending: map[renderKey]bool{}}
	r.vp = viewport.New(0, 0)
	r.vp.KeyMap = viewport.KeyMap{} // the reader handles its keys itself
	r.ta = textarea.New()
	r.ta.ShowLineNumbers = false
	r.ta.Prompt = ""
	r.ta.CharLimit = 0
	r.ta.Cursor.SetMode(cursor.CursorStatic) // no blink ticks: stable frames and goldens
	r.ta.FocusedStyle.CursorLine = lipgloss.NewStyle()
	r.ta.KeyMap.InsertNewline.SetKeys("enter", "ctrl+j")
	r.search = textinput.New()
	r.search.Prompt = "/"
	r.search.Cursor.SetMode(cursor.CursorStatic)
	if n := len(c.scenario.Steps); n > 0 {
		r.step = clamp(c.sheet.ws.Step, 0, n-1)
	}
	return r
}

func (r *reader) currentStep() *content.Step { return r.c.scenario.Steps[r.step] }

// Capturing reports that keys are text (editor or search box), so global letters must not act.
func (r *reader) Capturing() bool { return r.editing || r.searching || r.showSteps }

// Typing reports that keys are text.
func (r *reader) Typing() bool { return r.editing || r.searching }

func (r *reader) Init() tea.Cmd { return r.ensureRender(r.step) }

// SetSize lays the screen out; a new width needs a new rendering (asked for in Update).
func (r *reader) SetSize(w, h int) {
	r.width, r.height = w, h
	r.vp.Width = r.mainWidth()
	r.vp.Height = max(1, h-r.footerHeight())
	r.ta.SetWidth(max(10, r.textWidth()-4))
	r.compose()
}

func (r *reader) footerHeight() int {
	if r.searching {
		return 1
	}
	return 0
}

// sidebarMin is the narrowest step list worth showing: below it the list is left to its overlay.
const sidebarMin = 18

// sidebar reports that the step list stays open: the window is wide enough for it and for the
// widest diagram of the scenario beside it (a diagram is never clipped).
func (r *reader) sidebar() bool {
	return r.width >= sidebarMinWidth && r.sidebarWidth() >= sidebarMin
}

// sidebarWidth leaves the text pane room for the scenario's widest diagram: the same width on
// every step, so the layout does not jump from step to step.
func (r *reader) sidebarWidth() int {
	return min(32, r.width/4, r.width-3-gutterWidth-r.widestDiagram())
}

// widestDiagram is the width of the scenario's widest diagram (0 when it has none), measured once.
func (r *reader) widestDiagram() int {
	if r.diagramW < 0 {
		r.diagramW = 0
		for i := range r.c.scenario.Steps {
			for _, b := range r.c.blocks(i) {
				if b.Kind == content.ImageBlock && b.Image != nil {
					r.diagramW = max(r.diagramW, lipgloss.Width(diagramFor(b.Image)))
				}
			}
		}
	}
	return r.diagramW
}

func (r *reader) mainWidth() int {
	if r.sidebar() {
		return r.width - r.sidebarWidth() - 2 // border and padding
	}
	return r.width
}

// textWidth is the width of prose and boxes inside the viewport.
func (r *reader) textWidth() int { return max(20, r.mainWidth()-gutterWidth-1) }

func (r *reader) key(step int) renderKey {
	return renderKey{step: step, width: r.textWidth(), theme: r.c.styles.Theme}
}

// renderFor returns the rendering of a step at the current width, or failing that any earlier
// rendering of it (shown until the new one arrives), or nil.
func (r *reader) renderFor(step int) *stepRender {
	if x := r.renders[r.key(step)]; x != nil {
		return x
	}
	for k, x := range r.renders {
		if k.step == step && k.theme == r.c.styles.Theme {
			return x
		}
	}
	return nil
}

// ensureRender asks for a rendering of step at the current width unless it is there or coming.
func (r *reader) ensureRender(step int) tea.Cmd {
	if r.width == 0 || step < 0 || step >= len(r.c.scenario.Steps) {
		return nil
	}
	k := r.key(step)
	if r.renders[k] != nil || r.pending[k] {
		return nil
	}
	r.pending[k] = true
	return renderFittedCmd(r.c.render, k, r.c.blocks(step), r.c.styles.Hint)
}

// prefetch renders the neighbouring steps so n/p show them at once.
func (r *reader) prefetch() tea.Cmd {
	return tea.Batch(r.ensureRender(r.step+1), r.ensureRender(r.step-1))
}

func (r *reader) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		return r.ensureRender(r.step)
	case themeChangedMsg:
		r.compose()
		return r.ensureRender(r.step)
	case LabStatusMsg:
		if r.c.setHints(msg.Hints) {
			r.compose()
		}
		return nil
	case SetTableMsg:
		r.reloadTableEditor(msg.ID)
		r.compose()
		return nil
	case renderedMsg:
		delete(r.pending, msg.key)
		if msg.err != nil {
			r.lastErr = msg.err
			return nil
		}
		r.renders[msg.key] = msg.r
		for k := range r.renders { // keep only renderings at the current width and theme
			if k.width != msg.key.width || k.theme != msg.key.theme {
				if k.step != r.step || msg.key.step == r.step {
					delete(r.renders, k)
				}
			}
		}
		if msg.key.step == r.step {
			r.compose()
			if r.editing {
				r.scrollToEditor()
			} else {
				r.scrollToFocus()
			}
			r.afterCompose()
			return r.prefetch()
		}
		return nil
	case tea.KeyMsg:
		return r.handleKey(msg)
	case tea.MouseMsg:
		var cmd tea.Cmd
		r.vp, cmd = r.vp.Update(msg)
		r.dropFocusIfHidden() // scrolled by the wheel: Tab starts from what is on screen
		return cmd
	}
	return nil
}

// afterCompose finishes a pending search jump once the new step is composed.
func (r *reader) afterCompose() {
	if r.pendingSearch != 0 && r.renders[r.key(r.step)] != nil {
		dir := r.pendingSearch
		r.pendingSearch = 0
		if dir > 0 {
			r.jumpMatch(-1, +1)
		} else {
			r.jumpMatch(len(r.lines), -1)
		}
	}
}

func (r *reader) handleKey(msg tea.KeyMsg) tea.Cmd {
	k := r.c.keys
	switch {
	case r.editing:
		return r.updateEditor(msg)
	case r.searching:
		return r.updateSearch(msg)
	case r.showSteps:
		return r.updateStepList(msg)
	}
	if it := r.focused(); it != nil && it.kind == itemTask && key.Matches(msg, k.Toggle) {
		return r.toggleTask(it)
	}
	switch {
	case key.Matches(msg, k.Down):
		r.vp.ScrollDown(1)
	case key.Matches(msg, k.Up):
		r.vp.ScrollUp(1)
	case key.Matches(msg, k.PageDown):
		r.vp.PageDown()
	case key.Matches(msg, k.PageUp):
		r.vp.PageUp()
	case key.Matches(msg, k.HalfDown):
		r.vp.HalfPageDown()
	case key.Matches(msg, k.HalfUp):
		r.vp.HalfPageUp()
	case key.Matches(msg, k.Top):
		r.vp.GotoTop()
	case key.Matches(msg, k.Bottom):
		r.vp.GotoBottom()
	case key.Matches(msg, k.NextStep):
		return r.gotoStep(r.step + 1)
	case key.Matches(msg, k.PrevStep):
		return r.gotoStep(r.step - 1)
	case key.Matches(msg, k.Steps):
		r.showSteps, r.stepCursor = true, r.step
		return nil
	case key.Matches(msg, k.Search):
		r.searching = true
		r.search.SetValue("")
		r.SetSize(r.width, r.height)
		return r.search.Focus()
	case key.Matches(msg, k.NextMatch):
		return r.nextMatch(+1)
	case key.Matches(msg, k.PrevMatch):
		return r.nextMatch(-1)
	case key.Matches(msg, k.NextItem):
		return r.moveFocus(+1)
	case key.Matches(msg, k.PrevItem):
		return r.moveFocus(-1)
	case key.Matches(msg, k.Activate):
		return r.activate()
	case key.Matches(msg, k.Toggle):
		if it := r.focused(); it != nil && it.kind == itemTask {
			return r.toggleTask(it)
		}
	case key.Matches(msg, k.Reveal):
		return r.reveal()
	case key.Matches(msg, k.Close):
		if r.query != "" {
			r.query, r.matchLine = "", -1
			r.compose()
		} else if r.focus >= 0 {
			r.focus = -1
			r.compose()
		}
		return nil
	}
	r.dropFocusIfHidden()
	return nil
}

// dropFocusIfHidden forgets the focus once the learner scrolled it out of view, so space
// pages again and Tab starts from what is on screen.
func (r *reader) dropFocusIfHidden() {
	it := r.focused()
	if it == nil {
		return
	}
	top, bottom := r.vp.YOffset, r.vp.YOffset+r.vp.Height
	if it.end <= top || it.start >= bottom {
		r.focus = -1
		r.compose()
	}
}

func (r *reader) focused() *item {
	if r.focus < 0 || r.focus >= len(r.items) {
		return nil
	}
	return &r.items[r.focus]
}

// gotoStep shows another step (clamped), from its top, and remembers it in the worksheet.
func (r *reader) gotoStep(step int) tea.Cmd {
	n := len(r.c.scenario.Steps)
	step = clamp(step, 0, n-1)
	if step == r.step {
		return nil
	}
	r.step, r.focus, r.matchLine = step, -1, -1
	r.c.sheet.ws.Step = step
	r.compose()
	r.vp.GotoTop()
	return tea.Batch(r.c.sheet.changed(), r.ensureRender(step), r.prefetch())
}

// moveFocus goes to the next/previous interactive item; past the last one it goes on to the
// next step that has items (so Tab walks the whole scenario question by question).
func (r *reader) moveFocus(dir int) tea.Cmd {
	next := r.focus + dir
	if it := r.focused(); it == nil || !r.onScreen(it) {
		// nothing focused, or the focus was scrolled away: start from the screen, with the first
		// item on it (one whose prompt began above the top included), so none is skipped
		next = r.firstVisibleItem(dir)
	}
	if next >= 0 && next < len(r.items) {
		r.focus = next
		r.compose()
		r.scrollToFocus()
		return nil
	}
	for s := r.step + dir; s >= 0 && s < len(r.c.scenario.Steps); s += dir {
		if n := countItems(r.c.blocks(s)); n > 0 {
			cmd := r.gotoStep(s)
			if dir > 0 {
				r.focus = 0
			} else {
				r.focus = n - 1
			}
			r.compose()
			r.scrollToFocus()
			return cmd
		}
	}
	return nil
}

// onScreen reports that some of an item's lines are in the viewport.
func (r *reader) onScreen(it *item) bool {
	top, bottom := r.vp.YOffset, r.vp.YOffset+r.vp.Height
	return it.end > top && it.start < bottom
}

// firstVisibleItem picks where Tab starts when nothing is focused: the first item on screen.
func (r *reader) firstVisibleItem(dir int) int {
	if len(r.items) == 0 {
		return -1
	}
	top, bottom := r.vp.YOffset, r.vp.YOffset+r.vp.Height
	if dir > 0 {
		for i, it := range r.items {
			if it.end > top {
				return i
			}
		}
		return len(r.items)
	}
	for i := len(r.items) - 1; i >= 0; i-- {
		if r.items[i].start < bottom {
			return i
		}
	}
	return -1
}

func countItems(blocks []content.Block) int {
	n := 0
	for _, b := range blocks {
		switch {
		case b.Kind == content.QuestionBlock && b.Question != nil:
			n++
		case b.Kind == content.TaskBlock:
			n += len(b.Tasks)
		case b.Kind == content.CommandBlock && b.Action != nil:
			n++
		case b.Kind == content.TableBlock && b.Table != nil && b.Table.Fillable:
			n++
		}
	}
	return n
}

// scrollToFocus makes the focused item visible, its top a few lines down when it fits.
func (r *reader) scrollToFocus() {
	it := r.focused()
	if it == nil {
		return
	}
	top, h := r.vp.YOffset, r.vp.Height
	switch {
	case it.start < top || it.end-it.start > h:
		r.vp.SetYOffset(max(0, it.start-1))
	case it.end > top+h:
		r.vp.SetYOffset(it.end - h)
	}
}

// scrollToModel brings a revealed model answer into view: the end of the answer when it fits
// with the question, else its first lines at the top of the screen.
func (r *reader) scrollToModel(it *item) {
	if it == nil {
		return
	}
	at := -1
	for i := it.start; i < it.end && i < len(r.lines); i++ {
		if strings.Contains(xansi.Strip(r.lines[i]), "Model answer") {
			at = i
		}
	}
	if at < 0 {
		return
	}
	top, h := r.vp.YOffset, r.vp.Height
	switch {
	case it.end-it.start <= h && (it.start < top || it.end > top+h):
		r.vp.SetYOffset(max(0, it.end-h))
	case at < top || at+2 > top+h || it.end > top+h:
		r.vp.SetYOffset(max(0, at-1))
	}
}

func (r *reader) activate() tea.Cmd {
	it := r.focused()
	if it == nil { // nothing focused: Enter focuses the first item on screen, like Tab
		if i := r.firstVisibleItem(+1); i >= 0 && i < len(r.items) && r.items[i].start < r.vp.YOffset+r.vp.Height {
			r.focus = i
			r.compose()
			r.scrollToFocus()
		}
		return nil
	}
	switch it.kind {
	case itemQuestion:
		return r.openEditor(it.q)
	case itemTask:
		return r.toggleTask(it)
	case itemTable:
		return r.openTableEditor(it.table)
	case itemCommand:
		return runActionCmd(*it.action)
	}
	return nil
}

func (r *reader) toggleTask(it *item) tea.Cmd {
	ws := r.c.sheet.ws
	ws.Tasks[it.t.ID] = !ws.Tasks[it.t.ID]
	r.compose()
	return r.c.sheet.changed()
}

func (r *reader) reveal() tea.Cmd {
	it := r.focused()
	if it == nil || it.kind != itemQuestion || it.q.Model == "" {
		return nil
	}
	if !r.c.sheet.answered(it.q) {
		return noticeCmd("write your own answer first: the model answer opens once you have")
	}
	r.c.sheet.revealed[it.q.ID] = !r.c.sheet.revealed[it.q.ID]
	r.compose()
	r.scrollToFocus()
	if r.c.sheet.revealed[it.q.ID] {
		r.scrollToModel(r.focused())
	}
	return nil
}

// View draws the step list (sidebar or overlay) and the viewport.
func (r *reader) View() string {
	if r.showSteps {
		return r.stepListOverlay()
	}
	main := r.vp.View()
	if r.searching {
		main = lipgloss.JoinVertical(lipgloss.Left, main, r.search.View())
	}
	if !r.sidebar() {
		return main
	}
	side := r.c.styles.Sidebar.Width(r.sidebarWidth()).Height(r.height).MaxHeight(r.height).
		Render(r.stepList(r.sidebarWidth(), r.height, r.step))
	return lipgloss.JoinHorizontal(lipgloss.Top, side, " ", main)
}

// Status is the reader's part of the status line.
func (r *reader) Status() string {
	a, t := r.c.progress(r.step)
	s := "step " + strconv.Itoa(r.step+1) + "/" + strconv.Itoa(len(r.c.scenario.Steps))
	if t > 0 {
		s += " · " + strconv.Itoa(a) + "/" + strconv.Itoa(t) + " answered here"
	}
	if next := r.c.nextLabCheck(r.step); next != "" && r.c.runs != nil {
		s += " · to do: " + next
	}
	if p := r.c.nextPointer(r.step); p != "" {
		s += " · " + p
	}
	if r.query != "" {
		s += " · /" + r.query
	}
	if r.lastErr != nil {
		s += " · render error: " + r.lastErr.Error()
	}
	return s
}

func (r *reader) ShortHelp() []key.Binding {
	k := r.c.keys
	switch {
	case r.editing:
		return []key.Binding{k.EditDone, k.ForceQuit}
	case r.searching:
		return []key.Binding{key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "find")), k.Close}
	case r.showSteps:
		return []key.Binding{k.Up, k.Down, key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open")), k.Close}
	}
	bs := []key.Binding{k.NextItem, k.Activate}
	if it := r.focused(); it != nil && it.kind == itemTask {
		bs = []key.Binding{k.NextItem, k.Toggle}
	}
	bs = append(bs, k.NextStep, k.PrevStep, k.PageDown)
	if !r.sidebar() {
		bs = append(bs, k.Steps)
	}
	return append(bs, k.Search, k.Help, k.Quit)
}

func (r *reader) FullHelp() [][]key.Binding {
	k := r.c.keys
	moves := []key.Binding{k.NextStep, k.PrevStep, k.Steps, k.Search, k.NextMatch, k.PrevMatch, k.Theme, k.ForceQuit}
	if len(r.c.series) > 0 {
		moves = slices.Insert(moves, 3, k.Scenarios)
	}
	return [][]key.Binding{
		{k.Down, k.Up, k.PageDown, k.PageUp, k.HalfDown, k.HalfUp, k.Top, k.Bottom},
		moves,
		{k.NextItem, k.PrevItem, k.Activate, k.Toggle, k.Reveal, k.EditDone, k.Help, k.Quit},
	}
}

func clamp(v, lo, hi int) int {
	if v < lo {
		return lo
	}
	if v > hi {
		return hi
	}
	return v
}
