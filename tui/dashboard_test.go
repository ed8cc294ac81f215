package tui

import (
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"flag"

	"github.com/NimbleMarkets/ntcharts/canvas"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
	"path/filepath"

	xansi "github.com/charmbracelet/x/ansi"
	_ "github.com/charmbracelet/x/exp/golden" // registers -update

	"scalelab/lab"
	"scalelab/lab/load"
	"scalelab/lab/numfmt"
	"scalelab/lab/telemetry"
)

// The dashboard's tests are rendering tests: the samples are built by hand from the lab's own
// types (what the lead's poller fills from a real lab), so the frames are fixed.

var dashT0 = time.Date(2026, 11, 25, 18, 0, 0, 0, time.UTC)

// dashSecond is one synthetic second: broken (mostly failures, slow) or fixed (fast, all ok).
func dashSecond(i int, broken bool) telemetry.Second {
	at := dashT0.Add(time.Duration(i) * time.Second)
	if broken {
		req := 300 + (i%5)*20
		ok := req / 5
		ct := (req - ok) * 6 / 10
		tmc := (req - ok) * 3 / 10
		pat := req - ok - ct - tmc
		return telemetry.Second{At: at, Requests: req, OK: ok, Failed: req - ok,
			ByCause: map[telemetry.Cause]int{telemetry.ConnectTimeout: ct, telemetry.TooManyClients: tmc, telemetry.PoolAcquireTimeout: pat},
			P50:     150*time.Millisecond + time.Duration(i%3)*10*time.Millisecond,
			P90:     500 * time.Millisecond,
			P99:     620*time.Millisecond + time.Duration(i%4)*40*time.Millisecond}
	}
	req := 1800 + (i%4)*50
	return telemetry.Second{At: at, Requests: req, OK: req,
		P50: 8*time.Millisecond + time.Duration(i%3)*time.Millisecond,
		P90: 20 * time.Millisecond,
		P99: 40*time.Millisecond + time.Duration(i%5)*3*time.Millisecond}
}

// dashSample is the lab seen k seconds (and a quarter) into a 30 s run; seconds at or after
// fixAt are fixed (the learner applied Fix 1 in the middle of the run); fixAt < 0: never.
func dashSample(k int, fixAt int) LabSample {
	secs := make([]telemetry.Second, 0, k+1)
	tot := telemetry.Window{ByCause: map[telemetry.Cause]int{}}
	var p99 time.Duration
	for i := 0; i <= k; i++ {
		s := dashSecond(i, fixAt < 0 || i < fixAt)
		if i == k { // the second in progress
			s.Requests, s.OK, s.Failed = s.Requests/4, s.OK/4, s.Failed/4
		}
		secs = append(secs, s)
		tot.Requests += s.Requests
		tot.OK += s.OK
		tot.Failed += s.Failed
		for c, n := range s.ByCause {
			tot.ByCause[c] += n
		}
		p99 = max(p99, s.P99)
	}
	tot.P50, tot.P99 = 160*time.Millisecond, p99
	now := dashT0.Add(time.Duration(k)*time.Second + 250*time.Millisecond)
	groups := poolGroups(false, 87, k*300, 41, 46, 0, 0, 0, 98, 96, 40, 100)
	if fixAt >= 0 && k >= fixAt {
		groups = poolGroups(true, 1, 0, 10, 0, 10, 0, k*40, 12, 10, 10, 100)
	}
	return LabSample{
		Sample: lab.Sample{At: now,
			Telemetry: telemetry.Snapshot{Start: dashT0, Now: now, Seconds: secs, Total: tot},
			Groups:    groups},
		Run:      &load.Progress{Elapsed: now.Sub(dashT0), Duration: 30 * time.Second, Requests: tot.Requests + 100, Responses: tot.Requests},
		RunTotal: 30 * time.Second,
	}
}

