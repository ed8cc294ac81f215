package tui

import (
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	xansi "github.com/charmbracelet/x/ansi"

	"scalelab/lab"
)

// explainView shows the query plans a lab reads (a lab.Planner's, in ExplainMsg from the lab
// controller) with Seq Scan and Index Scan highlighted, the lab's one-line verdict and the
// execution time. It keeps the latest plan of the other kind (its own, or the controller's
// ExplainMsg.Before/After when the learner never read one before the fix), so once the fix turns
// a Seq Scan into an Index Scan it shows both: side by side from 120 columns (before left, after
// right), stacked below that (the plan just read on top). A failed read is said in the status
// line, as every action's failure. A lab that is no Planner has no plans: the view says so.
type explainView struct {
	c             *common
	width, height int

	cur, prev *lab.Plan // the latest plan; the latest one of another kind before it
	runs      int       // plans received
	hint      string    // the lab changed since the plan ("the lab is at ...: read the plan again")
	stage     string    // the lab's stage now (LabStatusMsg)
	planStage string    // the lab's stage when the plan on screen was read ("" not known)
	off       int

	sty   *explainStyles
	theme Theme
	noCol bool
	rows  []string
	rowsW int // the width rows were made for; 0: stale
}

var _ screen = (*explainView)(nil)

// explainBack is the explain view's way out in its help: the app's global back key (the lab's
// action keys are the app's too; scrolling uses the shared pager keys).
var explainBack = key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back to the text"))

// explainStyles are the explain view's styles, derived from the shared Styles' palette.
type explainStyles struct {
	Seq, Index, Time        lipgloss.Style // the words highlighted in a plan
	BadVerdict, GoodVerdict lipgloss.Style
	Title, Plan, Hint, Err  lipgloss.Style
	Rule                    lipgloss.Style
}

func newExplainStyles(s *Styles) *explainStyles {
	p := s.Palette
	bold := s.Theme == ThemeProjector
	base := lipgloss.NewStyle().Bold(bold)
	e := &explainStyles{
		Seq:         base.Foreground(p.Warn).Bold(true),
		Index:       base.Foreground(p.Good).Bold(true),
		Time:        base.Foreground(p.Text).Bold(true),
		BadVerdict:  base.Foreground(p.Warn).Bold(true),
		GoodVerdict: base.Foreground(p.Good).Bold(true),
		Title:       base.Foreground(p.Accent).Bold(true),
		Plan:        base.Foreground(p.Text),
		Hint:        s.Hint,
		Err:         s.StatusErr,
		Rule:        lipgloss.NewStyle().Foreground(p.Subtle),
	}
	if bold {
		e.Rule = lipgloss.NewStyle().Foreground(p.Muted)
	}
	if s.NoColor { // no colour: the two scans must still look different
		e.Seq = e.Seq.Reverse(true)
		e.Index = e.Index.Underline(true)
	}
	return e
}

func newExplainView(c *common) *explainView {
	v := &explainView{c: c}
	v.restyle()
	return v
}

func (v *explainView) restyle() {
	v.theme, v.noCol = v.c.styles.Theme, v.c.styles.NoColor
	v.sty = newExplainStyles(v.c.styles)
	v.rowsW = 0
}

// Init does nothing: the lab sends plans when asked.
func (v *explainView) Init() tea.Cmd { return nil }

// SetSize is the body's size.
func (v *explainView) SetSize(w, h int) {
	if w != v.width {
		v.rowsW = 0
	}
	v.width, v.height = w, h
	v.clamp()
}

// Capturing: no text input here.
func (v *explainView) Capturing() bool { return false }

// Update takes plans, the lab's status (a new stage may change the plan), keys and theme changes.
func (v *explainView) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case ExplainMsg:
		v.receive(msg)
	case LabStatusMsg:
		// the lab moved to another stage since the plan on screen was read (a fix, a reset):
		// the plan may read otherwise now
		switch {
		case msg.Stage == "" || v.cur == nil:
		case v.planStage == "":
			v.planStage = msg.Stage
		case msg.Stage != v.planStage && v.hint == "":
			v.hint = "the lab is at " + lab.StageTitle(v.c.stages, msg.Stage) + " since this plan: read the plan again to see it now"
			v.rowsW = 0
		}
		v.stage = msg.Stage
	case themeChangedMsg:
		v.restyle()
	case tea.KeyMsg:
		return v.key(msg)
	}
	return nil
}

