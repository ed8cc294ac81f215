package tui

import (
	"fmt"
	"math"
	"strings"

	"github.com/NimbleMarkets/ntcharts/canvas"
	"github.com/charmbracelet/lipgloss"
	xansi "github.com/charmbracelet/x/ansi"

	"scalelab/lab"
	"scalelab/lab/numfmt"
)

// A lab's Stacks (requests per second by replica) are drawn like the requests pane: a legend
// with each part's latest second, stacked columns one per second (newest at the right, on the
// requests pane's time axis), one colour per part; without colour, one glyph per part.

// stackGlyphs tell the parts apart without colour (the legend shows each part's glyph).
var stackGlyphs = [...]rune{'█', '░', '▒', '#', '+', '=', ':', 'o'}

// partStyles are the parts' styles, one per palette colour that is not the failure colour
// (a part in red would read as failures); the same colour never twice in a row of the list.
func partStyles(s *Styles) []lipgloss.Style {
	p := s.Palette
	var out []lipgloss.Style
	seen := map[string]bool{}
	for _, c := range []lipgloss.TerminalColor{p.Accent, p.Good, p.Warn, p.Highlight, p.Focus, p.Text, p.Muted, p.Subtle} {
		k := fmt.Sprint(c)
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, lipgloss.NewStyle().Foreground(c))
	}
	return out
}

// partStyle and partRune are how part i of a stack is drawn.
func (d *dashStyles) partStyle(i int) lipgloss.Style { return d.parts[i%len(d.parts)] }

func (d *dashStyles) partRune(i int) rune {
	if d.s.NoColor {
		return stackGlyphs[i%len(stackGlyphs)]
	}
	return '█'
}

// stackSeconds are a stack's complete seconds (the last one, in progress, left out).
func stackSeconds(s lab.Stack) []lab.StackSecond {
	if len(s.Seconds) == 0 {
		return nil
	}
	return s.Seconds[:len(s.Seconds)-1]
}

// stackLast is the last complete second of the lab's stacks (unix seconds, 0 for none): the
// stack charts are redrawn when it moves.
func stackLast(ss []lab.Stack) int64 {
	var last int64
	for _, s := range ss {
		if secs := stackSeconds(s); len(secs) > 0 {
			last = max(last, secs[len(secs)-1].At.Unix())
		}
	}
	return last
}

// stackRef is the second drawn in a stack chart's last column: the requests chart's, so the
// two panes share their time axis, else the stack's own last complete second.
func (d *dashboard) stackRef(s lab.Stack) int64 {
	if d.chartAt != 0 {
		return d.chartAt
	}
	if secs := stackSeconds(s); len(secs) > 0 {
		return secs[len(secs)-1].At.Unix()
	}
	return 0
}

// stackCols is how many seconds a stack chart w wide shows and its axis labels: the requests
// pane's count when it has seconds, so both axes read the same.
func (d *dashboard) stackCols(s lab.Stack, w int) int {
	if n := d.secs.len(); n > 0 {
		return min(n, w)
	}
	return min(len(stackSeconds(s)), w)
}

// stackPane draws stack i in w x h: legend lines, the stacked columns and the time axis.
func (d *dashboard) stackPane(i, w, h int) []string {
	if h <= 0 || w <= 0 || i >= len(d.sample.Stacks) {
		return nil
	}
	s := d.sample.Stacks[i]
	st := d.sty
	legendRows := 1
	if h >= 6 {
		legendRows = 2
	}
	out := d.stackLegend(s, w, legendRows)
	if h-len(out) < 1 {
		return out[:min(len(out), h)]
	}
	if len(stackSeconds(s)) == 0 {
		return append(out, st.Hint.Render("no requests yet"))
	}
	ch := h - len(out)
	axis := ch >= 4
	if axis {
		ch--
	}
	out = append(out, d.chart(chartKey{kind: chartStack, w: w, h: ch, name: s.Title})...)
	if axis {
		out = append(out, d.timeAxis(w, d.stackCols(s, w)))
	}
	return out
}

