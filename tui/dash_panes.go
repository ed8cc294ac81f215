package tui

import (
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/NimbleMarkets/ntcharts/canvas"
	"github.com/NimbleMarkets/ntcharts/canvas/graph"
	"github.com/NimbleMarkets/ntcharts/canvas/runes"
	"github.com/NimbleMarkets/ntcharts/linechart/timeserieslinechart"
	"github.com/charmbracelet/bubbles/progress"
	"github.com/charmbracelet/lipgloss"
	xansi "github.com/charmbracelet/x/ansi"

	"scalelab/lab"
	"scalelab/lab/load"
	"scalelab/lab/numfmt"
	"scalelab/lab/telemetry"
)

type chartKind int

const (
	chartReq chartKind = iota
	chartLat
	chartGauge
	chartLatCols
	chartStack
)

type chartKey struct {
	kind chartKind
	w, h int
	name string // the gauge chart's chartName, the stack's title
}

// chart returns a chart's lines from the cache, drawing it when the data moved on.
func (d *dashboard) chart(k chartKey) []string {
	if s, ok := d.charts[k]; ok {
		return strings.Split(s, "\n")
	}
	var lines []string
	switch k.kind {
	case chartReq:
		lines = d.drawReq(k.w, k.h)
	case chartLat:
		lines = d.drawLat(k.w, k.h)
	case chartGauge:
		lines = d.drawGauge(k.name, k.w, k.h)
	case chartLatCols:
		lines = d.drawLatCols(k.w, k.h)
	case chartStack:
		lines = d.drawStack(k.name, k.w, k.h)
	}
	d.charts[k] = strings.Join(lines, "\n")
	return lines
}

var _ screen = (*dashboard)(nil)

// ---- big numbers -------------------------------------------------------------------------

type bigNum struct {
	label, num, unit, sub string
	short                 string // sub when sub is wider than the cell ("" : sub is cut)
	st                    lipgloss.Style
}

// subFor is the line under the number that fits in w cells.
func (b bigNum) subFor(w int) string {
	if b.short != "" && lipgloss.Width(b.sub) > w {
		return b.short
	}
	return b.sub
}

// bigNumbers are success rate, p99 and req/s: of the run so far while one runs (with the last
// second's value below), else of the last finished run.
func (d *dashboard) bigNumbers() [3]bigNum {
	st := d.sty
	s := &d.sample
	none := [3]bigNum{
		{label: "success rate", num: "—", sub: "no run yet", st: st.Value},
		{label: "p99 latency", num: "—", sub: "no run yet", st: st.Value},
		{label: "req/s", num: "—", sub: "no run yet", st: st.Value},
	}
	if !d.have {
		return none
	}
	tot := s.Telemetry.Total
	switch {
	case s.Run != nil || (s.LastRun == nil && tot.Requests > 0):
		what := " · this run"
		if s.Run == nil {
			what = " · window"
		}
		if tot.Requests == 0 {
			for i := range none {
				none[i].label += what
				none[i].sub = "no requests yet"
			}
			return none
		}
		el := s.Telemetry.Now.Sub(s.Telemetry.Start)
		rate := tot.SuccessRate()
		pn, pu := numfmt.Latency(tot.P99)
		b := [3]bigNum{
			{label: "success rate" + what, num: numfmt.Pct(rate), unit: "%", st: d.rateStyle(rate)},
			{label: "p99 latency" + what, num: pn, unit: pu, st: d.latStyle(tot.P99)},
			{label: "req/s" + what, num: numfmt.RPS(tot.RPS(el)), unit: "/s", st: st.Value},
		}
		if n := d.secs.len(); n > 0 {
			ok, failed := d.secs.ok[n-1], d.secs.failed[n-1]
			if ok+failed > 0 {
				b[0].sub = "last second " + numfmt.Pct(100*float64(ok)/float64(ok+failed)) + "%"
			} else {
				b[0].sub = "last second: no requests"
			}
			b[1].sub = "last second " + numfmt.Dur(d.secs.p99[n-1])
			b[2].sub = "last second " + numfmt.Int(ok+failed) + "/s"
		}
		return b
	case s.LastRun != nil:
		r := s.LastRun
		pn, pu := numfmt.Latency(r.P99)
		what := " · last run"
		sub, short := numfmt.Int(r.Total)+" requests", ""
		if r.State != "" {
			// in a narrow cell the count stays whole: the stage is in the summary line above
			sub, short = lab.StageTitle(d.c.stages, r.State)+" · "+sub, sub
		}
		return [3]bigNum{
			{label: "success rate" + what, num: numfmt.Pct(r.SuccessRate), unit: "%", sub: sub, short: short, st: d.rateStyle(r.SuccessRate)},
			{label: "p99 latency" + what, num: pn, unit: pu, sub: "p50 " + numfmt.Dur(r.P50), st: d.latStyle(r.P99)},
			{label: "req/s" + what, num: numfmt.RPS(r.RPS), unit: "/s", sub: numfmt.Int(r.Failed) + " failed", st: st.Value},
		}
	}
	return none
}