func (v *explainView) receive(msg ExplainMsg) {
	v.rowsW = 0
	v.hint, v.planStage = "", v.stage
	v.runs++
	p := msg.Plan
	if v.cur != nil && planKind(*v.cur) != planKind(p) {
		v.prev = v.cur
	}
	// the lab's plans without and with the fix: the other kind than the latest one is shown
	// beside it, even when this view never saw it (the fix applied before the first plan)
	switch {
	case p.Good && known(msg.Before):
		b := msg.Before
		v.prev = &b
	case !p.Good && known(msg.After):
		a := msg.After
		v.prev = &a
	}
	v.cur = &p
	v.off = 0
}

// known reports a plan that was measured (a zero Plan stands for "not known yet").
func known(p lab.Plan) bool { return p.Text != "" || p.Kind != "" }

func (v *explainView) key(msg tea.KeyMsg) tea.Cmd {
	v.off, _ = scrollBy(v.c.keys, msg, v.off, v.bodyHeight())
	v.clamp()
	return nil
}

// Status is the explain view's part of the status line.
func (v *explainView) Status() string {
	if v.cur == nil {
		return "explain · no plan yet"
	}
	s := "explain · " + planKind(*v.cur)
	if v.cur.Execution > 0 {
		s += " · " + execMs(v.cur.Execution)
	}
	return s
}

// ShortHelp lists the main keys.
func (v *explainView) ShortHelp() []key.Binding {
	return []key.Binding{v.c.keys.Down, v.c.keys.PageDown, explainBack, v.c.keys.Help}
}

// FullHelp lists every key.
func (v *explainView) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{explainBack},
		v.c.keys.pagerHelp(),
		{v.c.keys.Theme, v.c.keys.Help, v.c.keys.Quit},
	}
}

// planKind names how the plan reads the table, in the database's words.
func planKind(p lab.Plan) string {
	if p.Kind != "" {
		return p.Kind
	}
	return "other plan"
}

// verdict is the lab's one-line reading of a plan.
func verdict(p lab.Plan) string {
	if p.Verdict != "" {
		return p.Verdict
	}
	return planKind(p)
}

// execMs is an execution time as EXPLAIN prints it: milliseconds, with the digits that matter
// (an index scan takes a few hundredths of one).
func execMs(d time.Duration) string {
	m := float64(d) / float64(time.Millisecond)
	prec := 1
	switch {
	case m >= 100:
		prec = 0
	case m < 1:
		prec = 3
	}
	return strconv.FormatFloat(m, 'f', prec, 64) + " ms"
}

// header is the verdict and the execution times, above the scrolling plans.
func (v *explainView) header() []string {
	s := v.sty
	if v.cur == nil {
		return nil
	}
	vs := s.BadVerdict
	if v.cur.Good {
		vs = s.GoodVerdict
	}
	lines := []string{vs.Render(verdict(*v.cur))}
	t := ""
	switch {
	case v.prev != nil && v.prev.Execution > 0 && v.cur.Execution > 0:
		t = "Execution Time: " + execMs(v.prev.Execution) + " (" + planKind(*v.prev) + ") → " +
			execMs(v.cur.Execution) + " (" + planKind(*v.cur) + ")"
		if r := float64(v.prev.Execution) / float64(v.cur.Execution); r >= 1.5 {
			t += " · " + strconv.FormatFloat(r, 'f', 0, 64) + "× faster"
		} else if r <= 1/1.5 {
			t += " · " + strconv.FormatFloat(1/r, 'f', 0, 64) + "× slower"
		}
	case v.cur.Execution > 0:
		t = "Execution Time: " + execMs(v.cur.Execution)
	}
	if t != "" {
		lines = append(lines, s.Time.Render(t))
	}
	if v.hint != "" {
		lines = append(lines, s.Hint.Render(v.hint))
	}
	return lines
}

func (v *explainView) bodyHeight() int { return max(1, v.height-len(v.header())) }

func (v *explainView) clamp() {
	v.off = clampOffset(v.off, len(v.display()), v.bodyHeight())
}

// View draws the verdict, the times and the visible part of the plans.
func (v *explainView) View() string {
	if v.width <= 0 || v.height <= 0 {
		return ""
	}
	if v.theme != v.c.styles.Theme || v.noCol != v.c.styles.NoColor {
		v.restyle()
	}
	rows := v.display()
	v.clamp()
	end := min(len(rows), v.off+v.bodyHeight())
	return joinLines(append(v.header(), rows[v.off:end]...), v.width, v.height)
}

