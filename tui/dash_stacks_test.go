package tui

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	xansi "github.com/charmbracelet/x/ansi"

	"scalelab/lab"
	"scalelab/lab/load"
	"scalelab/lab/telemetry"
)

// The load-balancing lab's panes, from samples built by hand like the ones it sends: n replicas
// behind a balancer, requests per second by replica as a stack, one gauge group per replica
// and one for the balancer; replica-2 was killed at second 12.

const lbKilled = 12

// lbSample is the lab k seconds into a 30 s run with n replicas.
func lbSample(k, n int) LabSample {
	parts := make([]string, n)
	for r := range parts {
		parts[r] = "replica-" + strconv.Itoa(r+1)
	}
	stack := lab.Stack{Title: "requests per second by replica", Parts: parts}
	var secs []telemetry.Second
	tot := telemetry.Window{ByCause: map[telemetry.Cause]int{}}
	for i := 0; i <= k; i++ {
		at := dashT0.Add(time.Duration(i) * time.Second)
		vals := make([]float64, n)
		sum := 0
		for r := range vals {
			v := 100 + 10*r + (i%3)*5
			if r == 1 && i >= lbKilled {
				v = 0
			}
			if i == k { // the second in progress
				v /= 4
			}
			vals[r] = float64(v)
			sum += v
		}
		failed := 0
		if i == lbKilled || i == lbKilled+1 {
			failed = 40
		}
		stack.Seconds = append(stack.Seconds, lab.StackSecond{At: at, Values: vals})
		secs = append(secs, telemetry.Second{At: at, Requests: sum + failed, OK: sum, Failed: failed,
			ByCause: map[telemetry.Cause]int{"http_503": failed}, P50: 4 * time.Millisecond, P99: 30 * time.Millisecond})
		tot.Requests += sum + failed
		tot.OK += sum
		tot.Failed += failed
		tot.ByCause["http_503"] += failed
	}
	tot.P50, tot.P99 = 4*time.Millisecond, 30*time.Millisecond
	now := dashT0.Add(time.Duration(k)*time.Second + 250*time.Millisecond)
	var groups []lab.GaugeGroup
	for r, name := range parts {
		g := lab.GaugeGroup{Title: name + ": UP " + strconv.Itoa(k) + " s", Chart: "req/s", ChartTitle: name + " requests per second",
			Gauges: []lab.Gauge{{Label: "req/s", Value: 100 + 10*r}, {Label: "users", Value: 3 + r, Inline: true}, {Label: "sessions", Value: 5 + r, Inline: true}}}
		if r == 1 && k >= lbKilled {
			g.Title, g.Warn = name+": DOWN "+strconv.Itoa(k-lbKilled)+" s", true
			g.Gauges[0].Value = 0
			g.Note = "killed: its process is gone, and the sessions it kept in memory with it"
		}
		groups = append(groups, g)
	}
	groups = append(groups, lab.GaugeGroup{Title: "balancer: HAProxy 127.0.0.1:18080 · in memory", Chart: "req/s", ChartTitle: "requests per second through HAProxy",
		Gauges: []lab.Gauge{{Label: "req/s", Value: 100 * n}, {Label: "replicas UP", Value: n - 1, Max: n, Bad: true, Inline: true},
			{Label: "5xx sent", Value: 80, Bad: true}, {Label: "4xx sent", Value: 0, Inline: true}},
		Note: "health checks: GET /health every 1s, DOWN after 3 failures, UP after 2 passes"})
	return LabSample{
		Sample: lab.Sample{At: now, Telemetry: telemetry.Snapshot{Start: dashT0, Now: now, Seconds: secs, Total: tot},
			Groups: groups, Stacks: []lab.Stack{stack}},
		Run:      &load.Progress{Elapsed: now.Sub(dashT0), Duration: 30 * time.Second, Requests: tot.Requests, Responses: tot.Requests},
		RunTotal: 30 * time.Second,
	}
}

func newLBDashboard(t testing.TB, noColor bool, n, k int) *dashboard {
	t.Helper()
	c := withLab(&common{styles: NewStyles(ThemeDefault, noColor), keys: DefaultKeyMap()}, singleServer(t))
	d := newDashboard(c)
	for i := 1; i <= k; i++ {
		d.Update(labSampleMsg{lbSample(i, n)})
	}
	return d
}

