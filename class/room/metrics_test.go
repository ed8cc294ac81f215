package room

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/prometheus/client_golang/prometheus/testutil/promlint"
	"github.com/prometheus/common/expfmt"
)

// The metrics are compared as text exposition lines rather than with prometheus/testutil,
// whose diff dependency (github.com/kylelemons/godebug) is not in go.mod.

// gatherText is what a registry holding c exposes, in the Prometheus text format.
func gatherText(t *testing.T, c prometheus.Collector) string {
	t.Helper()
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(c)
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatalf("gather: %v", err)
	}
	problems, err := promlint.NewWithMetricFamilies(mfs).Lint()
	if err != nil || len(problems) > 0 {
		t.Errorf("lint: %v %v", err, problems)
	}
	var buf bytes.Buffer
	for _, mf := range mfs {
		if _, err := expfmt.MetricFamilyToText(&buf, mf); err != nil {
			t.Fatal(err)
		}
	}
	return buf.String()
}

// family is the lines of text about the metric name (HELP, TYPE and samples), sorted.
func family(text, name string) []string {
	var out []string
	for _, line := range strings.Split(text, "\n") {
		l := strings.TrimPrefix(strings.TrimPrefix(line, "# HELP "), "# TYPE ")
		if strings.HasPrefix(l, name+" ") || strings.HasPrefix(l, name+"{") {
			out = append(out, line)
		}
	}
	slices.Sort(out)
	return out
}

// compareFamilies checks that got exposes exactly want's lines for each of names.
func compareFamilies(t *testing.T, got, want string, names ...string) {
	t.Helper()
	for _, name := range names {
		g, w := family(got, name), family(want, name)
		if len(w) == 0 {
			t.Fatalf("the test expects nothing of %s", name)
		}
		if !slices.Equal(g, w) {
			t.Errorf("%s:\n%s\nwant\n%s", name, strings.Join(g, "\n"), strings.Join(w, "\n"))
		}
	}
}

// count is how many samples of name text holds.
func count(text, name string) int {
	n := 0
	for _, l := range family(text, name) {
		if !strings.HasPrefix(l, "#") {
			n++
		}
	}
	return n
}

// metricsRoom is a class with one connected learner and one away, runs in two stages.
func metricsRoom() *Room {
	r := New("c", 2)
	r.Update("ada-1", func(l *Learner) {
		l.Name, l.Connected, l.Scenario, l.Step, l.Steps, l.Answered, l.Questions, l.Running = "ada", true, "s1", 2, 7, 3, 4, true
	})
	r.Update("bob-2", func(l *Learner) { l.Name, l.Scenario, l.Steps = "bob", "s1", 7 })
	for _, id := range []string{"ada-1", "bob-2"} {
		a := run(1, "broken", 0, 50, 800, 40)
		a.Scenario = "s1"
		r.AddRun(id, a)
	}
	later := run(2, "broken", 3, 25, 1500, 20) // ada's latest broken run
	later.Scenario = "s1"
	r.AddRun("ada-1", later)
	f := run(3, "fix1", 4, 100, 20, 1000)
	f.Scenario = "s1"
	r.AddRun("ada-1", f)
	r.SetQueue(1, 2)
	return r
}