// poolGroups are the gauge groups of Scenario 1's lab as it samples them (its API's pool, then
// PostgreSQL's backends with their chart): per-request pools when !shared.
func poolGroups(shared bool, live, made, inUse, opening, maxConns, idle, waited, backends, api, running, maxBackends int) []lab.GaugeGroup {
	pool := lab.GaugeGroup{Title: "API: per-request pools (broken)", Warn: true, Gauges: []lab.Gauge{
		{Label: "live pools", Value: live}, {Label: "made", Value: made, Inline: true},
		{Label: "in use", Value: inUse}, {Label: "opening", Value: opening, Inline: true}}}
	if shared {
		pool = lab.GaugeGroup{Title: "API: shared pool (fixed)", Gauges: []lab.Gauge{
			{Label: "in use", Value: inUse, Max: maxConns, Bad: inUse >= maxConns},
			{Label: "idle", Value: idle}, {Label: "opening", Value: opening, Inline: true},
			{Label: "waited", Value: waited, Rate: 40}}}
	}
	pg := lab.GaugeGroup{Title: "PostgreSQL backends", Chart: "backends", ChartTitle: "API backends per second:", Gauges: []lab.Gauge{
		{Label: "backends", Value: backends, Max: maxBackends, Bad: backends >= maxBackends-3},
		{Label: "API", Value: api}, {Label: "running", Value: running, Inline: true}}}
	return []lab.GaugeGroup{pool, pg}
}

// dashLastRun is a finished broken run, for the idle dashboard.
func dashLastRun() *load.Result {
	return &load.Result{Total: 9876, Succeeded: 1975, Failed: 7901, SuccessRate: 19.99, P50: 152 * time.Millisecond,
		P99: 1240 * time.Millisecond, RPS: 329.2, Elapsed: 30 * time.Second, State: "broken",
		Errors:       map[string]int{"http 503": 7901},
		ServerErrors: map[string]int{"connect_timeout": 4740, "too_many_clients": 2370, "pool_acquire_timeout": 791}}
}

func newTestDashboard(t testing.TB) *dashboard {
	t.Helper()
	c := withLab(&common{styles: NewStyles(ThemeDefault, false), keys: DefaultKeyMap()}, singleServer(t))
	return newDashboard(c)
}

// feedDash sends the samples of seconds 1..k (4 per second, like the poller).
func feedDash(d *dashboard, k, fixAt int) {
	for i := 1; i <= k; i++ {
		s := dashSample(i, fixAt)
		for q := 0; q < 4; q++ {
			s.At = s.At.Add(time.Duration(q) * 250 * time.Millisecond / 4)
			d.Update(labSampleMsg{s})
		}
	}
}

func TestDashboardPrint(t *testing.T) {
	if os.Getenv("DASH_PRINT") == "" {
		t.Skip("DASH_PRINT=1 shows the frames")
	}
	d := newTestDashboard(t)
	feedDash(d, 20, 12)
	for _, sz := range [][2]int{{80, 21}, {120, 37}} {
		d.SetSize(sz[0], sz[1])
		t.Logf("\n%s", d.View())
	}
	t.Logf("\n%s", d.Compact(36, 18))
	for _, sz := range [][2]int{{39, 37}, {64, 37}, {80, 12}, {140, 13}} {
		t.Logf("%dx%d\n%s", sz[0], sz[1], d.Compact(sz[0], sz[1]))
	}
	lipgloss.SetColorProfile(termenv.TrueColor)
	defer lipgloss.SetColorProfile(termenv.Ascii)
	d2 := newTestDashboard(t)
	feedDash(d2, 6, -1)
	for _, l := range d2.drawReq(12, 4) {
		t.Logf("%q", l)
	}
	t.Logf("\n%s", d.Compact(80, 8))
}

