package tui

import (
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/NimbleMarkets/ntcharts/barchart"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	xansi "github.com/charmbracelet/x/ansi"

	"scalelab/lab"
	"scalelab/lab/load"
	"scalelab/lab/numfmt"
)

// results compares the newest run of each of the lab's stages (lab.Lab.Stages: Broken, After
// Fix 1, After Fix 2 in Scenario 1) in a table and two small bar charts (req/s and p99), above
// the list of every recorded run. The lab's load test key runs it again against the lab as it
// is now; the screen says which stage that is and so which row the new run replaces.
//
// The history is read in a Cmd (at start, and after each load test ends); View only draws.
type results struct {
	c             *common
	width, height int

	h      *load.History
	recs   []load.Record // newest first
	latest map[string]load.Record
	loaded bool
	err    error

	stage   string         // the lab's stage now (a lab.Stage's Name), "" until known
	running *load.Progress // a load test is under way
	off     int            // list scroll

	loc *time.Location // times are shown in it (tests: UTC)
	sty *resultsStyles
	thm Theme
	nc  bool

	// the drawn frame, kept until something it shows changes (samples come 4 times a second
	// during a run; the charts cost most of a frame)
	gen    int
	top    []string
	topKey [3]int // width, height, gen of top
	frame  string
	frKey  [4]int // width, height, gen, off of frame
}

var _ screen = (*results)(nil)

// resultsLoadedMsg carries the run history read by loadCmd.
type resultsLoadedMsg struct {
	recs   []load.Record
	latest map[string]load.Record
	err    error
}

// resultsBack is the results screen's way out in its help: the app's global back key. The lab's
// load test key is the app's too (it never reaches this screen); scrolling uses the shared
// pager keys (g is the newest run, G the oldest).
var resultsBack = key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back to the text"))

// rerunKey is the lab's load test key as the results screen offers it; ok is false when the
// lab has none.
func (r *results) rerunKey() (key.Binding, bool) {
	b, ok := r.c.loadBinding()
	if !ok {
		return b, false
	}
	return key.NewBinding(key.WithKeys(b.Keys()...), key.WithHelp(b.Help().Key, "run the load test again")), true
}

// rerunWord is what the screen's sentences call the load test key ("L"), or the command.
func (r *results) rerunWord() string {
	if b, ok := r.c.loadBinding(); ok {
		return b.Help().Key
	}
	return "the load test command"
}

// resultsStyles are the results screen's styles, derived from the shared Styles' palette.
type resultsStyles struct {
	Title, Head, Cell, Empty, Hint lipgloss.Style
	Now, Err, Mark                 lipgloss.Style
	Tone                           map[string]lipgloss.Style // bars and labels per stage tone
}

func newResultsStyles(s *Styles) *resultsStyles {
	p := s.Palette
	bold := s.Theme == ThemeProjector
	base := lipgloss.NewStyle().Bold(bold)
	r := &resultsStyles{
		Title: base.Foreground(p.Accent).Bold(true),
		Head:  base.Foreground(p.Accent).Bold(true),
		Cell:  base.Foreground(p.Text),
		Empty: base.Foreground(p.Subtle),
		Hint:  s.Hint,
		Now:   base.Foreground(p.Focus).Bold(true),
		Err:   s.StatusErr,
		Mark:  base.Foreground(p.Focus).Bold(true),
		Tone: map[string]lipgloss.Style{
			"bad":  base.Foreground(p.Bad),
			"warn": base.Foreground(p.Warn),
			"good": base.Foreground(p.Good),
			"":     base.Foreground(p.Muted),
		},
	}
	if bold {
		r.Empty = base.Foreground(p.Muted)
	}
	return r
}

// stageStyle colours a stage by its tone (muted for a stage that is none of the lab's).
func (r *results) stageStyle(name string) lipgloss.Style {
	for _, st := range r.c.stages {
		if st.Name == name {
			if t, ok := r.sty.Tone[st.Tone]; ok {
				return t
			}
		}
	}
	return r.sty.Tone[""]
}