// display is the scrolling part: the error, then the plan(s); cached per width and content.
func (v *explainView) display() []string {
	if v.rowsW == v.width && v.rows != nil {
		return v.rows
	}
	w := max(20, v.width)
	s := v.sty
	var out []string
	switch {
	case v.cur == nil:
		out = append(out, v.intro(w)...)
	case v.prev == nil:
		out = append(out, s.Title.Render(planTitle(*v.cur, "plan")))
		out = append(out, v.planRows(*v.cur, w)...)
	case v.width >= 120:
		cw := (w - 3) / 2
		before, after := beforeAfter(*v.prev, *v.cur)
		left := append([]string{s.Title.Render(planTitle(*v.prev, before))}, v.planRows(*v.prev, cw)...)
		right := append([]string{s.Title.Render(planTitle(*v.cur, after))}, v.planRows(*v.cur, cw)...)
		sep := s.Rule.Render(" │ ")
		for i := 0; i < max(len(left), len(right)); i++ {
			l, r := "", ""
			if i < len(left) {
				l = left[i]
			}
			if i < len(right) {
				r = right[i]
			}
			out = append(out, fit(l, cw)+sep+r)
		}
	default:
		before, after := beforeAfter(*v.prev, *v.cur)
		rule := func(t string) string {
			t = "── " + t + " "
			return s.Title.Render(t) + s.Rule.Render(strings.Repeat("─", max(0, w-xansi.StringWidth(t))))
		}
		// stacked: the plan just run first (it is what the verdict reads), the one before below
		out = append(out, rule(planTitle(*v.cur, after)))
		out = append(out, v.planRows(*v.cur, w)...)
		out = append(out, "", rule(planTitle(*v.prev, before)))
		out = append(out, v.planRows(*v.prev, w)...)
	}
	v.rows, v.rowsW = out, v.width
	return out
}

// beforeAfter labels the two plans: "before"/"after" when the fix came (the scenario's
// story), "earlier"/"now" otherwise (a reset took it away).
func beforeAfter(prev, cur lab.Plan) (string, string) {
	if !prev.Good && cur.Good {
		return "before", "after the fix"
	}
	return "earlier", "now"
}

func planTitle(p lab.Plan, label string) string {
	t := label + ": " + planKind(p)
	if p.Execution > 0 {
		t += ", " + execMs(p.Execution)
	}
	return t
}

// intro is what the view says before any plan: how to read one, or that this lab has none.
func (v *explainView) intro(w int) []string {
	s := v.sty
	if _, ok := v.c.lab.(lab.Planner); !ok {
		out := []string{s.Title.Render("No query plans here."), ""}
		for _, l := range wrapIndent("This lab has no plan view: it reads no query plan.", w) {
			out = append(out, s.Hint.Render(l))
		}
		return out
	}
	out := []string{s.Title.Render("No plan yet."), ""}
	for _, l := range wrapIndent("run the lab's action that reads the plan (Enter on its command in the text, or its key: ? lists them)", w) {
		out = append(out, s.Plan.Render(l))
	}
	out = append(out, "")
	for _, l := range wrapIndent("EXPLAIN ANALYZE runs the query for real and shows how PostgreSQL found the rows: Seq Scan reads every row, Index Scan jumps to the ones asked for.", w) {
		out = append(out, s.Hint.Render(l))
	}
	return out
}

// planRows highlights and wraps a plan's lines to width w.
func (v *explainView) planRows(p lab.Plan, w int) []string {
	var out []string
	for _, l := range strings.Split(strings.TrimRight(p.Text, "\n"), "\n") {
		for _, r := range wrapIndent(v.highlightPlan(l), w) {
			out = append(out, r)
		}
	}
	return out
}

// highlightPlan styles the scan nodes and the execution time of one plan line.
func (v *explainView) highlightPlan(l string) string {
	s := v.sty
	if strings.HasPrefix(strings.TrimSpace(l), "Execution Time:") {
		return s.Time.Render(l)
	}
	// one pass, so a styled span is never searched again
	var b strings.Builder
	for len(l) > 0 {
		i, word, st := -1, "", s.Plan
		for _, c := range []struct {
			w  string
			st lipgloss.Style
		}{{"Index Only Scan", s.Index}, {"Index Scan", s.Index}, {"Seq Scan", s.Seq}} {
			if j := strings.Index(l, c.w); j >= 0 && (i < 0 || j < i) {
				i, word, st = j, c.w, c.st
			}
		}
		if i < 0 {
			b.WriteString(s.Plan.Render(l))
			break
		}
		if i > 0 {
			b.WriteString(s.Plan.Render(l[:i]))
		}
		b.WriteString(st.Render(word))
		l = l[i+len(word):]
	}
	return b.String()
}