func (d *dashboard) rateStyle(r float64) lipgloss.Style {
	switch {
	case r >= 99:
		return d.sty.Good
	case r >= 90:
		return d.sty.Warn
	}
	return d.sty.Bad
}

func (d *dashboard) latStyle(p time.Duration) lipgloss.Style {
	switch {
	case p < 200*time.Millisecond:
		return d.sty.Good
	case p < time.Second:
		return d.sty.Warn
	}
	return d.sty.Bad
}

// bigCell draws one big number in w x h: 3-row glyphs when they fit (h >= 5), else bold text.
func (d *dashboard) bigCell(b bigNum, w, h int) []string {
	st := d.sty
	out := []string{st.Label.Render(b.label)}
	big := b.st.Bold(true)
	if h >= 7 {
		if rows, tw, ok := tallLines(b.num); ok && tw+1+len(b.unit) <= w {
			for i, r := range rows {
				if i == len(rows)-1 {
					r += " " + b.unit
				}
				out = append(out, big.Render(r))
			}
			if b.sub != "" {
				out = append(out, st.Hint.Render(b.subFor(w)))
			}
			return out
		}
	}
	bw := bigWidth(b.num, st.font)
	if h >= 5 && bw > 0 && bw+1+len(b.unit) <= w {
		g := bigLines(b.num, st.font)
		out = append(out, big.Render(g[0]), big.Render(g[1]), big.Render(g[2])+" "+big.Render(b.unit))
	} else {
		out = append(out, big.Render(b.num+" "+b.unit))
	}
	if b.sub != "" && len(out) < h {
		out = append(out, st.Hint.Render(b.subFor(w)))
	}
	return out
}

func (d *dashboard) bigRow(w, h int) []string {
	nums := d.bigNumbers()
	gap := 2
	cw := (w - 2*gap) / 3
	widths := []int{cw, cw, w - 2*cw - 2*gap}
	blocks := make([][]string, 3)
	for i := range nums {
		blocks[i] = d.bigCell(nums[i], widths[i], h)
	}
	return besides(gap, blocks, widths)
}

// ---- progress ------------------------------------------------------------------------------

// fitClauses fits a summary made of ", "-separated figures into w cells by leaving out whole
// figures from the end, so no number is cut in half ("p9…"); only a first clause wider than w
// is truncated.
func fitClauses(s string, w int) string {
	for lipgloss.Width(s) > w {
		i := strings.LastIndex(s, ", ")
		if i < 0 {
			return xansi.Truncate(s, w, "…")
		}
		s = s[:i]
	}
	return s
}

