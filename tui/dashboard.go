package tui

import (
	"strconv"
	"time"

	"github.com/NimbleMarkets/ntcharts/canvas"
	"github.com/NimbleMarkets/ntcharts/linechart/timeserieslinechart"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"scalelab/lab"
	"scalelab/lab/load"
	"scalelab/lab/telemetry"
)

// LabSample is what the lab reports once per tick (LabController builds it ~4 times a second
// during a load test, once a second otherwise): the lab's sample (the server's series, its
// gauge groups, what its causes of failure mean) and the load test's progress.
type LabSample struct {
	lab.Sample
	Run      *load.Progress // nil when no load test is running
	RunTotal time.Duration  // the run's planned duration (0 = by count)
	LastRun  *load.Result   // the last finished run, for the big numbers when idle
}

// labSampleMsg carries one LabSample to the screens (LabController sends it).
type labSampleMsg struct{ LabSample }

// dashKeep is how many seconds of per-second series the dashboard keeps (the widest chart on
// the widest screen shows at most this many columns). Memory is bounded by it, not by the run.
const dashKeep = 240

// dashboard is the live panes of the lab: big numbers, a progress bar, requests per second
// (successes and failures), latency p50/p99, failures by cause, and the lab's gauge groups
// ("database connections"). It is a screen (full window) and, through Compact, a small pane
// beside the text.
//
// Rendering is cached: a sample invalidates the text panes; the charts are redrawn only when a
// new second is complete (their data moves once a second), and only for the sizes asked for.
// View between samples returns the cached frame.
type dashboard struct {
	c             *common
	width, height int

	have   bool      // a sample arrived
	sample LabSample // the latest one (its maps are read only)
	gen    int       // bumped by every sample, size or theme change
	ended  string    // the summary of the run that just ended, shown until the next one starts

	secs   series                // per-second request series, oldest first, at most dashKeep
	gauges map[string]*gaugeRing // per-second peaks of the charted gauges, by chart (chartName)

	full    frameCache
	compact frameCache
	charts  map[chartKey]string // rendered charts, dropped when a new second completes
	chartAt int64               // the last complete second the charts show
	stackAt int64               // the last complete second of the lab's stacks
	// chart surfaces kept between draws, by size
	canvases map[chartKey]*canvas.Model
	lines    map[chartKey]*timeserieslinechart.Model
	lat      latAxes
	theme    Theme
	noColor  bool
	sty      *dashStyles
}

type frameCache struct {
	w, h, gen int
	s         string
}

func newDashboard(c *common) *dashboard {
	d := &dashboard{c: c, charts: map[chartKey]string{}, gauges: map[string]*gaugeRing{},
		canvases: map[chartKey]*canvas.Model{}, lines: map[chartKey]*timeserieslinechart.Model{}}
	d.restyle()
	return d
}

func (d *dashboard) restyle() {
	d.theme, d.noColor = d.c.styles.Theme, d.c.styles.NoColor
	d.sty = newDashStyles(d.c.styles)
	clear(d.charts)
	clear(d.lines) // their data-set styles are the old theme's
	d.gen++
}

// Init does nothing: the dashboard waits for samples.
func (d *dashboard) Init() tea.Cmd { return nil }

// SetSize is the full-screen size (the app's body).
func (d *dashboard) SetSize(w, h int) {
	if w != d.width || h != d.height {
		d.width, d.height = w, h
		d.gen++
	}
}

// Capturing: the dashboard never takes text input.
func (d *dashboard) Capturing() bool { return false }

// Update takes samples and theme changes; it never blocks and never renders.
func (d *dashboard) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case labSampleMsg:
		if msg.Run != nil {
			d.ended = ""
		}
		d.ingest(msg.LabSample)
	case ActionDoneMsg:
		if act, ok := d.c.action(msg.Action.Name); ok && act.Load {
			d.ended = msg.Summary
			if msg.Err != nil {
				d.ended = "load test failed: " + firstLine(msg.Err.Error())
			}
			d.gen++
		}
	case themeChangedMsg:
		d.restyle()
	}
	return nil
}

// ingest keeps what the panes need from a sample: the last dashKeep complete seconds of the
// request series (copied, so the snapshot can go), and per-second peaks of the charted gauges.
func (d *dashboard) ingest(s LabSample) {
	if s.At.IsZero() {
		s.At = s.Telemetry.Now
	}
	d.sample, d.have = s, true
	d.gen++
	last := d.secs.load(s.Telemetry.Seconds, s.Telemetry.Start)
	if d.ended != "" && s.Run == nil {
		// the final picture is the run's: the idle seconds after it would pull the charts
		// and the legends' "last second" figures down to zero under the run's summary
		last = d.secs.trimIdle()
	}
	if sl := stackLast(s.Stacks); last != d.chartAt || sl != d.stackAt {
		d.chartAt, d.stackAt = last, sl
		clear(d.charts)
	}
	for _, g := range s.Groups {
		if v, ok := chartValue(g); ok {
			r := d.gauges[chartName(g)]
			if r == nil {
				r = &gaugeRing{}
				d.gauges[chartName(g)] = r
			}
			r.observe(s.At.Unix(), v)
		}
	}
}

// Status is the dashboard's part of the status line (short: the save state shares the line).
func (d *dashboard) Status() string {
	if !d.have {
		return "waiting for the lab"
	}
	if r := d.sample.Run; r != nil {
		return "load test running · " + fmtSecs(r.Elapsed)
	}
	return "no load test running"
}