// lbSizes are the window sizes the panes must fit (the body is 3 rows less: header, status,
// help) and the compact panes beside and below the text.
var lbSizes = []struct {
	w, h    int
	compact bool
}{{80, 21, false}, {100, 27, false}, {120, 37, false}, {36, 18, true}, {44, 27, true}, {80, 8, true}, {140, 12, true}}

func lbFrame(d *dashboard, w, h int, compact bool) string {
	if compact {
		return d.Compact(w, h)
	}
	d.SetSize(w, h)
	return d.View()
}

func TestDashboardStacksPrint(t *testing.T) {
	if os.Getenv("DASH_PRINT") == "" {
		t.Skip("DASH_PRINT=1 shows the frames")
	}
	for _, n := range []int{3, 8} {
		for _, nc := range []bool{false, true} {
			d := newLBDashboard(t, nc, n, 20)
			for _, sz := range lbSizes {
				t.Logf("%d replicas, no colour %v, %dx%d\n%s", n, nc, sz.w, sz.h, lbFrame(d, sz.w, sz.h, sz.compact))
			}
		}
	}
}

// TestDashboardStacks: with 3 and 8 replicas, at every size, the frame is whole, the stack pane
// is there with the replicas' latest second, and every group is drawn with its state (the
// killed one DOWN), or, in a short compact pane, counted as left out.
func TestDashboardStacks(t *testing.T) {
	for _, n := range []int{3, 8} {
		for _, nc := range []bool{false, true} {
			d := newLBDashboard(t, nc, n, 20)
			for _, sz := range lbSizes {
				t.Run(fmt.Sprintf("%d/%v/%dx%d", n, nc, sz.w, sz.h), func(t *testing.T) {
					v := lbFrame(d, sz.w, sz.h, sz.compact)
					checkFrame(t, v, sz.w, sz.h)
					plain := xansi.Strip(v)
					if !sz.compact && !strings.Contains(plain, "requests per second by replica") {
						t.Errorf("no stack pane:\n%s", plain)
					}
					// the legend: replica-1's last complete second (19) is 100+5
					if !strings.Contains(plain, "1 105") {
						t.Errorf("the legend lacks replica-1's latest second:\n%s", plain)
					}
					if sz.compact && sz.h < 20 {
						return // a small pane keeps what it can
					}
					// every group is drawn, or counted at the end when a compact pane is short
					shown := 0
					for r := 1; r <= n; r++ {
						state := "UP 20 s"
						if r == 2 {
							state = "DOWN 8 s"
						}
						if strings.Contains(plain, "replica-"+strconv.Itoa(r)+": "+state) {
							shown++
						}
					}
					if strings.Contains(plain, "balancer: HAProxy") {
						shown++
					}
					if more := n + 1 - shown; more > 0 && !strings.Contains(plain, "+"+strconv.Itoa(more)+" more groups") {
						t.Errorf("%d of %d groups drawn, the rest not counted:\n%s", shown, n+1, plain)
					}
					if !sz.compact && shown < n+1 {
						t.Errorf("the full layout draws %d of %d groups:\n%s", shown, n+1, plain)
					}
				})
			}
		}
	}
}

// TestStackColumns: a column is as high as its second's total, scaled to the highest second
// shown, and made of each part's glyph from the bottom in order (no colour: whole cells).
func TestStackColumns(t *testing.T) {
	d := newLBDashboard(t, true, 3, 20)
	lines := d.drawStack("requests per second by replica", 10, 6)
	col := func(x int) string {
		var b strings.Builder
		for y := len(lines) - 1; y >= 0; y-- {
			b.WriteRune([]rune(xansi.Strip(lines[y]))[x])
		}
		return b.String()
	}
	// the last column is second 19 (replica-2 down): 105 and 125 of a peak of 360 (second 11)
	if got := col(9); got != "██▒▒  " {
		t.Errorf("second 19 is %q, want replica-1 then replica-3 in 6 rows scaled to 360", got)
	}
	// second 11 (all up: 110, 120, 130): the peak, full height
	if got := col(1); got != "██░░▒▒" {
		t.Errorf("second 11 is %q, want the three replicas filling the column", got)
	}
}