// progressLine is the load test's bar with time left, or what the lab is doing when idle.
func (d *dashboard) progressLine(w int) string {
	st := d.sty
	if !d.have {
		return st.Hint.Render("waiting for the lab…")
	}
	r := d.sample.Run
	if r == nil && d.ended != "" {
		// the run's final picture: its summary, and how to leave it
		const closeHint = " · esc closes it"
		return st.Value.Render(fitClauses("run ended: "+d.ended, max(10, w-lipgloss.Width(closeHint)))) +
			st.Hint.Render(closeHint)
	}
	if r == nil {
		msg := "no load test running"
		if lr := d.sample.LastRun; lr != nil {
			msg += " · last run " + fmtSecs(lr.Elapsed) + ", " + numfmt.Int(lr.Total) + " requests"
		}
		return st.Label.Render(msg)
	}
	frac := r.Fraction()
	total := r.Duration
	if total == 0 {
		total = d.sample.RunTotal
	}
	var right string
	if total > 0 {
		left := max(0, total-r.Elapsed)
		right = " " + fmtSecs(r.Elapsed) + "/" + fmtSecs(total) + " · " + fmtSecs(left) + " left"
	} else if r.Target > 0 {
		right = " " + numfmt.Int(r.Requests) + "/" + numfmt.Int(r.Target) + " requests"
	} else {
		right = " " + fmtSecs(r.Elapsed)
	}
	label := "load test "
	barW := w - len(label) - xansi.StringWidth(right) - 5
	if barW < 8 && total > 0 { // narrow: the bar and the time left only
		right = " " + fmtSecs(max(0, total-r.Elapsed)) + " left"
		barW = w - len(label) - xansi.StringWidth(right) - 5
	}
	if barW < 5 {
		return st.Title.Render("load test") + st.Value.Render(right)
	}
	pm := progress.New(progress.WithSolidFill(st.progFull), progress.WithoutPercentage(),
		progress.WithFillCharacters('█', '░'), progress.WithColorProfile(st.progProfile))
	pm.EmptyColor = st.progEmpty
	pm.Width = barW
	pct := strconv.Itoa(int(math.Round(frac*100))) + "%"
	return st.Title.Render(label) + pm.ViewAs(frac) + " " + st.Value.Render(pct) + st.Value.Render(right)
}

// ---- requests per second -------------------------------------------------------------------

// reqPane: a legend line, the stacked columns (successes below, failures above), a time axis.
func (d *dashboard) reqPane(w, h int) []string {
	if h <= 0 || w <= 0 {
		return nil
	}
	st := d.sty
	n := d.secs.len()
	var legend string
	if n > 0 {
		ok, f := d.secs.ok[n-1], d.secs.failed[n-1]
		legend = st.Good.Render("■ ok "+numfmt.Int(ok)+"/s") + "  " + st.Bad.Render(string(st.failRune)+" failed "+numfmt.Int(f)+"/s")
	} else {
		legend = st.Good.Render("■ ok") + "  " + st.Bad.Render(string(st.failRune)+" failed")
	}
	if h < 2 {
		return []string{legend}
	}
	if n == 0 {
		return []string{legend, st.Hint.Render("no requests yet")}
	}
	ch := h - 1
	axis := ch >= 4
	if axis {
		ch--
	}
	peak := 0
	for i := max(0, n-w); i < n; i++ {
		peak = max(peak, d.secs.ok[i]+d.secs.failed[i])
	}
	if peak > 0 && w >= 50 {
		legend = fit(legend, max(0, w-len("peak "+numfmt.Int(peak)+"/s")-1)) + " " + st.Label.Render("peak "+numfmt.Int(peak)+"/s")
	}
	out := []string{legend}
	out = append(out, d.chart(chartKey{kind: chartReq, w: w, h: ch})...)
	if axis {
		out = append(out, d.timeAxis(w, min(n, w)))
	}
	return out
}

// timeAxis labels a right-aligned chart of cols seconds: "-Ns" under its first column, "now" at the end.
func (d *dashboard) timeAxis(w, cols int) string {
	left := "-" + strconv.Itoa(cols) + "s"
	pad := max(0, w-max(cols, len(left)+4))
	gap := max(1, w-pad-len(left)-3)
	return d.sty.Axis.Render(strings.Repeat(" ", pad) + left + strings.Repeat(" ", gap) + "now")
}

var lowerBlocks = [...]rune{' ', '▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'}

