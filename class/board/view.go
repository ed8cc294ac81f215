package board

import (
	"fmt"
	"strings"
	"time"

	"github.com/NimbleMarkets/ntcharts/barchart"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"scalelab/class/room"
)

const (
	wideWidth    = 120 // columns from which `w` shows every metric per stage
	narrowCellW  = 7   // a stage column showing one metric
	wideCellW    = 20  // a stage column showing success, p99 and req/s
	answersW     = 5
	liveW        = 9
	minStepW     = 10
	maxStepW     = 40
	chartMinW    = 24
	chartMaxW    = 60
	minTableRows = 5 // rows the learner table keeps before the medians and the chart go
)

// View draws the board: every line fits the width and there are never more lines than the
// height; a small terminal loses the chart first, then the medians table, never wraps.
func (m *Model) View() string {
	w, h := m.width, m.height
	if w <= 0 || h <= 0 {
		return ""
	}
	lines := m.headerLines(w)
	bodyH := h - len(lines) - 2 // status line and footer
	var body []string
	if m.help {
		body = m.helpLines(w, bodyH)
	} else {
		body = m.bodyLines(w, bodyH)
	}
	lines = append(lines, body...)
	for len(lines) < h-2 {
		lines = append(lines, "")
	}
	lines = append(lines, m.statusLine(w), m.footerLine(w))
	if len(lines) > h {
		lines = lines[len(lines)-h:] // a tiny terminal keeps the status and the footer
	}
	for i, l := range lines {
		if lipgloss.Width(l) > w {
			lines[i] = ansi.Truncate(l, w, "")
		}
	}
	return strings.Join(lines, "\n")
}

func (m *Model) headerLines(w int) []string {
	s := m.snap
	st := m.st
	class := oneLine(s.Class)
	if class == "" {
		class = "class"
	}
	connected := 0
	for _, l := range s.Learners {
		if l.Connected {
			connected++
		}
	}
	n := func(v int) string { return st.number.Render(fmt.Sprint(v)) }
	t := st.muted.Render
	title := st.title.Render("scalelab · " + class)
	// the long form when it fits, else the short one, so that the numbers stay on screen
	first := title + "  " + n(connected) + t("/") + n(len(s.Learners)) + t(" connected  load tests ") +
		n(s.Running) + t(" running, ") + n(s.Queued) + t(" queued of ") + n(s.Slots) + t(" slots")
	if lipgloss.Width(first) > w {
		first = title + " " + n(connected) + t("/") + n(len(s.Learners)) + t(" on · load ") +
			n(s.Running) + t("/") + n(s.Slots) + t(" · queue ") + n(s.Queued)
	}
	msg := st.subtle.Render("message: none sent yet (m sends one)")
	if s.Message != "" {
		msg = st.muted.Render("message: ") + st.notice.Render(oneLine(s.Message))
	}
	if !m.have {
		first = st.title.Render("scalelab · class board")
		msg = ""
	}
	return []string{first, msg}
}

// bodyLines is the learner table, then the medians table with the chart beside it, in h lines.
func (m *Model) bodyLines(w, h int) []string {
	if h <= 0 {
		return nil
	}
	stages := stagesOf(m.snap, m.scenario)
	panel, tableH := m.plan(stages, w, h)
	out := m.tableLines(stages, w, tableH)
	if len(panel) > 0 {
		out = append(out, "")
		out = append(out, panel...)
	}
	return out
}

// bodyHeight is the height left for the body: the frame less the header, status and footer.
func (m *Model) bodyHeight() int { return m.height - 2 - 2 }

// plan lays the body out in h lines: the panel under the learner table (the medians table
// with the chart beside it) and the table's height. In width the chart goes first (it needs
// chartMinW columns beside the medians), then the medians table (mediansLines gives nil when
// it does not fit); in height both go at once, the chart being beside the medians, so that
// the learner table keeps a few rows.
func (m *Model) plan(stages []stage, w, h int) (panel []string, tableH int) {
	med := m.mediansLines(stages, w)
	if len(med) > 0 {
		medW := 0
		for _, l := range med {
			medW = max(medW, lipgloss.Width(l))
		}
		if chartW := min(w-medW-3, chartMaxW); chartW >= chartMinW {
			panel = sideBySide(med, medW, m.chartLines(stages, chartW, len(med)))
		} else {
			panel = med
		}
	}
	need := 1 + max(1, min(len(m.rows), minTableRows)) // header and a few rows
	if h-len(panel)-1 < need {
		panel = nil // the chart and the medians both go: the medians alone are as tall
	}
	if len(panel) == 0 {
		return nil, h
	}
	return panel, h - len(panel) - 1
}

