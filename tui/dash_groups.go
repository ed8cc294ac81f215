package tui

import (
	"math"
	"strings"

	"github.com/NimbleMarkets/ntcharts/canvas"
	"github.com/NimbleMarkets/ntcharts/canvas/graph"
	xansi "github.com/charmbracelet/x/ansi"

	"scalelab/lab"
	"scalelab/lab/numfmt"
)

// ---- the lab's gauge groups -----------------------------------------------------------------

// groupsTitle is the title of the box the gauge groups are drawn in: the first group's (its
// title line is then left out of the box), "gauges" when the lab has none yet, or, for more
// than a few groups, words for all of them (each then has its own title line).
func (d *dashboard) groupsTitle() string {
	switch {
	case !d.have || len(d.sample.Groups) == 0:
		return "gauges"
	case len(d.sample.Groups) > fewGroups:
		return "the lab's gauges"
	}
	return d.sample.Groups[0].Title
}

// fewGroups is how many gauge groups a lab may have and still be drawn group by group, the
// first ones with their charts and the pane's end cut; more are drawn whole without charts,
// or one line each where that does not fit (groupsMany).
const fewGroups = 2

// groupsNeed is the rows every group needs for its title, what could not be read and its
// gauge lines.
func (d *dashboard) groupsNeed(w int) int {
	need := 0
	for _, g := range d.sample.Groups {
		need += d.groupHeight(g, w)
	}
	return need
}

// groupsWant is the rows the groups would like in at most h rows: their lines when they all
// fit, else one each.
func (d *dashboard) groupsWant(w, h int) int {
	if !d.have {
		return 1
	}
	if need := d.groupsNeed(w); need <= h {
		return need
	}
	return len(d.sample.Groups)
}

// groupsPane draws the lab's gauge groups one under the other in w x h; titled says whether
// the first group's title is drawn (false: a box title or section title says it). Groups that
// do not fit whole are drawn one line each (groupsLines).
func (d *dashboard) groupsPane(w, h int, titled bool) []string {
	if h <= 0 || w <= 0 {
		return nil
	}
	st := d.sty
	if !d.have {
		return []string{st.Hint.Render("waiting for the lab…")}
	}
	gs := d.sample.Groups
	if len(gs) == 0 {
		return []string{st.Hint.Render("this lab has no gauges to show")}
	}
	if len(gs) > fewGroups {
		return d.groupsMany(w, h)
	}
	var out []string
	for i, g := range gs {
		rest := h - len(out)
		if rest <= 0 {
			break
		}
		// the last group gets what is left; the others what they need without their chart
		room := rest
		if i < len(gs)-1 {
			room = min(rest, d.groupHeight(g, w)+1)
		}
		out = append(out, d.groupPane(g, w, room, titled || i > 0)...)
	}
	return out[:min(len(out), h)]
}

// groupsMany draws more than a few groups in w x h: each with its title, what could not be
// read and its gauge lines when they all fit, else each on one line (groupLine). The rows left
// go to the groups' notes, whole or not at all, each under its group: a warning group's first
// (a replica that is down says why), then in order. Beyond h groups, the last line counts
// the rest.
func (d *dashboard) groupsMany(w, h int) []string {
	st := d.sty
	gs := d.sample.Groups
	if len(gs) > h {
		out := make([]string, 0, h)
		for _, g := range gs[:h-1] {
			out = append(out, d.groupLine(g, w))
		}
		return append(out, st.Hint.Render("+"+numfmt.Int(len(gs)-h+1)+" more groups"))
	}
	whole := d.groupsNeed(w) <= h
	room := h - len(gs)
	if whole {
		room = h - d.groupsNeed(w)
	}
	notes := make([][]string, len(gs))
	for _, warn := range []bool{true, false} {
		for i, g := range gs {
			if g.Note == "" || w < 20 || (g.Warn || g.Err != "") != warn {
				continue
			}
			ls := strings.Split(xansi.Wordwrap(g.Note, w-2, ""), "\n")
			if len(ls) <= room {
				notes[i], room = ls, room-len(ls)
			}
		}
	}
	var out []string
	for i, g := range gs {
		if whole {
			out = append(out, d.groupPane(lab.GaugeGroup{Title: g.Title, Warn: g.Warn, Err: g.Err, Gauges: g.Gauges}, w, h, true)...)
		} else {
			out = append(out, d.groupLine(g, w))
		}
		for _, l := range notes[i] {
			out = append(out, st.Hint.Render("  "+l))
		}
	}
	return out
}

// groupLine is a group in one line of w cells: its title (as a warning when it is one), then
// what could not be read or its gauges ("replica-1: UP 12 s  req/s 310  users 3"); gauges that
// do not fit are left out whole, a title that does not fit is cut.
func (d *dashboard) groupLine(g lab.GaugeGroup, w int) string {
	st := d.sty
	t := st.Label
	if g.Warn {
		t = st.Warn
	}
	line := t.Render(xansi.Truncate(g.Title, w, "…"))
	if g.Err != "" {
		if rest := w - xansi.StringWidth(line) - 2; rest >= 8 {
			line += "  " + st.Bad.Render(xansi.Truncate(g.Err, rest, "…"))
		}
		return line
	}
	for _, x := range g.Gauges {
		txt := "  " + d.gaugeText(x)
		if xansi.StringWidth(line)+xansi.StringWidth(txt) > w {
			break
		}
		line += txt
	}
	return line
}