// drawReq draws the stacked request columns on an ntcharts canvas, one column per second,
// newest at the right, in eighths of a cell (whole cells without colour).
func (d *dashboard) drawReq(w, h int) []string {
	st := d.sty
	c := d.canvasFor(chartKey{kind: chartReq, w: w, h: h})
	n := d.secs.len()
	first := max(0, n-w)
	peak := 1
	for i := first; i < n; i++ {
		peak = max(peak, d.secs.ok[i]+d.secs.failed[i])
	}
	unit := 8
	if st.s.NoColor {
		unit = 1
	}
	full := h * unit
	okCell := canvas.NewCellWithStyle('█', st.OK)
	failCell := canvas.NewCellWithStyle(st.failRune, st.Fail)
	x0 := w - (n - first)
	for i := first; i < n; i++ {
		ok, f := d.secs.ok[i], d.secs.failed[i]
		ok8 := int(math.Round(float64(ok) / float64(peak) * float64(full)))
		tot8 := int(math.Round(float64(ok+f) / float64(peak) * float64(full)))
		if ok > 0 && ok8 == 0 {
			ok8 = 1
		}
		if f > 0 && tot8 <= ok8 {
			tot8 = min(full, ok8+1)
			if tot8 == ok8 { // a full column of successes: show the failure on top
				ok8--
			}
		}
		x := x0 + i - first
		for row := 0; row < h; row++ {
			lo, hi := row*unit, row*unit+unit
			y := h - 1 - row
			p := canvas.Point{X: x, Y: y}
			switch {
			case ok8 >= hi:
				c.SetCell(p, okCell)
			case ok8 > lo:
				switch {
				case tot8 >= hi && unit == 8: // successes below, failures above in one cell
					c.SetCell(p, canvas.NewCellWithStyle(lowerBlocks[ok8-lo], st.OKOnFail))
				case tot8-ok8 > ok8-lo: // the cell's top: mostly failures
					c.SetCell(p, canvas.NewCellWithStyle(lowerBlocks[min(tot8, hi)-lo], st.Fail))
				default:
					c.SetCell(p, canvas.NewCellWithStyle(lowerBlocks[min(tot8, hi)-lo], st.OK))
				}
			case tot8 >= hi:
				c.SetCell(p, failCell)
			case tot8 > lo:
				c.SetCell(p, canvas.NewCellWithStyle(lowerBlocks[tot8-lo], st.Fail))
			}
		}
	}
	return st.canvasLines(c)
}

// ---- latency -------------------------------------------------------------------------------

func (d *dashboard) latPane(w, h int) []string {
	if h <= 0 || w <= 0 {
		return nil
	}
	st := d.sty
	n := d.secs.len()
	legend := st.P50.Render("─ p50") + "  " + st.P99.Render("─ p99")
	if n > 0 {
		legend = st.P50.Render("─ p50 "+numfmt.Dur(d.secs.p50[n-1])) + "  " + st.P99.Render("─ p99 "+numfmt.Dur(d.secs.p99[n-1]))
	}
	if st.onlyP99 {
		legend = st.P99.Render("─ p99")
		if n > 0 {
			legend = st.P99.Render("─ p99 "+numfmt.Dur(d.secs.p99[n-1])) + st.Label.Render(" · p50 "+numfmt.Dur(d.secs.p50[n-1])+" (not drawn)")
		}
	}
	if h < 2 {
		return []string{legend}
	}
	if n < 2 {
		return []string{legend, st.Hint.Render("collecting… (a line needs two seconds)")}
	}
	if h-1 < 4 { // too low for a line chart: p99 as columns, in eighths of a cell
		return append([]string{legend}, d.chart(chartKey{kind: chartLatCols, w: w, h: h - 1})...)
	}
	return append([]string{legend}, d.chart(chartKey{kind: chartLat, w: w, h: h - 1})...)
}