// stackLegend is each part's mark, name and figure in the chart's last column ("■ replica-1
// 310/s"), on
// at most rows lines of w cells. When the names do not fit, the prefix they share is said once
// ("replica-") and each part shows only the rest of its name ("■ 1 310/s"), then the unit too
// ("replica- /s: ■ 1 310"); parts that still do not fit are counted ("+2 more").
func (d *dashboard) stackLegend(s lab.Stack, w, rows int) []string {
	st := d.sty
	var last []float64 // the second in the chart's last column (a run's last when it ended)
	ref := d.stackRef(s)
	for _, sec := range stackSeconds(s) {
		if sec.At.Unix() <= ref {
			last = sec.Values
		}
	}
	item := func(i int, name, unit string) string {
		txt := string(st.partRune(i))
		if !st.s.NoColor {
			txt = "■"
		}
		txt += " " + name
		if i < len(last) {
			txt += " " + numfmt.Int(int(math.Round(last[i]))) + unit
		}
		return st.partStyle(i).Render(txt)
	}
	names := s.Parts
	if lines, ok := packLegend(len(names), func(i int) string { return item(i, names[i], "/s") }, w, rows, ""); ok {
		return lines
	}
	pre := commonPrefix(names)
	short := func(i int) string { return item(i, strings.TrimPrefix(names[i], pre), "/s") }
	if lines, ok := packLegend(len(names), short, w, rows, st.Label.Render(pre)); ok {
		return lines
	}
	// the tightest: the figures without their unit, which the lead says once
	tight := func(i int) string { return item(i, strings.TrimPrefix(names[i], pre), "") }
	lines, _ := packLegend(len(names), tight, w, rows, st.Label.Render(strings.TrimSpace(pre+" /s:")))
	return lines
}

// packLegend lays n legend items on at most rows lines of w cells, two spaces apart, after a
// lead on the first line; ok is false when some were left out: they are counted ("+N more"),
// in place of as many whole items at the end as that takes.
func packLegend(n int, item func(int) string, w, rows int, lead string) ([]string, bool) {
	lines := [][]string{nil}
	join := func(i int, l []string) string {
		x := strings.Join(l, "  ")
		if i == 0 && lead != "" {
			x = lead + " " + x
		}
		return x
	}
	for i := 0; i < n; i++ {
		it := item(i)
		last := len(lines) - 1
		if xansi.StringWidth(join(last, append(lines[last][:len(lines[last]):len(lines[last])], it))) <= w {
			lines[last] = append(lines[last], it)
			continue
		}
		if len(lines) < rows && xansi.StringWidth(it) <= w {
			lines = append(lines, []string{it})
			continue
		}
		left := n - i
		for {
			more := fmt.Sprintf("+%d more", left)
			l := lines[last]
			if len(l) == 0 || xansi.StringWidth(join(last, append(l[:len(l):len(l)], more))) <= w {
				lines[last] = append(l, more)
				break
			}
			lines[last], left = l[:len(l)-1], left+1
		}
		return joinLegend(lines, join), false
	}
	return joinLegend(lines, join), true
}

// joinLegend makes the legend's lines of their items.
func joinLegend(lines [][]string, join func(int, []string) string) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = join(i, l)
	}
	return out
}

// commonPrefix is the start every name shares ("replica-"), "" when they share none.
func commonPrefix(names []string) string {
	if len(names) < 2 {
		return ""
	}
	pre := names[0]
	for _, n := range names[1:] {
		for !strings.HasPrefix(n, pre) {
			pre = pre[:len(pre)-1]
		}
	}
	return pre
}

// drawStack draws a stack's columns on a kept canvas: each second's parts one on top of the
// other (the first at the bottom), scaled to the highest second shown, in eighths of a cell
// (whole cells without colour, where the glyphs tell the parts apart). A cell shows the part
// under its middle.
func (d *dashboard) drawStack(title string, w, h int) []string {
	st := d.sty
	c := d.canvasFor(chartKey{kind: chartStack, w: w, h: h, name: title})
	var s lab.Stack
	for _, x := range d.sample.Stacks {
		if x.Title == title {
			s = x
		}
	}
	secs := stackSeconds(s)
	ref := d.stackRef(s)
	cols := make(map[int][]float64, w) // column -> the second's values
	peak := 1.0
	for _, sec := range secs {
		x := w - 1 - int(ref-sec.At.Unix())
		if x < 0 || x >= w {
			continue
		}
		cols[x] = sec.Values
		tot := 0.0
		for _, v := range sec.Values {
			tot += max(v, 0)
		}
		peak = max(peak, tot)
	}
	unit := 8
	if st.s.NoColor {
		unit = 1
	}
	full := float64(h * unit)
	cum := make([]int, 0, len(s.Parts))
	for x, vals := range cols {
		cum, acc := cum[:0], 0.0
		for _, v := range vals {
			acc += max(v, 0)
			cum = append(cum, int(math.Round(acc/peak*full)))
		}
		if len(cum) == 0 {
			continue
		}
		top := cum[len(cum)-1]
		for row := 0; row < h && row*unit < top; row++ {
			lo, hi := row*unit, min(top, row*unit+unit)
			mid := lo + hi // twice the middle of the cell's filled part
			part := 0
			for part < len(cum)-1 && 2*cum[part] <= mid {
				part++
			}
			r := st.partRune(part)
			if hi-lo < unit {
				r = lowerBlocks[hi-lo]
			}
			c.SetCell(canvas.Point{X: x, Y: h - 1 - row}, canvas.NewCellWithStyle(r, st.partStyle(part)))
		}
	}
	return st.canvasLines(c)
}