// groupHeight is the lines a group needs without its chart and note.
func (d *dashboard) groupHeight(g lab.GaugeGroup, w int) int {
	n := 1 + len(d.gaugeLines(g, w))
	if g.Err != "" {
		n++
	}
	return n
}

// groupPane draws one gauge group in w x h: its title (Warn: as a warning), what could not be
// read, its gauges, its note (whole or not at all: the last gauge line gives way to it) and a
// per-second chart of its Chart gauge in the rows left.
func (d *dashboard) groupPane(g lab.GaugeGroup, w, h int, titled bool) []string {
	st := d.sty
	var out []string
	if titled {
		t := st.Label
		if g.Warn {
			t = st.Warn
		}
		out = append(out, t.Render(fit(g.Title, w)))
	}
	if g.Err != "" {
		out = append(out, st.Bad.Render(fit(g.Err, w)))
	}
	out = append(out, d.gaugeLines(g, w)...)
	if g.Note != "" && w >= 20 {
		ls := strings.Split(xansi.Wordwrap(g.Note, w, ""), "\n")
		if len(out)+len(ls) > h && len(out) > 1 {
			out = out[:len(out)-1]
		}
		if len(out)+len(ls) <= h {
			for _, l := range ls {
				out = append(out, st.Hint.Render(l))
			}
		}
	}
	if ring := d.gauges[chartName(g)]; ring != nil && len(ring.at) > 1 {
		if rest := h - len(out); rest >= 2 {
			out = append(out, st.Label.Render(fit(g.ChartTitle, w)))
			out = append(out, d.chart(chartKey{kind: chartGauge, w: w, h: min(rest-1, 6), name: chartName(g)})...)
		}
	}
	return out[:min(len(out), h)]
}

// gaugeLines are a group's gauges, one line each (an Inline one joins the line before): the
// label and value, "v/max" with a bar when the gauge has a limit, its growth "+N/s", in the
// failure colour when it is at its limit.
func (d *dashboard) gaugeLines(g lab.GaugeGroup, w int) []string {
	var out []string
	bars := map[int]lab.Gauge{} // a line ending in a bar: its gauge
	for _, x := range g.Gauges {
		txt := d.gaugeText(x)
		if x.Inline && len(out) > 0 {
			delete(bars, len(out)-1)
			out[len(out)-1] += "  " + txt
			continue
		}
		if x.Max > 0 {
			bars[len(out)] = x
		}
		out = append(out, txt)
	}
	for i, x := range bars {
		if bar := d.gaugeBar(x.Value, x.Max, max(0, w-xansi.StringWidth(out[i])-1)); bar != "" {
			out[i] += " " + bar
		}
	}
	return out
}

// gaugeText is a gauge's label and value ("in use 3/10"), in the failure colour when it is at
// its limit, with its growth ("+40/s").
func (d *dashboard) gaugeText(x lab.Gauge) string {
	st := d.sty
	vs := st.Value
	if x.Bad {
		vs = st.Bad.Bold(true)
	}
	val := numfmt.Int(x.Value)
	if x.Max > 0 {
		val += "/" + numfmt.Int(x.Max)
	}
	txt := st.Label.Render(x.Label+" ") + vs.Render(val)
	if x.Rate > 0 {
		txt += st.Warn.Render(" +" + numfmt.Int(int(math.Round(x.Rate))) + "/s")
	}
	return txt
}

// gaugeBar is a horizontal bar of v out of of, w cells wide.
func (d *dashboard) gaugeBar(v, of, w int) string {
	if w < 3 || of <= 0 {
		return ""
	}
	w = min(w, 30)
	fill := int(math.Round(float64(min(v, of)) / float64(of) * float64(w)))
	if v > 0 {
		fill = max(fill, 1)
	}
	gs := d.sty.Gauge
	if v >= of {
		gs = d.sty.Fail
	}
	return gs.Render(strings.Repeat("█", fill)) + d.sty.GaugeEmpty.Render(strings.Repeat("·", w-fill))
}

// drawGauge draws a charted gauge's per-second peaks as sparkline columns (ntcharts' graph,
// on a kept canvas), scaled to its limit.
func (d *dashboard) drawGauge(name string, w, h int) []string {
	c := d.canvasFor(chartKey{kind: chartGauge, w: w, h: h, name: name})
	ring := d.gauges[name]
	if ring == nil {
		return d.sty.canvasLines(c)
	}
	top := float64(ring.max)
	g := ring.v[max(0, len(ring.v)-w):]
	for _, v := range g {
		top = max(top, float64(v))
	}
	top = max(top, 1)
	vals := make([]float64, len(g))
	for i, v := range g {
		vals[i] = float64(v) / top * float64(h)
	}
	graph.DrawColumns(c, canvas.Point{X: w - len(g), Y: h - 1}, vals, d.sty.Gauge)
	return d.sty.canvasLines(c)
}