// drawLatCols draws p99 per second as columns (newest at the right), for low panes.
func (d *dashboard) drawLatCols(w, h int) []string {
	c := d.canvasFor(chartKey{kind: chartLatCols, w: w, h: h})
	n := d.secs.len()
	first := max(0, n-w)
	peak := 1.0
	for i := first; i < n; i++ {
		peak = max(peak, ms(d.secs.p99[i]))
	}
	vals := make([]float64, 0, n-first)
	for i := first; i < n; i++ {
		vals = append(vals, ms(d.secs.p99[i])/peak*float64(h))
	}
	graph.DrawColumns(c, canvas.Point{X: w - len(vals), Y: h - 1}, vals, d.sty.P99)
	return d.sty.canvasLines(c)
}

// drawLat draws p50 and p99 per second with ntcharts' time-series line chart.
func (d *dashboard) drawLat(w, h int) []string {
	st := d.sty
	xstep := 0
	if h >= 5 {
		xstep = 12
	}
	n := d.secs.len()
	cols := min(n, max(2, w-7))
	first := n - cols
	lastAt := d.secs.at[n-1]
	peak := 1.0
	for i := first; i < n; i++ {
		peak = max(peak, ms(d.secs.p99[i]), ms(d.secs.p50[i]))
	}
	peak = niceCeil(peak * 1.05)
	// rows between the x axis and the top: ntcharts labels row i with i*range/graphHeight, but
	// scales points by origin.Y (one less without an x axis), so the labels are computed here
	rows := h - 1
	if xstep > 0 {
		rows = h - 2
	}
	ystep := max(1, rows)
	if rows >= 8 && rows%2 == 0 {
		ystep = rows / 2
	}
	d.lat.peak, d.lat.rows, d.lat.last = peak, rows, lastAt
	k := chartKey{kind: chartLat, w: w, h: h}
	lc := d.lines[k]
	if lc == nil || lc.XStep() != xstep || lc.YStep() != ystep {
		lc = d.newLatChart(w, h, xstep, ystep)
		d.keepChart(k, nil, lc)
	}
	lc.ClearAllData()
	t0, t1 := time.Unix(d.secs.at[first], 0), time.Unix(lastAt, 0)
	lc.SetTimeRange(t0, t1)
	lc.SetViewTimeRange(t0, t1)
	lc.SetYRange(0, peak)
	lc.SetViewYRange(0, peak)
	for i := first; i < n; i++ {
		t := time.Unix(d.secs.at[i], 0)
		lc.PushDataSet("p50", timeserieslinechart.TimePoint{Time: t, Value: ms(d.secs.p50[i])})
		lc.PushDataSet("p99", timeserieslinechart.TimePoint{Time: t, Value: ms(d.secs.p99[i])})
	}
	if st.onlyP99 {
		lc.DrawDataSets([]string{"p99"})
	} else {
		lc.DrawDataSets([]string{"p50", "p99"}) // p99 last: on top where they meet
	}
	return st.canvasLines(&lc.Canvas)
}

// latAxes is what the latency chart's label formatters read when it is drawn.
type latAxes struct {
	peak float64
	rows int
	last int64
}

func (d *dashboard) newLatChart(w, h, xstep, ystep int) *timeserieslinechart.Model {
	st := d.sty
	lc := timeserieslinechart.New(w, h,
		timeserieslinechart.WithXYSteps(xstep, ystep),
		timeserieslinechart.WithAxesStyles(st.Axis, st.Axis),
		timeserieslinechart.WithYLabelFormatter(func(i int, _ float64) string {
			return numfmt.MsShort(float64(i) * d.lat.peak / float64(max(1, d.lat.rows)))
		}),
		timeserieslinechart.WithXLabelFormatter(func(_ int, v float64) string {
			ago := d.lat.last - int64(math.Round(v))
			if ago <= 0 {
				return "now"
			}
			return "-" + strconv.FormatInt(ago, 10) + "s"
		}),
		timeserieslinechart.WithLineStyle(runes.ArcLineStyle),
	)
	lc.SetDataSetStyle("p50", st.P50)
	lc.SetDataSetStyle("p99", st.P99)
	return &lc
}