// title is a stage's title among the lab's stages.
func (r *results) title(name string) string { return lab.StageTitle(r.c.stages, name) }

func newResults(c *common, h *load.History) *results {
	r := &results{c: c, h: h, loc: time.Local}
	r.restyle()
	return r
}

func (r *results) restyle() {
	r.thm, r.nc = r.c.styles.Theme, r.c.styles.NoColor
	r.sty = newResultsStyles(r.c.styles)
	r.gen++
}

// Init reads the run history.
func (r *results) Init() tea.Cmd { return r.loadCmd() }

// loadCmd re-reads the history file (a run recorded by `scalelab loadtest` in another terminal
// shows up too) and returns what it holds.
func (r *results) loadCmd() tea.Cmd {
	h := r.h
	if h == nil {
		return nil
	}
	latest := func() map[string]load.Record { return latestRuns(h, r.c.scenario, r.c.lab) }
	return func() tea.Msg {
		err := h.Reload()
		recs := h.List()
		sort.SliceStable(recs, func(i, j int) bool { return recs[i].ID > recs[j].ID })
		return resultsLoadedMsg{recs: recs, latest: latest(), err: err}
	}
}

// SetSize is the body's size.
func (r *results) SetSize(w, h int) {
	r.width, r.height = w, h
	r.clamp()
}

// Capturing: no text input here.
func (r *results) Capturing() bool { return false }

// Update takes the history, the lab's state and samples, the end of load tests and keys.
func (r *results) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case resultsLoadedMsg:
		r.gen++
		r.loaded = true
		r.err = msg.err
		if msg.err == nil || msg.recs != nil {
			r.recs, r.latest = msg.recs, msg.latest
		}
		r.clamp()
	case ActionDoneMsg:
		if act, ok := r.c.action(msg.Action.Name); ok && act.Load {
			r.running = nil
			r.gen++
			return r.loadCmd()
		}
	case LabRunsMsg: // the history changed (a run from another terminal too)
		return r.loadCmd()
	case LabStatusMsg:
		if msg.Stage != "" && msg.Stage != r.stage {
			r.stage = msg.Stage
			r.gen++
		}
	case labSampleMsg:
		if (msg.Run == nil) != (r.running == nil) || (msg.Run != nil && fmtSecs(msg.Run.Elapsed) != fmtSecs(r.running.Elapsed)) {
			r.gen++
		}
		r.running = msg.Run
	case themeChangedMsg:
		r.restyle()
	case tea.KeyMsg:
		return r.key(msg)
	}
	return nil
}

func (r *results) key(msg tea.KeyMsg) tea.Cmd {
	r.off, _ = scrollBy(r.c.keys, msg, r.off, r.listHeight())
	r.clamp()
	return nil
}

func (r *results) clamp() {
	r.off = clampOffset(r.off, len(r.recs), r.listHeight())
}

// Status is the results screen's part of the status line.
func (r *results) Status() string {
	if r.h == nil {
		return "results · runs are not recorded in this session"
	}
	n := 0
	for _, s := range r.c.stages {
		if _, ok := r.latest[s.Name]; ok {
			n++
		}
	}
	return "results · " + strconv.Itoa(n) + " of " + strconv.Itoa(len(r.c.stages)) + " stages measured · " + plural(len(r.recs), "run")
}

func plural(n int, what string) string {
	s := strconv.Itoa(n) + " " + what
	if n != 1 {
		s += "s"
	}
	return s
}

// ShortHelp lists the main keys.
func (r *results) ShortHelp() []key.Binding {
	bs := []key.Binding{r.c.keys.Down, r.c.keys.Up, resultsBack, r.c.keys.Help}
	if k, ok := r.rerunKey(); ok {
		bs = append([]key.Binding{k}, bs...)
	}
	return bs
}

// FullHelp lists every key.
func (r *results) FullHelp() [][]key.Binding {
	first := []key.Binding{resultsBack}
	if k, ok := r.rerunKey(); ok {
		first = append([]key.Binding{k}, first...)
	}
	return [][]key.Binding{
		first,
		r.c.keys.pagerHelp(),
		{r.c.keys.Theme, r.c.keys.Help, r.c.keys.Quit},
	}
}

