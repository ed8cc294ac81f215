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

// A gauge group's note is drawn whole under its gauges, the last gauge line giving way to it
// when the rows are few; a group without one draws none.
func TestGroupNoteShownWhole(t *testing.T) {
	d := newTestDashboard(t)
	s := dashSample(3, -1)
	why := "few backends: connections time out (150 ms) before they open"
	s.Groups[1].Note = why
	d.Update(labSampleMsg{s})
	got := flat(strings.Join(d.groupsPane(36, 12, true), "\n"))
	mustContain(t, got, "live pools 87", "opening 46", "PostgreSQL backends", "backends 98/100", why)
	// at 80x24 too: the connections box of the full panes is 37x6 inside (its title in the border)
	small := flat(strings.Join(d.groupsPane(37, 6, false), "\n"))
	mustContain(t, small, "backends 98/100", why)
	if strings.Contains(small, "API: per-request pools") {
		t.Fatalf("the first group's title is the box's, not a line of it:\n%s", small)
	}
	s = dashSample(3, 0)
	d.Update(labSampleMsg{s})
	if got := flat(strings.Join(d.groupsPane(36, 12, true), "\n")); strings.Contains(got, "few backends") {
		t.Fatalf("a note of an earlier sample stayed:\n%s", got)
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
	c := withLab(&common{styles: NewStyles(ThemeDefault, true), keys: DefaultKeyMap()}, singleServer(t))
	d := newDashboard(c)
	feedDash(d, 6, -1)
	d.SetSize(120, 37)
	v := xansi.Strip(d.View())
	mustContain(t, v, "─ p99 ", " · p50 ", "(not drawn)")
	if strings.Contains(v, "─ p50") {
		t.Fatalf("two lines that look the same without colour:\n%s", v)
	}
}