// canvasFor is a cleared canvas of the chart's size, kept between draws (a canvas is w*h
// cells of ~300 bytes each: making one per draw is most of a chart's cost).
func (d *dashboard) canvasFor(k chartKey) *canvas.Model {
	c := d.canvases[k]
	if c == nil {
		cv := canvas.New(k.w, k.h)
		c = &cv
		d.keepChart(k, c, nil)
	} else {
		// canvas.Clear allocates every line anew; blanking the cells in place does not
		var blank canvas.Cell
		for y := 0; y < k.h; y++ {
			for x := 0; x < k.w; x++ {
				c.SetCell(canvas.Point{X: x, Y: y}, blank)
			}
		}
	}
	return c
}

// keepChart remembers a chart's canvas or line chart; a few sizes at most (resizes and the
// compact pane), forgotten all at once beyond that.
func (d *dashboard) keepChart(k chartKey, c *canvas.Model, lc *timeserieslinechart.Model) {
	if len(d.canvases)+len(d.lines) > 16 {
		clear(d.canvases)
		clear(d.lines)
	}
	if c != nil {
		d.canvases[k] = c
	}
	if lc != nil {
		d.lines[k] = lc
	}
}

// ---- failures by cause ---------------------------------------------------------------------

type causeCount struct {
	cause string
	n     int
}

// causes are the failures by cause of the run so far (or of the last run when idle), most first.
func (d *dashboard) causes() (list []causeCount, total int, what string) {
	s := &d.sample
	var m map[telemetry.Cause]int
	switch {
	case s.Run != nil || (s.LastRun == nil && s.Telemetry.Total.Requests > 0):
		m = s.Telemetry.Total.ByCause
		what = "this run"
		if s.Run == nil {
			what = "window"
		}
	case s.LastRun != nil:
		src := s.LastRun.ServerErrors
		if len(src) == 0 {
			src = s.LastRun.Errors
		}
		for c, n := range src {
			if n > 0 {
				list = append(list, causeCount{c, n})
				total += n
			}
		}
		what = "last run"
	}
	for c, n := range m {
		if n > 0 {
			list = append(list, causeCount{string(c), n})
			total += n
		}
	}
	sort.Slice(list, func(i, j int) bool {
		if list[i].n != list[j].n {
			return list[i].n > list[j].n
		}
		return list[i].cause < list[j].cause
	})
	return list, total, what
}

func (d *dashboard) causesPane(w, h int) []string {
	title, body := d.causesBody(w, h-1)
	if _, total, what := d.causes(); d.have && total == 0 && what != "" {
		return body[:min(h, len(body))] // "no failures · last run" says it in one line
	}
	return append([]string{title}, body...)[:min(h, 1+len(body))]
}

// causesTitle is the failures pane's box title with its summary in it ("3,216 failed, by cause ·
// this run"), which leaves the box's rows to the causes and what they mean.
func (d *dashboard) causesTitle() string {
	_, total, what := d.causes()
	if !d.have || total == 0 {
		return "failures by cause"
	}
	return numfmt.Int(total) + " failed, by cause · " + what
}