// View draws the lab's stage, the table, the charts and the list of runs.
func (r *results) View() string {
	if r.width <= 0 || r.height <= 0 {
		return ""
	}
	if r.thm != r.c.styles.Theme || r.nc != r.c.styles.NoColor {
		r.restyle()
	}
	k := [4]int{r.width, r.height, r.gen, r.off}
	if k == r.frKey && r.frame != "" {
		return r.frame
	}
	top := r.topLines()
	lines := append(append([]string(nil), top...), r.listLines(r.height-len(top))...)
	r.frame, r.frKey = joinLines(lines, r.width, r.height), k
	return r.frame
}

// topLines is everything above the list (cached): what L measures, the table and the charts.
func (r *results) topLines() []string {
	k := [3]int{r.width, r.height, r.gen}
	if k != r.topKey || r.top == nil {
		r.top, r.topKey = r.drawTop(), k
	}
	return r.top
}

func (r *results) drawTop() []string {
	s := r.sty
	out := r.nowLines()
	if r.err != nil {
		out = append(out, s.Err.Render("run history: "+firstLine(r.err.Error())))
	}
	if aside := r.keptAside(); aside != "" {
		out = append(out, s.Hint.Render("an unreadable run history was moved to "+shortPath(aside)))
	}
	out = append(out, "")
	out = append(out, r.table()...)
	out = append(out, "")
	out = append(out, r.charts()...)
	return append(out, "")
}

// nowLines says which stage the lab is in and what running the load test again measures.
func (r *results) nowLines() []string {
	s := r.sty
	st := r.stage
	if st == "" {
		return []string{s.Hint.Render("The lab's stage is not known yet (it is starting)."), ""}
	}
	first := s.Cell.Render("The lab is now: ") + s.Now.Render(r.title(st))
	key := r.rerunWord()
	var second string
	switch {
	case r.running != nil:
		second = "A load test is running (" + fmtSecs(r.running.Elapsed) + " elapsed): its run shows here when it ends."
	case !r.c.isStage(st):
		second = key + " runs the load test again; a run of none of the lab's stages is recorded as " + r.title(st) + " (listed below, not in the table)."
	default:
		second = key + " runs the load test again against it: the new run replaces the " + r.title(st) + " row."
	}
	out := []string{first}
	for _, l := range wrapIndent(second, max(20, r.width)) {
		out = append(out, s.Hint.Render(l))
	}
	return out
}

// resultCol is one column of the comparison table.
type resultCol struct {
	head  string
	right bool
	val   func(load.Record) string
}

func (r *results) columns() []resultCol {
	return []resultCol{
		{"success", true, func(x load.Record) string { return numfmt.Pct(x.Result.SuccessRate) + "%" }},
		{"failed", true, func(x load.Record) string { return numfmt.Int(x.Result.Failed) }},
		{"avg", true, func(x load.Record) string { return numfmt.Dur(x.Result.Avg) }},
		{"p99", true, func(x load.Record) string { return numfmt.Dur(x.Result.P99) }},
		{"req/s", true, func(x load.Record) string { return numfmt.RPS(x.Result.RPS) }},
		{"when", false, func(x load.Record) string { return x.At.In(r.loc).Format("01-02 15:04") }},
		{"users", true, func(x load.Record) string { return strconv.Itoa(x.Options.Concurrency) }},
		{"duration", true, func(x load.Record) string { return runLength(x.Options) }},
	}
}

// runLength is how long a run was planned: "30s", or "5,000 req" for a run by count.
func runLength(o load.Options) string {
	if o.Requests > 0 {
		return numfmt.Int(o.Requests) + " req"
	}
	return fmtSecs(o.Duration)
}