func checkFrame(t *testing.T, s string, w, h int) {
	t.Helper()
	lines := strings.Split(s, "\n")
	if len(lines) != h {
		t.Fatalf("frame has %d lines, want %d:\n%s", len(lines), h, s)
	}
	for i, l := range lines {
		if lw := xansi.StringWidth(l); lw != w {
			t.Fatalf("line %d is %d wide, want %d: %q", i, lw, w, l)
		}
	}
}

// dashGolden compares a frame with testdata/dashboard_<name>.golden (-update rewrites it).
func dashGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "dashboard_"+name+".golden")
	if f := flag.Lookup("update"); f != nil && f.Value.String() == "true" {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run the test with -update to write it)", err)
	}
	if string(want) != got {
		t.Fatalf("frame differs from %s (-update rewrites it)\n--- got:\n%s\n--- want:\n%s", path, got, want)
	}
}

// TestDashboardGolden: a run that is fixed in its 12th second, 20 s in, drawn at the body size
// the app gives a screen in an 80x24 and a 120x40 window (3 lines go to header, status, help);
// the idle dashboard after a broken run; and the compact panes.
func TestDashboardGolden(t *testing.T) {
	for _, sz := range [][2]int{{80, 24}, {120, 40}} {
		name := strconv.Itoa(sz[0]) + "x" + strconv.Itoa(sz[1])
		t.Run(name, func(t *testing.T) {
			d := newTestDashboard(t)
			feedDash(d, 20, 12)
			d.SetSize(sz[0], sz[1]-3)
			v := d.View()
			checkFrame(t, v, sz[0], sz[1]-3)
			dashGolden(t, name, v)
		})
	}
	t.Run("idle", func(t *testing.T) {
		d := newTestDashboard(t)
		feedDash(d, 5, -1)
		s := dashSample(6, -1)
		s.Run, s.LastRun = nil, dashLastRun()
		d.Update(labSampleMsg{s})
		d.SetSize(80, 21)
		v := d.View()
		checkFrame(t, v, 80, 21)
		dashGolden(t, "idle_80x24", v)
	})
	t.Run("projector", func(t *testing.T) {
		c := withLab(&common{styles: NewStyles(ThemeProjector, false), keys: DefaultKeyMap()}, singleServer(t))
		d := newDashboard(c)
		feedDash(d, 20, 12)
		d.SetSize(80, 21)
		v := d.View()
		checkFrame(t, v, 80, 21)
		dashGolden(t, "projector_80x24", v)
	})
	for _, sz := range [][2]int{{36, 18}, {80, 8}} {
		name := "compact_" + strconv.Itoa(sz[0]) + "x" + strconv.Itoa(sz[1])
		t.Run(name, func(t *testing.T) {
			d := newTestDashboard(t)
			feedDash(d, 10, -1)
			v := d.Compact(sz[0], sz[1])
			checkFrame(t, v, sz[0], sz[1])
			dashGolden(t, name, v)
		})
	}
}

// TestDashboardShowsRun: the big numbers are the run's, every failure cause is named with its
// count, and the progress bar says how long is left.
func TestDashboardShowsRun(t *testing.T) {
	d := newTestDashboard(t)
	feedDash(d, 10, -1)
	s := d.sample
	for _, sz := range [][2]int{{80, 21}, {120, 37}, {200, 60}} {
		d.SetSize(sz[0], sz[1])
		v := d.View()
		checkFrame(t, v, sz[0], sz[1])
		rate := numfmt.Pct(s.Telemetry.Total.SuccessRate())
		p99, _ := numfmt.Latency(s.Telemetry.Total.P99)
		rps := numfmt.RPS(s.Telemetry.Total.RPS(s.Telemetry.Now.Sub(s.Telemetry.Start)))
		for _, num := range []string{rate, p99, rps} {
			small := bigLines(num, bigGlyphs)
			rows := small[:]
			if sz[1] >= 36 {
				tall, _, _ := tallLines(num)
				rows = tall[:]
			}
			for _, row := range rows {
				mustContain(t, v, row)
			}
		}
		mustContain(t, v, "success rate · this run", "p99 latency · this run", "req/s · this run",
			"load test", "10s/30s · 20s left", "34%",
			"connect_timeout", "too_many_clients", "pool_acquire_timeout",
			numfmt.Int(s.Telemetry.Total.ByCause[telemetry.ConnectTimeout]),
			"per-request pools", "live pools 87", "backends 98/100",
			"requests per second", "latency per second", "p99 "+numfmt.Dur(s.Telemetry.Seconds[9].P99))
	}
	c := d.Compact(80, 8)
	checkFrame(t, c, 80, 8)
	mustContain(t, c, numfmt.Pct(s.Telemetry.Total.SuccessRate())+"% ok", "20s left", "connect_timeout")
}