// causesBody is the failures pane: a summary line (returned apart, for a box title) and the
// causes, most frequent first, each with its count, a bar and its share, and under it what it
// means in plain words where there are rows for that.
func (d *dashboard) causesBody(w, h int) (string, []string) {
	st := d.sty
	if w <= 0 {
		return "", nil
	}
	list, total, what := d.causes()
	if !d.have {
		return st.Hint.Render("waiting for the lab…"), nil
	}
	if total == 0 {
		if what == "" {
			return st.Hint.Render("no failures (no run yet)"), nil
		}
		// the body says it too: in a box the title replaces the summary line
		return st.Good.Render("no failures"), []string{st.Good.Render("no failures") + st.Hint.Render(" · "+what)}
	}
	head := st.Label.Render(numfmt.Int(total) + " failed · " + what)
	if h <= 0 {
		return head, nil
	}
	cntW := len(numfmt.Int(list[0].n))
	nameW := 0
	for _, c := range list {
		nameW = max(nameW, len(c.cause))
	}
	// a long name gives way to its count and percentage: it is cut, they never are
	nameW = max(4, min(nameW, w-cntW-2-len("100%")))
	shown := min(len(list), h)
	if len(list) > h && h > 1 {
		shown = h - 1
	}
	// each cause is said in plain words under its count, for as many causes as there are rows
	// for; when there are rows for only some, the explained ones take turns every few seconds
	helps := make([][]string, shown)
	room := h - shown
	if shown < len(list) {
		room--
	}
	first := 0
	if need := d.helpRows(list[:shown], w-2); need > room && shown > 1 {
		first = d.helpTurn() % shown
	}
	for k := range shown {
		i := (first + k) % shown
		hl := d.causeHelpLines(list[i].cause, w-2)
		if len(hl) == 0 || len(hl) > room {
			continue
		}
		helps[i], room = hl, room-len(hl)
	}
	var out []string
	for i, c := range list[:shown] {
		cnt := numfmt.Int(c.n)
		line := st.Bad.Render(padRight(truncName(c.cause, nameW), nameW)) + " " + st.Value.Render(strings.Repeat(" ", cntW-len(cnt))+cnt)
		pct := strconv.Itoa(int(math.Round(100*float64(c.n)/float64(total)))) + "%"
		if bw := w - nameW - cntW - 2 - len(pct) - 1; bw >= 3 {
			fill := int(math.Round(float64(c.n) / float64(list[0].n) * float64(bw)))
			fill = max(fill, 1)
			line += " " + st.Fail.Render(strings.Repeat(string(st.failRune), fill)) + strings.Repeat(" ", bw-fill) + " " + st.Label.Render(pct)
		} else if w-nameW-cntW-1 >= len(pct)+1 {
			line += " " + st.Label.Render(pct)
		}
		out = append(out, line)
		for _, l := range helps[i] {
			out = append(out, st.Hint.Render("  "+l))
		}
	}
	if shown < len(list) {
		rest := 0
		for _, c := range list[shown:] {
			rest += c.n
		}
		out = append(out, st.Hint.Render("+"+strconv.Itoa(len(list)-shown)+" more ("+numfmt.Int(rest)+")"))
	}
	return head, out[:min(len(out), h)]
}

// helpRows is how many rows the plain words of every cause in list take at width w.
func (d *dashboard) helpRows(list []causeCount, w int) int {
	n := 0
	for _, c := range list {
		n += len(d.causeHelpLines(c.cause, w))
	}
	return n
}

// helpTurn picks which cause is explained when only some can be: it moves on every 5 seconds
// of the run (read from the sample, so a frame depends only on what it shows).
func (d *dashboard) helpTurn() int {
	t := d.sample.Telemetry
	if d.sample.Run == nil || t.Now.IsZero() || t.Now.Before(t.Start) {
		return 0
	}
	return int(t.Now.Sub(t.Start) / (5 * time.Second))
}

// causeHelpLines is a cause said in plain words (the lab's own words for its causes, else
// load.CauseHelp, the sentences the CLI prints too), wrapped to w; nil when there is none or
// no room.
func (d *dashboard) causeHelpLines(cause string, w int) []string {
	h := d.sample.CauseHelp[cause]
	if h == "" {
		h = load.CauseHelp(cause)
	}
	if h == "" || w < 12 {
		return nil
	}
	return strings.Split(xansi.Wordwrap(h, w, ""), "\n")
}

// truncName cuts a cause name to w columns, marking the cut.
func truncName(s string, w int) string {
	if len(s) <= w {
		return s
	}
	return xansi.Truncate(s, w, "…")
}

// ---- formatting ----------------------------------------------------------------------------

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// niceCeil rounds a chart's top up to 1, 2 or 5 times a power of ten.
func niceCeil(v float64) float64 {
	if v <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if v <= m*p {
			return m * p
		}
	}
	return 10 * p
}

func padRight(s string, w int) string {
	n := xansi.StringWidth(s)
	if n >= w {
		return s
	}
	return s + strings.Repeat(" ", w-n)
}
