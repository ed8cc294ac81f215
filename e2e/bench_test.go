package e2e

import (
	"strings"
	"testing"
	"time"
)

// BenchmarkStartupBinary: the real binary in a real terminal (tmux, 100x30), from
// new-session to the first screen showing the scenario, against a shell that prints one
// line in the same kind of session (the cost of tmux and process start alone).
// The lab starts in the background (the first iteration runs initdb): the first screen must not
// wait for it. Target: the workshop's first screen in under 300 ms.
func BenchmarkStartupBinary(b *testing.B) {
	needTmux(b)
	bin := binary(b)
	home := labHome(b)
	var ref, ours time.Duration
	for i := 0; i < b.N; i++ {
		tt := newTerm(b)
		t0 := time.Now()
		tt.start(100, 30, nil, "sh", "-c", "echo READY; sleep 30")
		ref += waitScreen(b, tt, "READY").Sub(t0)
		tt.tmux("kill-server")

		tt = newTerm(b)
		t0 = time.Now()
		tt.start(100, 30, []string{"SCALELAB_HOME=" + home}, bin)
		ours += waitScreen(b, tt, "step 1/").Sub(t0)
		tt.keys("q")
		tt.waitGoneWithin(30 * time.Second) // the lab stops first
		tt.tmux("kill-server")
	}
	n := float64(b.N)
	msRef := float64(ref.Microseconds()) / 1000 / n
	msOurs := float64(ours.Microseconds()) / 1000 / n
	b.ReportMetric(msRef, "ref-ms")
	b.ReportMetric(msOurs, "first-screen-ms")
	b.ReportMetric(msOurs/msRef, "ratio")
	if msOurs > 300 {
		b.Errorf("first screen after %.0f ms, target < 300 ms (reference shell: %.0f ms)", msOurs, msRef)
	}
}

// waitScreen polls capture-pane tightly (the figure is only as fine as this loop).
func waitScreen(b *testing.B, tt *term, text string) time.Time {
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if strings.Contains(tt.screen(), text) {
			return time.Now()
		}
		time.Sleep(2 * time.Millisecond)
	}
	b.Fatalf("never showed %q; screen:\n%s", text, tt.screen())
	return time.Time{}
}