// TestDashboardIdle: with no run, the big numbers are the last run's.
func TestDashboardIdle(t *testing.T) {
	d := newTestDashboard(t)
	d.SetSize(120, 37)
	v := d.View()
	checkFrame(t, v, 120, 37)
	mustContain(t, v, "waiting for the lab", "no run yet")

	s := dashSample(3, -1)
	s.Run, s.LastRun = nil, dashLastRun()
	d.Update(labSampleMsg{s})
	d.SetSize(80, 21)
	v = d.View()
	for _, num := range []string{"19.9", "1.24", "329"} {
		for _, row := range bigLines(num, bigGlyphs) {
			mustContain(t, v, row)
		}
	}
	mustContain(t, v, "success rate · last run", "no load test running · last run 30s, 9,876 requests",
		"connect_timeout", "4,740", "too_many_clients", "2,370", "Broken · 9,876 requests")
	mustContain(t, d.Compact(36, 18), "19.9% ok", "p99 1.24s", "329 req/s")
}

// TestDashboardChartsMove: each new second changes the charts; samples within a second change
// the text panes only (the charts come from the cache).
func TestDashboardChartsMove(t *testing.T) {
	d := newTestDashboard(t)
	d.SetSize(120, 37)
	feedDash(d, 8, -1)
	v1 := d.View()
	charts1 := len(d.charts)
	if charts1 == 0 {
		t.Fatal("no chart was drawn")
	}
	d.Update(labSampleMsg{dashSample(9, -1)})
	v2 := d.View()
	if v1 == v2 {
		t.Fatal("a new second did not change the frame")
	}
	if chartPart(v1) == chartPart(v2) {
		t.Fatalf("a new second did not change the charts:\n%s", chartPart(v2))
	}
	// a second fixed in the middle: successes and a low p99 show up
	d.Update(labSampleMsg{dashSample(10, 9)})
	v3 := d.View()
	if chartPart(v3) == chartPart(v2) {
		t.Fatal("the fixed second did not change the charts")
	}
	mustContain(t, v3, "shared pool (fixed)", "p99 "+numfmt.Dur(dashSecond(9, false).P99))

	// the same second again, later: the charts are cached, the progress moves
	cached := make(map[chartKey]string, len(d.charts))
	for k, s := range d.charts {
		cached[k] = s
	}
	s := dashSample(10, 9)
	s.Run.Elapsed += 500 * time.Millisecond
	s.At = s.At.Add(500 * time.Millisecond)
	d.Update(labSampleMsg{s})
	v4 := d.View()
	if v4 == v3 {
		t.Fatal("a later sample in the same second did not move the progress")
	}
	for k, s := range d.charts {
		if cached[k] != s {
			t.Fatalf("chart %v was redrawn within the same second", k)
		}
	}
	if d.View() != v4 {
		t.Fatal("View is not stable between samples")
	}
}

// chartPart is the frame from the pane boxes down (the charts' rows).
func chartPart(v string) string {
	i := strings.Index(v, "requests per second")
	if i < 0 {
		return ""
	}
	return v[i:]
}