// relayout sets the rows a page holds for the current size and snapshot, and keeps the
// cursor on the page.
func (m *Model) relayout() {
	_, tableH := m.plan(stagesOf(m.snap, m.scenario), m.width, m.bodyHeight())
	m.pageRows = max(1, tableH-1)
	m.clampCursor()
	m.text.Width = max(1, m.width-lipgloss.Width(m.text.Prompt)-1-m.inputErrWidth())
}

func sideBySide(left []string, leftW int, right []string) []string {
	out := make([]string, max(len(left), len(right)))
	for i := range out {
		var l, r string
		if i < len(left) {
			l = left[i]
		}
		if i < len(right) {
			r = right[i]
		}
		out[i] = padRight(l, leftW) + "   " + r
	}
	return out
}

// tableColumns decides the learner table's columns for width w: the step column takes what
// the stage columns leave, and stage columns that do not fit are dropped (the footer says so).
type tableColumns struct {
	nameW, stepW, cellW, shown int
	wide                       bool
}

func (m *Model) columns(stages []stage, w int) tableColumns {
	c := tableColumns{nameW: 4, cellW: narrowCellW, wide: m.wide && w >= wideWidth}
	if c.wide {
		c.cellW = wideCellW
	}
	for _, r := range m.rows {
		c.nameW = max(c.nameW, lipgloss.Width(r.name))
	}
	c.nameW = min(c.nameW, 14)
	fixed := 2 + c.nameW + 1 + answersW + 1 + liveW + 1
	c.shown = len(stages)
	for ; c.shown > 0; c.shown-- {
		if w-fixed-c.shown*(c.cellW+1) >= minStepW {
			break
		}
	}
	c.stepW = min(maxStepW, max(3, w-fixed-c.shown*(c.cellW+1)))
	return c
}

func (m *Model) tableLines(stages []stage, w, h int) []string {
	st := m.st
	c := m.columns(stages, w)
	head := "  " + padRight("name", c.nameW) + " " + padRight("step", c.stepW) + " " +
		padLeft("ans", answersW) + " " + padRight("load", liveW)
	for _, sg := range stages[:c.shown] {
		label := oneLine(sg.name)
		if c.wide {
			label += " ok% p99 rps"
		}
		head += " " + padLeft(label, c.cellW)
	}
	out := []string{st.head.Render(head)}
	if len(m.rows) == 0 {
		if m.have {
			out = append(out, st.muted.Render("  no learner has joined yet: they join with ssh -p PORT NAME@HOST"))
		}
		return out[:min(len(out), h)]
	}
	end := min(len(m.rows), m.offset+max(0, h-1))
	for i := m.offset; i < end; i++ {
		out = append(out, m.rowLine(m.rows[i], stages[:c.shown], c, i == m.cursor))
	}
	return out[:min(len(out), max(0, h))]
}

func (m *Model) rowLine(r row, stages []stage, c tableColumns, atCursor bool) string {
	st := m.st
	type cell struct {
		text  string
		style paint
	}
	stepText := "–"
	if r.steps > 0 {
		stepText = fmt.Sprintf("%d/%d %s", r.step, r.steps, r.stepTitle)
	}
	answers := "–"
	if r.question > 0 || r.answered > 0 {
		answers = fmt.Sprintf("%d/%d", r.answered, r.question)
	}
	live, liveStyle := "", st.pMuted
	switch {
	case r.running:
		live, liveStyle = "● running", st.pWarn
	case r.queued > 0:
		live, liveStyle = fmt.Sprintf("queued %d", r.queued), st.pText
	case !r.connected:
		live, liveStyle = "away", st.pSubtle
		if r.away > 0 {
			live += " " + shortDuration(r.away)
		}
	}
	mark := "  "
	if atCursor {
		mark = "› "
	}
	cells := []cell{
		{mark, st.pText},
		{padRight(r.name, c.nameW) + " ", st.pNumber},
		{padRight(stepText, c.stepW) + " ", st.pText},
		{padLeft(answers, answersW) + " ", st.pText},
		{padRight(live, liveW), liveStyle},
	}
	for _, sg := range stages {
		run, ok := r.latest[sg.name]
		text, style := "·", st.pSubtle
		if ok {
			if c.wide {
				text, style = fmt.Sprintf("%6s %6s %6s", fmtPct(run.SuccessRate), fmtP99(run.P99), fmtRPS(run.RPS)), st.pText
			} else {
				text, style = m.metricText(run.SuccessRate, run.P99, run.RPS), st.pText
				if m.metric == metricSuccess {
					style = m.successPaint(run.SuccessRate)
				}
			}
		}
		cells = append(cells, cell{" " + padLeft(text, c.cellW), style})
	}
	var b strings.Builder
	for _, cl := range cells {
		if atCursor {
			b.WriteString(cl.text)
		} else {
			cl.style.write(&b, cl.text)
		}
	}
	if atCursor {
		return st.cursor.Render(b.String())
	}
	return b.String()
}

