package tui

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"scalelab/content"
	"scalelab/lab"
	"scalelab/lab/load"
	"scalelab/lab/singleserver"
)

var resT0 = time.Date(2026, 11, 25, 18, 0, 0, 0, time.UTC)

// resultsRun is a run as the load runner records it; the numbers are of the scenario's shape.
func resultsRun(state string, at time.Duration) load.Record {
	r := &load.Result{Ended: load.EndedTime}
	switch state {
	case singleserver.StageBroken:
		r.Total, r.Succeeded, r.Failed = 9300, 1116, 8184
		r.Avg, r.P50, r.P99, r.RPS = 310*time.Millisecond, 160*time.Millisecond, 1250*time.Millisecond, 310
		r.Errors = map[string]int{"connect_timeout": 6000, "too_many_clients": 2184}
	case singleserver.StageFix1:
		r.Total, r.Succeeded, r.Failed = 54000, 54000, 0
		r.Avg, r.P50, r.P99, r.RPS = 55*time.Millisecond, 50*time.Millisecond, 92*time.Millisecond, 1800
	case singleserver.StageFix2:
		r.Total, r.Succeeded, r.Failed = 96000, 96000, 0
		r.Avg, r.P50, r.P99, r.RPS = 31*time.Millisecond, 28*time.Millisecond, 48*time.Millisecond, 3200
	default:
		r.Total, r.Succeeded, r.Failed = 20000, 19000, 1000
		r.Avg, r.P50, r.P99, r.RPS = 90*time.Millisecond, 80*time.Millisecond, 400*time.Millisecond, 666.7
	}
	r.SuccessRate = 100 * float64(r.Succeeded) / float64(r.Total)
	return load.Record{At: resT0.Add(at), State: state, Result: r, Scenario: "workshop", Lab: "single-server",
		Options: load.Options{URL: "http://127.0.0.1:3000/feed", Concurrency: 100, Duration: 30 * time.Second}}
}