// TestDashboardNoColor: without colour, failures are drawn with another rune than successes.
func TestDashboardNoColor(t *testing.T) {
	c := withLab(&common{styles: NewStyles(ThemeDefault, true), keys: DefaultKeyMap()}, singleServer(t))
	d := newDashboard(c)
	feedDash(d, 6, -1)
	d.SetSize(120, 37)
	v := d.View()
	checkFrame(t, v, 120, 37)
	mustContain(t, v, "░ failed", "░░░", "████")
}

// TestDashboardTheme: the projector theme keeps the layout (only styles change) and the theme
// message invalidates the cached frame.
func TestDashboardTheme(t *testing.T) {
	d := newTestDashboard(t)
	feedDash(d, 6, -1)
	d.SetSize(80, 21)
	before := d.View()
	*d.c.styles = *NewStyles(ThemeProjector, false)
	d.Update(themeChangedMsg{})
	if d.sty.s.Theme != ThemeProjector {
		t.Fatal("styles not rebuilt")
	}
	after := d.View()
	checkFrame(t, after, 80, 21)
	// the same frame but for the heavier digits of the big numbers
	if chartPart(after) != chartPart(before) {
		t.Fatal("the projector theme changed the panes")
	}
	for _, row := range bigLines(numfmt.RPS(d.sample.Telemetry.Total.RPS(d.sample.Telemetry.Now.Sub(d.sample.Telemetry.Start))), solidGlyphs) {
		mustContain(t, after, row)
	}
	t.Logf("\n%s", after)
}

// TestDashboardSizes: every size draws an exact frame, from tiny to huge, with and without data.
func TestDashboardSizes(t *testing.T) {
	d := newTestDashboard(t)
	sizes := [][2]int{{1, 1}, {10, 3}, {20, 5}, {36, 18}, {39, 37}, {40, 10}, {60, 8}, {64, 57}, {80, 8}, {80, 10}, {80, 14}, {80, 21}, {100, 30}, {120, 37}, {140, 13}, {250, 80}}
	check := func() {
		for _, sz := range sizes {
			checkFrame(t, d.Compact(sz[0], sz[1]), sz[0], sz[1])
			d.SetSize(sz[0], sz[1])
			checkFrame(t, d.View(), sz[0], sz[1])
		}
	}
	check()
	d.Update(labSampleMsg{dashSample(1, -1)})
	check()
	feedDash(d, 15, 5)
	check()
}

// TestDashboardBounded: a long window keeps at most dashKeep seconds.
func TestDashboardBounded(t *testing.T) {
	d := newTestDashboard(t)
	for k := 1; k <= 600; k += 7 {
		s := dashSample(k, -1)
		d.Update(labSampleMsg{s})
	}
	ring := d.gauges[chartName(dashSample(1, -1).Groups[1])]
	if d.secs.len() > dashKeep || ring == nil || len(ring.at) > dashKeep {
		t.Fatalf("kept %d seconds and %v gauge seconds, want at most %d", d.secs.len(), ring, dashKeep)
	}
	if got := d.secs.at[d.secs.len()-1]; got != dashT0.Unix()+int64(595) {
		t.Fatalf("last second %d, want the newest complete one", got)
	}
}