// table is the newest run of each of the lab's stages; columns on the right are left out when
// the window is too narrow for them.
func (r *results) table() []string {
	s := r.sty
	cols := r.columns()
	cells := make([][]string, len(r.c.stages))
	labelW := 0
	for i, stage := range r.c.stages {
		labelW = max(labelW, xansi.StringWidth(stage.Title))
		rec, ok := r.latest[stage.Name]
		cells[i] = make([]string, len(cols))
		for j, c := range cols {
			if ok && rec.Result != nil {
				cells[i][j] = c.val(rec)
			}
		}
	}
	widths := make([]int, len(cols))
	for j, c := range cols {
		widths[j] = len(c.head)
		for i := range cells {
			widths[j] = max(widths[j], xansi.StringWidth(cells[i][j]))
		}
	}
	const gap = 2
	n := len(cols)
	for n > 4 {
		total := labelW
		for j := 0; j < n; j++ {
			total += gap + widths[j]
		}
		if total <= r.width {
			break
		}
		n--
	}
	pad := func(v string, w int, right bool) string {
		if d := w - xansi.StringWidth(v); d > 0 {
			if right {
				return strings.Repeat(" ", d) + v
			}
			return v + strings.Repeat(" ", d)
		}
		return v
	}
	head := s.Head.Render(pad("run", labelW, false))
	for j := 0; j < n; j++ {
		head += strings.Repeat(" ", gap) + s.Head.Render(pad(cols[j].head, widths[j], cols[j].right))
	}
	out := []string{head}
	for i, stage := range r.c.stages {
		row := r.stageStyle(stage.Name).Render(pad(stage.Title, labelW, false))
		if _, ok := r.latest[stage.Name]; !ok {
			row += strings.Repeat(" ", gap) + s.Empty.Render(notMeasured(stage))
			out = append(out, row)
			continue
		}
		for j := 0; j < n; j++ {
			row += strings.Repeat(" ", gap) + s.Cell.Render(pad(cells[i][j], widths[j], cols[j].right))
		}
		out = append(out, row)
	}
	return out
}

// notMeasured is a stage's row before it has a run: when to run the load test for it.
func notMeasured(st lab.Stage) string {
	if st.When == "" {
		return "not measured yet"
	}
	return "not measured yet: run the load test " + st.When
}

// charts compares the stages' runs: requests per second and p99 latency, one bar each.
func (r *results) charts() []string {
	s := r.sty
	n := 0
	for _, st := range r.c.stages {
		if rec, ok := r.latest[st.Name]; ok && rec.Result != nil {
			n++
		}
	}
	if n == 0 {
		return []string{s.Hint.Render("No runs to compare yet: each measured stage gets a bar here.")}
	}
	rps := r.barChart("req/s (more is better)", func(x *load.Result) (float64, string) { return x.RPS, numfmt.RPS(x.RPS) })
	p99 := r.barChart("p99 latency (less is better)", func(x *load.Result) (float64, string) {
		return float64(x.P99) / float64(time.Millisecond), numfmt.Dur(x.P99)
	})
	cw := (r.width - 3) / 2
	return besides(3, [][]string{rps(cw), p99(cw)}, []int{cw, cw})
}