// testHistory is a real run history in a temp dir holding the given runs.
func testHistory(t *testing.T, runs ...load.Record) *load.History {
	t.Helper()
	h, err := load.OpenHistory(filepath.Join(t.TempDir(), "runs.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range runs {
		if _, err := h.Add(r); err != nil {
			t.Fatal(err)
		}
	}
	return h
}

// loaded makes a results screen and runs its Init Cmd (the history read) into it.
func loaded(t *testing.T, h *load.History, w, hgt int) *results {
	t.Helper()
	r := newResults(testCommon(t), h)
	r.loc = time.UTC
	r.SetSize(w, hgt)
	if cmd := r.Init(); cmd != nil {
		r.Update(cmd())
	}
	return r
}

func TestResultsTableFromHistory(t *testing.T) {
	h := testHistory(t,
		resultsRun(singleserver.StageBroken, 0),
		resultsRun(singleserver.StageBroken, 5*time.Minute), // the newer broken run is the one in the table
		resultsRun(singleserver.StageFix1, 10*time.Minute),
		resultsRun(singleserver.StageCustom, 12*time.Minute),
	)
	// the older broken run differs, so the table must show the newer one
	recs := h.List()
	if len(recs) != 4 {
		t.Fatalf("%d runs", len(recs))
	}
	r := loaded(t, h, 120, 37)
	v := r.View()
	mustContain(t, v,
		"run                      success  failed     avg     p99  req/s  when         users  duration",
		"Broken                     12.0%   8,184  310 ms  1.25 s    310  11-25 18:05    100       30s",
		"After Fix 1                 100%       0   55 ms   92 ms  1,800  11-25 18:10    100       30s",
		"After Fix 2              not measured yet: run the load test after Fix 2",
		"1M rows, with the index  not measured yet: run the load test at 1,000,000 rows with the index",
		"req/s (more is better)", "p99 latency (less is better)",
		"All runs, newest first",
		"▸#3    11-25 18:10 After Fix 1",
		" #4    11-25 18:12 Custom", // custom runs are listed, never in the table
		" #1    11-25 18:00 Broken")
	if r.Status() != "results · 2 of 5 stages measured · 4 runs" {
		t.Fatalf("status %q", r.Status())
	}

	// a run recorded elsewhere (another scalelab process) shows after the next load test ends
	other, err := load.OpenHistory(h.Path())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.Add(resultsRun(singleserver.StageFix2, 20*time.Minute)); err != nil {
		t.Fatal(err)
	}
	cmd := r.Update(ActionDoneMsg{Action: content.Action{Name: "loadtest"}})
	if cmd == nil {
		t.Fatal("no reload after a load test")
	}
	r.Update(cmd())
	mustContain(t, r.View(), "After Fix 2                 100%       0   31 ms   48 ms  3,200  11-25 18:20", "▸#5 ")
	if r.Status() != "results · 3 of 5 stages measured · 5 runs" {
		t.Fatalf("status %q", r.Status())
	}
	// other actions do not reload
	if cmd := r.Update(ActionDoneMsg{Action: content.Action{Name: "apply-fix"}}); cmd != nil {
		t.Fatal("reload after apply-fix")
	}
}

func TestResultsStageAndRerun(t *testing.T) {
	r := loaded(t, testHistory(t), 80, 21)
	mustContain(t, r.View(), "The lab's stage is not known yet", "No runs recorded yet",
		"Broken                   not measured yet: run the load test before the fixes")

	// the lab's status names the stage (labctl's statusMsg): r will measure it
	r.Update(statusMsg(lab.Status{Up: true, Stage: singleserver.StageFix1}))
	mustContain(t, r.View(), "The lab is now: After Fix 1", "the new run replaces the After Fix 1 row")

	// while a load test runs, r says so instead of starting another
	r.Update(labSampleMsg{LabSample{Run: &load.Progress{Elapsed: 12 * time.Second, Duration: 30 * time.Second}}})
	mustContain(t, r.View(), "A load test is running (12s elapsed)")

	// custom knobs: recorded as Custom
	r.Update(labSampleMsg{})
	r.Update(statusMsg(lab.Status{Up: true, Stage: singleserver.StageCustom}))
	mustContain(t, r.View(), "The lab is now: Custom", "a run of none of the lab's stages is recorded as")
}

func TestResultsListScrolls(t *testing.T) {
	var runs []load.Record
	r3 := []string{singleserver.StageBroken, singleserver.StageFix1, singleserver.StageFix2}
	for i := 0; i < 30; i++ {
		runs = append(runs, resultsRun(r3[i%3], time.Duration(i)*time.Minute))
	}
	r := loaded(t, testHistory(t, runs...), 80, 21)
	n := r.listHeight()
	v := r.View()
	mustContain(t, v, "(1–"+itoa(n)+" of 30)", "▸#30 ", "▸#29 ", "▸#28 ")
	r.Update(keyMsg("j"))
	mustContain(t, r.View(), "(2–"+itoa(n+1)+" of 30)")
	r.Update(keyMsg("G"))
	mustContain(t, r.View(), "of 30)", " #1 ")
	r.Update(keyMsg("g"))
	if r.off != 0 {
		t.Fatalf("g: offset %d", r.off)
	}
	for i, l := range strings.Split(r.View(), "\n") {
		if w := len([]rune(l)); w != 80 {
			t.Fatalf("row %d is %d wide: %q", i, w, l)
		}
	}
}

func TestResultsWithoutHistory(t *testing.T) {
	r := newResults(testCommon(t), nil)
	r.SetSize(80, 21)
	if r.Init() != nil {
		t.Fatal("Init without a history should do nothing")
	}
	mustContain(t, r.View(), "Runs are not recorded in this session")
	if r.Status() != "results · runs are not recorded in this session" {
		t.Fatalf("status %q", r.Status())
	}
	r.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
}

func TestResultsGoldens(t *testing.T) {
	three := []load.Record{
		resultsRun(singleserver.StageBroken, 0), resultsRun(singleserver.StageBroken, 3*time.Minute),
		resultsRun(singleserver.StageFix1, 9*time.Minute), resultsRun(singleserver.StageCustom, 11*time.Minute),
		resultsRun(singleserver.StageFix2, 16*time.Minute),
	}
	for _, tc := range []struct {
		name string
		w, h int
		runs []load.Record
	}{
		{"results_empty_80x24", 80, 24, nil},
		{"results_80x24", 80, 24, three},
		{"results_120x40", 120, 40, three},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := loaded(t, testHistory(t, tc.runs...), tc.w, tc.h-3)
			r.Update(statusMsg(lab.Status{Up: true, Stage: singleserver.StageFix2}))
			screenGolden(t, tc.name, r.View())
		})
	}
}