// BenchmarkDashboardView: the cost of one frame of the full-screen dashboard at 120x40, as the
// app pays it during a run. Sub-benchmarks:
//   - poller: a sample then a frame, 4 samples per second as the lead's poller sends them (the
//     charts are redrawn once every 4 frames, when a second completes);
//   - new-second: every frame a new second (the charts are redrawn every frame; the worst case);
//   - cached: a frame with no new sample (a key press, a save tick): the cached string;
//   - ref-ntcharts-view: reference, ntcharts' own canvas View of the request chart alone
//     (lipgloss per cell), measured in the same run.
//
// Reported: ns and allocs per frame, and what a frame rate costs of one core (cpu%@Nfps).
// Target: under 10% of one core at 10 fps.
func BenchmarkDashboardView(b *testing.B) {
	const secs = 60
	var samples []LabSample
	for k := 1; k <= secs; k++ {
		s := dashSample(k, secs/2)
		for q := 0; q < 4; q++ {
			x := s
			x.At = s.At.Add(time.Duration(q) * 200 * time.Millisecond)
			r := *s.Run
			r.Elapsed += time.Duration(q) * 200 * time.Millisecond
			x.Run = &r
			samples = append(samples, x)
		}
	}
	for _, prof := range []struct {
		name string
		p    termenv.Profile
	}{{"truecolor", termenv.TrueColor}, {"ascii", termenv.Ascii}} {
		b.Run(prof.name, func(b *testing.B) {
			lipgloss.SetColorProfile(prof.p)
			defer lipgloss.SetColorProfile(termenv.Ascii)
			benchDashboard(b, samples)
		})
	}
}

func benchDashboard(b *testing.B, samples []LabSample) {
	report := func(b *testing.B) {
		per := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
		b.ReportMetric(per*4/1e9*100, "cpu%@4fps")
		b.ReportMetric(per*10/1e9*100, "cpu%@10fps")
	}
	b.Run("poller", func(b *testing.B) {
		d := newTestDashboard(b)
		d.SetSize(120, 37)
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			d.Update(labSampleMsg{samples[i%len(samples)]})
			_ = d.View()
		}
		report(b)
		if per := float64(b.Elapsed().Nanoseconds()) / float64(b.N); per*10/1e9 > 0.10 {
			b.Errorf("a frame costs %.2f ms: %.1f%% of a core at 10 fps, target < 10%%", per/1e6, per*10/1e9*100)
		}
	})
	b.Run("new-second", func(b *testing.B) {
		d := newTestDashboard(b)
		d.SetSize(120, 37)
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			d.Update(labSampleMsg{samples[(i*4)%len(samples)]})
			_ = d.View()
		}
		report(b)
	})
	b.Run("cached", func(b *testing.B) {
		d := newTestDashboard(b)
		d.SetSize(120, 37)
		d.Update(labSampleMsg{samples[len(samples)-1]})
		_ = d.View()
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			_ = d.View()
		}
		report(b)
	})
	b.Run("ref-ntcharts-view", func(b *testing.B) {
		d := newTestDashboard(b)
		d.Update(labSampleMsg{samples[len(samples)-1]})
		c := canvas.New(70, 12)
		for x := 0; x < 70; x++ {
			for y := 0; y < 12; y++ {
				c.SetCell(canvas.Point{X: x, Y: y}, canvas.NewCellWithStyle('█', d.sty.OK))
			}
		}
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			_ = c.View()
		}
		report(b)
	})
}

// A load run resets the telemetry window at any moment: the window's first second is then only
// partly covered and must not be drawn as a dip; a window that starts on the second keeps it.
func TestSeriesSkipsPartialFirstSecond(t *testing.T) {
	t0 := time.Unix(1_700_000_000, 0)
	secs := []telemetry.Second{
		{At: t0, Requests: 10, OK: 10},
		{At: t0.Add(time.Second), Requests: 100, OK: 100},
		{At: t0.Add(2 * time.Second), Requests: 100, OK: 100},
		{At: t0.Add(3 * time.Second), Requests: 40, OK: 40}, // in progress
	}
	var s series
	if last := s.load(secs, t0.Add(900*time.Millisecond)); last != t0.Add(2*time.Second).Unix() {
		t.Fatalf("last complete second = %d", last)
	}
	if len(s.ok) != 2 || s.ok[0] != 100 || s.at[0] != t0.Add(time.Second).Unix() {
		t.Fatalf("partial first second kept: at %v ok %v", s.at, s.ok)
	}
	s.load(secs, t0)
	if len(s.ok) != 3 || s.ok[0] != 10 {
		t.Fatalf("a window starting on the second lost it: ok %v", s.ok)
	}
}