// ShortHelp: the dashboard has no keys of its own; the root model handles the lab's action
// keys from any screen (the first few are listed), and esc/d go back to the text.
func (d *dashboard) ShortHelp() []key.Binding {
	k := d.c.keys
	acts := d.c.actionBindings(false)
	bs := append([]key.Binding{k.Back}, acts[:min(3, len(acts))]...)
	return append(bs, k.Theme, k.Help) // the root adds S during a run
}

// FullHelp lists the keys that matter while watching a run (the lab's are in the app's block).
func (d *dashboard) FullHelp() [][]key.Binding {
	k := d.c.keys
	return [][]key.Binding{
		{k.StopRun, k.Back, k.Dashboard, k.Code, k.ExplainView, k.Results},
		{k.Theme, k.Help, k.Quit, k.ForceQuit},
	}
}

// View draws the full-screen dashboard at the size given by SetSize. It is cached: between
// samples it costs nothing.
func (d *dashboard) View() string {
	return d.frame(&d.full, d.width, d.height, false)
}

// Compact draws the same data in a small pane (beside or below the text in the reader), e.g.
// 36x18 or 80x8. Cached per size like View.
func (d *dashboard) Compact(width, height int) string {
	return d.frame(&d.compact, width, height, true)
}

func (d *dashboard) frame(fc *frameCache, w, h int, compact bool) string {
	if w <= 0 || h <= 0 {
		return ""
	}
	if d.theme != d.c.styles.Theme || d.noColor != d.c.styles.NoColor {
		d.restyle() // the theme changed without a message (tests, or a caller that forgot)
	}
	if fc.w == w && fc.h == h && fc.gen == d.gen {
		return fc.s
	}
	var lines []string
	if compact {
		lines = d.layoutCompact(w, h)
	} else {
		lines = d.layoutFull(w, h)
	}
	fc.w, fc.h, fc.gen = w, h, d.gen
	fc.s = joinLines(lines, w, h)
	return fc.s
}

// series is the per-second request data the charts draw, oldest first.
type series struct {
	at          []int64 // unix seconds
	ok, failed  []int
	p50, p99    []time.Duration
	inProgress  telemetry.Second // the second not yet complete
	hasProgress bool
}

// load copies the complete seconds of a snapshot's series (all but the last, which is in
// progress), keeping at most dashKeep, and returns the last complete second (0 for none).
// A window that began inside its first second (a load run resets it at any moment) holds only
// part of that second: it is left out, or every run's chart would start with a false dip.
func (s *series) load(secs []telemetry.Second, start time.Time) int64 {
	s.at, s.ok, s.failed, s.p50, s.p99 = s.at[:0], s.ok[:0], s.failed[:0], s.p50[:0], s.p99[:0]
	s.hasProgress = len(secs) > 0
	if s.hasProgress {
		s.inProgress = secs[len(secs)-1]
		secs = secs[:len(secs)-1]
	}
	if len(secs) > 0 && start.After(secs[0].At) {
		secs = secs[1:]
	}
	if len(secs) > dashKeep {
		secs = secs[len(secs)-dashKeep:]
	}
	for i := range secs {
		x := &secs[i]
		s.at = append(s.at, x.At.Unix())
		s.ok = append(s.ok, x.OK)
		s.failed = append(s.failed, x.Failed)
		s.p50 = append(s.p50, x.P50)
		s.p99 = append(s.p99, x.P99)
	}
	if len(s.at) == 0 {
		return 0
	}
	return s.at[len(s.at)-1]
}

func (s *series) len() int { return len(s.at) }

// trimIdle drops the seconds without a request from the end and returns the last one kept (0
// when none is left).
func (s *series) trimIdle() int64 {
	n := len(s.at)
	for n > 0 && s.ok[n-1]+s.failed[n-1] == 0 {
		n--
	}
	s.at, s.ok, s.failed, s.p50, s.p99 = s.at[:n], s.ok[:n], s.failed[:n], s.p50[:n], s.p99[:n]
	if n == 0 {
		return 0
	}
	return s.at[n-1]
}

// gaugeRing keeps one peak per second of a charted gauge, at most dashKeep seconds, and the
// gauge's latest limit (its Max), which scales the chart.
type gaugeRing struct {
	at  []int64
	v   []int
	max int
}

func (g *gaugeRing) observe(sec int64, gv lab.Gauge) {
	v := max(gv.Value, 0)
	g.max = gv.Max
	if n := len(g.at); n > 0 && g.at[n-1] == sec {
		g.v[n-1] = max(g.v[n-1], v)
		return
	}
	if len(g.at) >= dashKeep {
		copy(g.at, g.at[1:])
		copy(g.v, g.v[1:])
		g.at, g.v = g.at[:len(g.at)-1], g.v[:len(g.v)-1]
	}
	g.at = append(g.at, sec)
	g.v = append(g.v, v)
}

// chartName names a group's chart: the same chart across samples, whatever the group's title
// says now (a restart may change it).
func chartName(g lab.GaugeGroup) string { return g.ChartTitle + "\x00" + g.Chart }

// chartValue is the gauge a group charts; ok is false for a group without a chart.
func chartValue(g lab.GaugeGroup) (lab.Gauge, bool) {
	if g.Chart == "" {
		return lab.Gauge{}, false
	}
	for _, x := range g.Gauges {
		if x.Label == g.Chart {
			return x, true
		}
	}
	return lab.Gauge{}, false
}

func fmtSecs(d time.Duration) string {
	return strconv.Itoa(int(d.Round(time.Second)/time.Second)) + "s"
}