const wantMetrics = `
# HELP scalelab_class_learners Learners of the class, connected or away.
# TYPE scalelab_class_learners gauge
scalelab_class_learners{state="away"} 1
scalelab_class_learners{state="connected"} 1
# HELP scalelab_class_load_tests Load tests running now and waiting for a slot.
# TYPE scalelab_class_load_tests gauge
scalelab_class_load_tests{state="queued"} 2
scalelab_class_load_tests{state="running"} 1
# HELP scalelab_class_slots Load tests that may run at once (K).
# TYPE scalelab_class_slots gauge
scalelab_class_slots 2
# HELP scalelab_class_learner_step The step a learner is on (1 = the first).
# TYPE scalelab_class_learner_step gauge
scalelab_class_learner_step{learner="ada-1",name="ada",scenario="s1"} 3
scalelab_class_learner_step{learner="bob-2",name="bob",scenario="s1"} 1
# HELP scalelab_class_learner_answered_ratio The share of the scenario's questions a learner has answered (0-1).
# TYPE scalelab_class_learner_answered_ratio gauge
scalelab_class_learner_answered_ratio{learner="ada-1",name="ada",scenario="s1"} 0.75
# HELP scalelab_class_learner_run_p99_seconds p99 latency of a learner's latest run in a stage.
# TYPE scalelab_class_learner_run_p99_seconds gauge
scalelab_class_learner_run_p99_seconds{learner="ada-1",name="ada",scenario="s1",stage="broken"} 1.5
scalelab_class_learner_run_p99_seconds{learner="ada-1",name="ada",scenario="s1",stage="fix1"} 0.02
scalelab_class_learner_run_p99_seconds{learner="bob-2",name="bob",scenario="s1",stage="broken"} 0.8
# HELP scalelab_class_stage_median_rps The class's median requests per second of each learner's latest run in a stage.
# TYPE scalelab_class_stage_median_rps gauge
scalelab_class_stage_median_rps{scenario="s1",stage="broken",title="Broken"} 30
scalelab_class_stage_median_rps{scenario="s1",stage="fix1",title="After Fix 1"} 1000
# HELP scalelab_class_stage_median_success_ratio The class's median success rate of each learner's latest run in a stage (0-1).
# TYPE scalelab_class_stage_median_success_ratio gauge
scalelab_class_stage_median_success_ratio{scenario="s1",stage="broken",title="Broken"} 0.375
scalelab_class_stage_median_success_ratio{scenario="s1",stage="fix1",title="After Fix 1"} 1
# HELP scalelab_class_runs_total Load runs a learner has recorded.
# TYPE scalelab_class_runs_total counter
scalelab_class_runs_total{learner="ada-1",name="ada"} 3
scalelab_class_runs_total{learner="bob-2",name="bob"} 1
`

var comparedNames = []string{
	"scalelab_class_learners", "scalelab_class_load_tests", "scalelab_class_slots",
	"scalelab_class_learner_step", "scalelab_class_learner_answered_ratio",
	"scalelab_class_learner_run_p99_seconds", "scalelab_class_stage_median_rps",
	"scalelab_class_stage_median_success_ratio", "scalelab_class_runs_total",
}

func TestCollector(t *testing.T) {
	r := metricsRoom()
	c := r.Collector()
	text := gatherText(t, c)
	compareFamilies(t, text, wantMetrics, comparedNames...)
	if n := count(text, "scalelab_class_learner_run_success_ratio"); n != 3 {
		t.Errorf("%d latest-run success series, want 3 (ada broken and fix1, bob broken)", n)
	}
	if n := count(text, "scalelab_class_learner_load_test_running"); n != 2 {
		t.Errorf("%d running series, want one per learner", n)
	}
	// the metrics follow the room at the next scrape
	r.Update("cy-3", func(l *Learner) { l.Name, l.Connected = "cy", true })
	compareFamilies(t, gatherText(t, c), `
# HELP scalelab_class_learners Learners of the class, connected or away.
# TYPE scalelab_class_learners gauge
scalelab_class_learners{state="away"} 1
scalelab_class_learners{state="connected"} 2
`, "scalelab_class_learners")
}

func TestMetricsScrapedOverHTTP(t *testing.T) {
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(metricsRoom().Collector())
	srv := httptest.NewServer(promhttp.HandlerFor(reg, promhttp.HandlerOpts{ErrorHandling: promhttp.HTTPErrorOnError}))
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `scalelab_class_stage_learners{scenario="s1",stage="broken",title="Broken"} 2`) {
		t.Errorf("scrape %d:\n%s", resp.StatusCode, body)
	}
	compareFamilies(t, string(body), wantMetrics, comparedNames...)
}
