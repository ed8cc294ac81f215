package tui

import (
	"strings"
	"testing"
	"time"

	"scalelab/content"
	"scalelab/lab/telemetry"
)

// When a run ends, the panes keep the run's own figures: the idle seconds the lab goes on
// counting after it do not pull the legends to zero under the run's summary.
func TestRunEndPictureKeepsTheRunsFigures(t *testing.T) {
	d := newTestDashboard(t)
	d.SetSize(80, 21)
	feedDash(d, 8, 0) // a fixed run, 8 seconds
	d.Update(ActionDoneMsg{Action: content.Action{Name: content.ActionLoadTest},
		Summary: "load test (After Fix 2): 100% ok, 0 failed, p99 72 ms, 8,638 req/s"})

	// the lab's telemetry after the run: the same seconds, then five with no request
	s := dashSample(8, 0)
	last := s.Telemetry.Seconds[len(s.Telemetry.Seconds)-1].At
	for i := 1; i <= 5; i++ {
		s.Telemetry.Seconds = append(s.Telemetry.Seconds, telemetry.Second{At: last.Add(time.Duration(i) * time.Second)})
	}
	s.Run, s.LastRun = nil, dashLastRun()
	s.LastRun.State, s.LastRun.Failed, s.LastRun.ServerErrors, s.LastRun.Errors = "fix2", 0, nil, nil
	d.Update(labSampleMsg{s})

	v := d.View()
	for _, zero := range []string{"ok 0/s", "p50 0.0 ms", "p99 0.0 ms"} {
		if strings.Contains(v, zero) {
			t.Errorf("the final picture shows %q, a second after the run, not the run:\n%s", zero, v)
		}
	}
	mustContain(t, v, "9,876 requests", "no failures", "run ended: load test (After Fix 2): 100% ok, 0 failed")
	if strings.Contains(v, "req…") {
		t.Errorf("the count under the success rate is cut:\n%s", v)
	}
	d.SetSize(120, 37)
	mustContain(t, d.View(), "After Fix 2 · 9,876 requests")
	if strings.Contains(v, "fix2 ·") {
		t.Errorf("the stage is shown by its internal name:\n%s", v)
	}
	if strings.Contains(v, "p9…") {
		t.Errorf("the summary is cut inside a figure:\n%s", v)
	}
}

func TestFitClausesCutsWholeFigures(t *testing.T) {
	s := "run ended: load test (Broken): 11.4% ok, 2,036 failed, p99 806 ms, 434 req/s"
	if got := fitClauses(s, 60); got != "run ended: load test (Broken): 11.4% ok, 2,036 failed" {
		t.Errorf("fitClauses(60) = %q", got)
	}
	if got := fitClauses(s, 200); got != s {
		t.Errorf("fitClauses(200) = %q", got)
	}
}