// barChart draws one metric of the stages as horizontal bars (ntcharts' barchart), a label on
// the left (the stage's title, cut to a third of the width) and the value on the right of each.
func (r *results) barChart(title string, metric func(*load.Result) (float64, string)) func(w int) []string {
	return func(w int) []string {
		s := r.sty
		stages := r.c.stages
		labelW := 6
		labels := make([]string, len(stages))
		for i, st := range stages {
			labels[i] = st.Title
			labelW = max(labelW, min(xansi.StringWidth(st.Title), w/3))
		}
		vals := make([]float64, len(stages))
		texts := make([]string, len(stages))
		top, valW := 0.0, 1
		for i, st := range stages {
			texts[i] = "—"
			if rec, ok := r.latest[st.Name]; ok && rec.Result != nil {
				vals[i], texts[i] = metric(rec.Result)
				top = max(top, vals[i])
			}
			valW = max(valW, xansi.StringWidth(texts[i]))
		}
		barW := w - labelW - 1 - 1 - valW
		out := []string{s.Title.Render(title)}
		if barW < 4 {
			for i := range labels {
				out = append(out, r.stageStyle(stages[i].Name).Render(fit(labels[i], labelW))+" "+s.Cell.Render(texts[i]))
			}
			return out
		}
		if top <= 0 {
			top = 1
		}
		data := make([]barchart.BarData, len(stages))
		for i, st := range stages {
			data[i] = barchart.BarData{Label: labels[i], Values: []barchart.BarValue{{Name: labels[i], Value: vals[i], Style: r.stageStyle(st.Name)}}}
		}
		bc := barchart.New(barW, len(data), barchart.WithNoAxis(), barchart.WithHorizontalBars(),
			barchart.WithBarGap(0), barchart.WithMaxValue(top), barchart.WithNoAutoMaxValue(), barchart.WithDataSet(data))
		bc.Draw()
		bars := strings.Split(bc.View(), "\n")
		for i := range data {
			bar := ""
			if i < len(bars) {
				bar = bars[i]
			}
			out = append(out, r.stageStyle(stages[i].Name).Render(fit(labels[i], labelW))+" "+fit(bar, barW)+" "+s.Cell.Render(texts[i]))
		}
		return out
	}
}

func (r *results) listHeight() int {
	if r.height <= 0 {
		return 1
	}
	return max(1, r.height-len(r.topLines())-1)
}

// listLines is every recorded run, newest first, scrolled; ▸ marks the runs the table shows.
func (r *results) listLines(h int) []string {
	s := r.sty
	if h <= 0 {
		return nil
	}
	title := "All runs, newest first"
	switch {
	case r.h == nil:
		return []string{s.Hint.Render("Runs are not recorded in this session (no run history).")}
	case !r.loaded:
		return []string{s.Title.Render(title), s.Hint.Render("reading the run history…")}
	case len(r.recs) == 0:
		out := []string{s.Title.Render(title)}
		for _, l := range wrapIndent("No runs recorded yet. "+r.rerunWord()+" runs the load test; `scalelab loadtest` in another terminal is recorded too.", max(20, r.width)) {
			out = append(out, s.Hint.Render(l))
		}
		return out
	}
	rows := h - 1
	end := min(len(r.recs), r.off+rows)
	if len(r.recs) > rows {
		title += " (" + strconv.Itoa(r.off+1) + "–" + strconv.Itoa(end) + " of " + strconv.Itoa(len(r.recs)) + ")"
	}
	out := []string{s.Title.Render(title) + s.Hint.Render("  ▸ in the table")}
	for _, rec := range r.recs[r.off:end] {
		out = append(out, r.runLine(rec))
	}
	return out
}

func (r *results) runLine(rec load.Record) string {
	s := r.sty
	mark := " "
	if l, ok := r.latest[rec.State]; ok && l.ID == rec.ID && r.c.isStage(rec.State) {
		mark = s.Mark.Render("▸")
	}
	parts := []string{
		mark + fit("#"+strconv.Itoa(rec.ID), 5),
		rec.At.In(r.loc).Format("01-02 15:04"),
		r.stageStyle(rec.State).Render(fit(r.title(rec.State), 11)),
	}
	if x := rec.Result; x != nil {
		parts = append(parts,
			s.Cell.Render(fit(numfmt.Pct(x.SuccessRate)+"% ok", 9)),
			s.Cell.Render(fit("p99 "+numfmt.Dur(x.P99), 10)),
			s.Cell.Render(fit(numfmt.RPS(x.RPS)+" req/s", 11)),
			s.Hint.Render(strconv.Itoa(rec.Options.Concurrency)+" users, "+runLength(rec.Options)))
	}
	return strings.Join(parts, " ")
}

// keptAside names where an unreadable run history was moved (at open or since), "" for none;
// read under the history's lock, since another scalelab's run may move it at any time.
func (r *results) keptAside() string {
	if r.h == nil {
		return ""
	}
	return r.h.KeptAside()
}
