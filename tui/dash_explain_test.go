package tui

import (
	"strings"
	"testing"

	xansi "github.com/charmbracelet/x/ansi"

	"scalelab/lab/load"
	"scalelab/lab/telemetry"
)

// The failures pane says what each cause means, in the words the CLI prints (load.CauseHelp).
func TestCausesSayWhatTheyMean(t *testing.T) {
	d := newTestDashboard(t)
	feedDash(d, 6, -1)
	d.SetSize(120, 37)
	v := flat(d.View())
	for _, c := range []telemetry.Cause{telemetry.ConnectTimeout, telemetry.TooManyClients} {
		mustContain(t, v, firstWords(load.CauseHelp(string(c)), 4))
	}
	// at 80x24 too, for as many causes as the rows allow, taking turns
	d.SetSize(80, 21)
	v = flat(d.View())
	explained := 0
	for _, c := range []telemetry.Cause{telemetry.ConnectTimeout, telemetry.TooManyClients, telemetry.PoolAcquireTimeout} {
		if strings.Contains(v, firstWords(load.CauseHelp(string(c)), 4)) {
			explained++
		}
		mustContain(t, v, string(c))
	}
	if explained == 0 {
		t.Fatalf("no cause explained at 80x24:\n%s", d.View())
	}
}

// A long cause name is cut rather than its percentage.
func TestLongCauseKeepsItsShare(t *testing.T) {
	d := newTestDashboard(t)
	feedDash(d, 6, -1)
	_, body := d.causesBody(24, 6)
	for _, l := range body {
		l = xansi.Strip(l)
		if strings.Contains(l, "pool_acq") && !strings.HasSuffix(strings.TrimSpace(l), "%") {
			t.Fatalf("the share is gone: %q", l)
		}
		if xansi.StringWidth(l) > 24 {
			t.Fatalf("line wider than the pane: %q", l)
		}
	}
}

// The connections pane says why PostgreSQL's backends stay low in the broken run.
func TestPoolSaysWhyBackendsStayLow(t *testing.T) {
	d := newTestDashboard(t)
	s := dashSample(3, -1)
	s.Stats.LivePools, s.Stats.Pool.Constructing, s.Stats.Backends, s.Stats.MaxConnections = 100, 97, 4, 50
	d.Update(labSampleMsg{s})
	got := flat(strings.Join(d.poolPane(36, 10), "\n"))
	mustContain(t, got, "live pools 100", "opening 97", "PG backends 4/50",
		"few backends: connections time out (150 ms) before they open")
	// at 80x24 too: the connections box of the full panes is 37x6 inside
	mustContain(t, flat(strings.Join(d.poolPane(37, 6), "\n")), "PG backends 4/50", "few backends: connections time out (150 ms) before they open")
	// a run where PostgreSQL refused more connections than timed out: the backends were at
	// max_connections, and the limit, not the timeout, is what the causes pane explains
	s = dashSample(3, -1)
	s.Stats.LivePools, s.Stats.Pool.Constructing, s.Stats.Backends, s.Stats.MaxConnections = 100, 97, 4, 50
	s.Telemetry.Total.ByCause = map[telemetry.Cause]int{telemetry.TooManyClients: 1661, telemetry.ConnectTimeout: 509}
	d.Update(labSampleMsg{s})
	if got := flat(strings.Join(d.poolPane(36, 10), "\n")); strings.Contains(got, "few backends") {
		t.Fatalf("blamed the timeout for a run that max_connections refused:\n%s", got)
	}
	// the fixed server: nothing to explain
	s = dashSample(3, 0)
	d.Update(labSampleMsg{s})
	if got := flat(strings.Join(d.poolPane(36, 10), "\n")); strings.Contains(got, "few backends") {
		t.Fatalf("explained a broken pool on the fixed server:\n%s", got)
	}
}

// flat is a frame's text with each line's box edges and wrapping undone, for phrase checks.
func flat(s string) string {
	var words []string
	for _, l := range strings.Split(xansi.Strip(s), "\n") {
		words = append(words, strings.Fields(strings.ReplaceAll(l, "│", " "))...)
	}
	return strings.Join(words, " ")
}

func firstWords(s string, n int) string {
	f := strings.Fields(s)
	return strings.Join(f[:min(n, len(f))], " ")
}

// Without colour the latency legend still tells p50 from p99.
func TestLatencyLegendWithoutColour(t *testing.T) {
	c := &common{styles: NewStyles(ThemeDefault, true), keys: DefaultKeyMap()}
	d := newDashboard(c)
	feedDash(d, 6, -1)
	d.SetSize(120, 37)
	v := xansi.Strip(d.View())
	mustContain(t, v, "─ p99 ", " · p50 ", "(not drawn)")
	if strings.Contains(v, "─ p50") {
		t.Fatalf("two lines that look the same without colour:\n%s", v)
	}
}