func (m *Model) successStyle(pct float64) lipgloss.Style {
	switch {
	case pct < 90:
		return m.st.bad
	case pct < 99:
		return m.st.warn
	}
	return m.st.good
}

func (m *Model) successPaint(pct float64) paint {
	switch {
	case pct < 90:
		return m.st.pBad
	case pct < 99:
		return m.st.pWarn
	}
	return m.st.pGood
}

func (m *Model) metricText(success float64, p99 time.Duration, rps float64) string {
	switch m.metric {
	case metricSuccess:
		return fmtPct(success)
	case metricRPS:
		return fmtRPS(rps)
	}
	return fmtP99(p99)
}

// mediansLines is the shown scenario's comparison table: one row per stage with the class's
// median; nil when no stage has a median yet, or when it cannot fit w.
func (m *Model) mediansLines(stages []stage, w int) []string {
	var rows []stage
	for _, sg := range stages {
		if sg.median != nil {
			rows = append(rows, sg)
		}
	}
	if len(rows) == 0 {
		return nil
	}
	st := m.st
	titleW := 5
	for _, sg := range rows {
		titleW = max(titleW, lipgloss.Width(sg.title))
	}
	titleW = min(titleW, 24)
	width := titleW + 9 + 8 + 8 + 9
	if width > w {
		return nil
	}
	out := []string{
		st.title.Render(truncate("class median · "+oneLine(m.scenario), width)),
		st.head.Render(padRight("stage", titleW) + padLeft("learners", 9) + padLeft("success", 8) + padLeft("p99", 8) + padLeft("req/s", 9)),
	}
	for _, sg := range rows {
		md := sg.median
		out = append(out, st.text.Render(padRight(sg.title, titleW)+padLeft(fmt.Sprint(md.Learners), 9))+
			m.successStyle(md.SuccessRate).Render(padLeft(fmtPct(md.SuccessRate), 8))+
			st.text.Render(padLeft(fmtP99(md.P99), 8)+padLeft(fmtRPS(md.RPS), 9)))
	}
	return out
}

// chartLines is a horizontal bar chart (ntcharts) of the class median of the shown metric
// per stage, in w columns and at most h lines: a title, then one bar per stage.
func (m *Model) chartLines(stages []stage, w, h int) []string {
	var rows []stage
	for _, sg := range stages {
		if sg.median != nil {
			rows = append(rows, sg)
		}
	}
	rows = rows[:min(len(rows), h-1)]
	if len(rows) == 0 {
		return nil
	}
	labelW := 4
	for _, sg := range rows {
		labelW = max(labelW, lipgloss.Width(oneLine(sg.name)))
	}
	labelW = min(labelW, 10)
	const valueW = 7
	barW := w - labelW - valueW - 2
	if barW < 4 {
		return nil
	}
	value := func(md *room.StageMedian) float64 {
		switch m.metric {
		case metricSuccess:
			return md.SuccessRate
		case metricRPS:
			return md.RPS
		}
		return md.P99.Seconds()
	}
	top := 0.0
	for _, sg := range rows {
		top = max(top, value(sg.median))
	}
	if m.metric == metricSuccess {
		top = 100
	}
	if top <= 0 {
		top = 1
	}
	data := make([]barchart.BarData, len(rows))
	for i, sg := range rows {
		data[i] = barchart.BarData{Values: []barchart.BarValue{{Name: sg.name, Value: value(sg.median), Style: m.st.bar}}}
	}
	bc := barchart.New(barW, len(rows),
		barchart.WithHorizontalBars(), barchart.WithNoAxis(), barchart.WithNoAutoBarWidth(),
		barchart.WithBarWidth(1), barchart.WithBarGap(0), barchart.WithNoAutoMaxValue(),
		barchart.WithMaxValue(top), barchart.WithDataSet(data))
	bc.Draw()
	bars := strings.Split(bc.View(), "\n")
	out := []string{m.st.title.Render(truncate("median "+m.metric.String()+" per stage", w))}
	for i, sg := range rows {
		bar := ""
		if i < len(bars) {
			bar = bars[i]
		}
		md := sg.median
		out = append(out, m.st.text.Render(padRight(oneLine(sg.name), labelW))+" "+bar+" "+
			m.st.number.Render(padLeft(m.metricText(md.SuccessRate, md.P99, md.RPS), valueW)))
	}
	return out
}

