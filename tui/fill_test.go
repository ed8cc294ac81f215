package tui

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"scalelab/content"
	"scalelab/content/worksheet"
	"scalelab/lab"
	"scalelab/lab/feed"
	"scalelab/lab/load"
)

func seedScenario(t *testing.T) *content.Scenario {
	t.Helper()
	p := filepath.Join("..", "..", "shared", "seeds", "scenario-01-single-server.md")
	src, err := os.ReadFile(p)
	if err != nil { // outside the repository; CI checks shared/ out beside it (as content's readSeed)
		if os.Getenv("CI") != "" {
			t.Fatalf("original scenario not found at %s, and CI is set: check out shared/ beside the repository (%v)", p, err)
		}
		t.Skipf("original scenario not found at %s (in CI this fails): %v", p, err)
	}
	s, err := content.Parse(p, src)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func records() map[string]load.Record {
	mk := func(state string, rate float64, failed, total int, p99 time.Duration, rps float64) load.Record {
		return load.Record{State: state, Result: &load.Result{SuccessRate: rate, Failed: failed, Total: total, P99: p99, Avg: p99 / 2, RPS: rps}}
	}
	return map[string]load.Record{
		lab.StageBroken: mk(lab.StageBroken, 12.34, 8000, 9000, 1200*time.Millisecond, 300),
		lab.StageFix1:   mk(lab.StageFix1, 100, 0, 30000, 80*time.Millisecond, 1000),
	}
}

func TestFillTablesFromRuns(t *testing.T) {
	for name, s := range map[string]*content.Scenario{"ours": content.Builtin(), "original": seedScenario(t)} {
		t.Run(name, func(t *testing.T) {
			var metric, compare *content.Table
			for _, tb := range s.Tables() {
				if !tb.Fillable {
					continue
				}
				if len(tb.Header) == 2 {
					metric = tb
				} else {
					compare = tb
				}
			}
			if metric == nil || compare == nil {
				t.Fatalf("want both result tables, got metric=%v compare=%v", metric, compare)
			}
			rows, from, ok := fillTable(metric, records())
			if !ok {
				t.Fatal("metric table not filled")
			}
			want := []string{"12.3%", "8,000 of 9,000", "600 ms", "1.20 s"}
			for i, w := range want {
				if rows[i][1] != w || from[i] != lab.StageBroken {
					t.Errorf("metric row %q = %q from %q, want %q from the broken run", rows[i][0], rows[i][1], from[i], w)
				}
			}
			rows, from, ok = fillTable(compare, records())
			if !ok {
				t.Fatal("comparison table not filled")
			}
			if got := rows[0][1:]; got[0] != "12.3%" || got[1] != "1.20 s" || got[2] != "300" {
				t.Errorf("broken row = %q", got)
			}
			if got := rows[1][1:]; got[0] != "100%" || got[1] != "80 ms" || got[2] != "1,000" {
				t.Errorf("fix 1 row = %q", got)
			}
			if got := rows[2][1:]; got[0] != "" || got[1] != "" || got[2] != "" {
				t.Errorf("fix 2 row has no run and must stay empty, got %q", got)
			}
			if want := []string{lab.StageBroken, lab.StageFix1, ""}; from[0] != want[0] || from[1] != want[1] || from[2] != want[2] {
				t.Errorf("rows filled from %q, want %q", from, want)
			}
		})
	}
}

func TestKnobsFromTickedTasks(t *testing.T) {
	for name, s := range map[string]*content.Scenario{"ours": content.Builtin(), "original": seedScenario(t)} {
		t.Run(name, func(t *testing.T) {
			k, changes, total := knobsFromTasks(s, nil)
			if total != 4 || changes != 0 || k != feed.Broken() {
				t.Fatalf("nothing ticked: knobs %v, %d of %d", k, changes, total)
			}
			all := map[string]bool{}
			for _, task := range s.Tasks() {
				all[task.ID] = true
			}
			k, changes, _ = knobsFromTasks(s, all)
			if changes != 4 || k != feed.Fixed() {
				t.Fatalf("all ticked: knobs %v (want %v), %d changes", k, feed.Fixed(), changes)
			}
			// One change at a time: only the delay removed.
			one := map[string]bool{}
			for _, task := range s.Tasks() {
				if len(taskFixes(task)) == 1 && taskFixes(task)[0] == "no-delay" {
					one[task.ID] = true
				}
			}
			k, changes, _ = knobsFromTasks(s, one)
			want := feed.Broken()
			want.SlowQuery = 0
			if changes != 1 || k != want {
				t.Fatalf("delay only: %v (want %v)", k, want)
			}
		})
	}
}

func TestLoadOptionsFromCommand(t *testing.T) {
	def := load.Options{Concurrency: 100, Duration: 30 * time.Second}
	o, err := loadOptionsFromArgs(def, []string{"-c", "20", "--json", "-z=5s"})
	if err != nil || o.Concurrency != 20 || o.Duration != 5*time.Second {
		t.Fatalf("got %+v, %v", o, err)
	}
	if _, err := loadOptionsFromArgs(def, []string{"-c", "many"}); err == nil {
		t.Fatal("a malformed -c must be an error")
	}
}

// TestPlainTableUsesExportRule: the plain view shows a table's cells as export writes them
// (content.Table.Cell): results fill the cells, the row labels stay the table's own.
func TestPlainTableUsesExportRule(t *testing.T) {
	tb := &content.Table{ID: "t", Header: []string{"Metric", "Broken"}, Rows: [][]string{{"Success rate", ""}, {"p99", ""}}}
	ws := &worksheet.Worksheet{Tables: map[string][][]string{"t": {{"renamed", "43%"}}}}
	got := plainTable(tb, ws, 78)
	want := "Table: Metric | Broken\nSuccess rate; Broken: 43%\np99; Broken: (empty)"
	if got != want {
		t.Fatalf("plainTable:\n%s\nwant:\n%s", got, want)
	}
}