func (m *Model) statusLine(w int) string {
	if m.input != inputNone {
		line := m.text.View()
		if m.inputErr != "" {
			line = truncate(line, max(0, w-m.inputErrWidth())) + "  " + m.st.bad.Render(m.inputErr)
		}
		return line
	}
	switch {
	case m.status == "":
		return m.st.subtle.Render(truncate("m message · g go to step · 1–5 sort · s/p/r metric · Tab scenario · ? help", w))
	case m.statusKind == statusErr:
		tail := truncate(m.statusTail, w)
		return m.st.bad.Render(truncate(m.status, w-lipgloss.Width(tail)) + tail)
	case m.statusKind == statusOK:
		return m.st.good.Render(truncate(m.status, w))
	}
	return m.st.muted.Render(truncate(m.status, w))
}

// inputErrWidth is the room the input's error takes on the status line.
func (m *Model) inputErrWidth() int {
	if m.inputErr == "" {
		return 0
	}
	return lipgloss.Width(m.inputErr) + 2
}

func (m *Model) footerLine(w int) string {
	var parts []string
	if n := len(m.rows); n == 0 {
		parts = append(parts, "rows 0 of 0")
	} else {
		end := min(n, m.offset+m.pageRows)
		parts = append(parts, fmt.Sprintf("rows %d–%d of %d", m.offset+1, end, n))
	}
	arrow := "↑"
	if m.sortDesc {
		arrow = "↓"
	}
	parts = append(parts, "sort "+m.sortBy.String()+" "+arrow)
	if m.wide && m.width >= wideWidth {
		parts = append(parts, "stages: all metrics")
	} else {
		parts = append(parts, "stages: "+m.metric.String())
	}
	stages := stagesOf(m.snap, m.scenario)
	if c := m.columns(stages, w); c.shown < len(stages) {
		parts = append(parts, fmt.Sprintf("%d more stages need a wider terminal", len(stages)-c.shown))
	}
	if m.scenario != "" {
		parts = append(parts, "scenario "+oneLine(m.scenario))
	}
	return m.st.muted.Render(truncate(strings.Join(parts, " · "), w))
}

// helpEntries is the help screen: keys, then what they do.
var helpEntries = [][2]string{
	{"j k ↑ ↓", "move the cursor"},
	{"PgUp PgDn", "previous, next page (space: next page too)"},
	{"Home End G", "first, last row"},
	{"1 2 3 4 5", "sort by name, step, answers, p99, success (again: reverse)"},
	{"s p r", "stage columns and chart show success %, p99, req/s"},
	{"w", "wide: every metric of every stage (120 columns and more)"},
	{"Tab", "next scenario: its stage columns, medians table and chart"},
	{"m", "send everyone a one-line message (Enter sends, Esc cancels)"},
	{"g", "send everyone to a step (Enter sends, Esc cancels)"},
	{"?  Esc", "open, close this help"},
	{"q  ctrl+c", "quit the board (the class goes on)"},
}

func (m *Model) helpLines(w, h int) []string {
	st := m.st
	lines := []string{st.title.Render("keys")}
	for _, e := range helpEntries {
		lines = append(lines, truncate(st.number.Render(padRight(e[0], 11))+" "+st.muted.Render(e[1]), w))
	}
	return lines[:min(len(lines), max(0, h))]
}

// truncate cuts s (which may hold styles) to w cells, marking the cut with "…".
func truncate(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if lipgloss.Width(s) <= w {
		return s
	}
	return ansi.Truncate(s, w, "…")
}

func padRight(s string, w int) string {
	s = truncate(s, w)
	if n := w - lipgloss.Width(s); n > 0 {
		s += strings.Repeat(" ", n)
	}
	return s
}

func padLeft(s string, w int) string {
	s = truncate(s, w)
	if n := w - lipgloss.Width(s); n > 0 {
		s = strings.Repeat(" ", n) + s
	}
	return s
}

func fmtPct(v float64) string {
	if v >= 99.95 {
		return "100%"
	}
	return fmt.Sprintf("%.1f%%", v)
}

func fmtP99(d time.Duration) string {
	switch {
	case d <= 0:
		return "0ms"
	case d < 10*time.Millisecond:
		return fmt.Sprintf("%.1fms", float64(d)/float64(time.Millisecond))
	case d < time.Second:
		return fmt.Sprintf("%dms", d.Milliseconds())
	case d < 10*time.Second:
		return fmt.Sprintf("%.2fs", d.Seconds())
	}
	return fmt.Sprintf("%.1fs", d.Seconds())
}

func fmtRPS(v float64) string {
	if v < 100 {
		return fmt.Sprintf("%.1f/s", v)
	}
	return fmt.Sprintf("%.0f/s", v)
}

func shortDuration(d time.Duration) string {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	}
	return fmt.Sprintf("%dh", int(d.Hours()))
}
