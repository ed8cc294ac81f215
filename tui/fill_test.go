package tui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"scalelab/content"
	"scalelab/content/worksheet"
	"scalelab/lab/load"
	"scalelab/lab/singleserver"
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
		singleserver.StageBroken: mk(singleserver.StageBroken, 12.34, 8000, 9000, 1200*time.Millisecond, 300),
		singleserver.StageFix1:   mk(singleserver.StageFix1, 100, 0, 30000, 80*time.Millisecond, 1000),
	}
}

func TestFillTablesFromRuns(t *testing.T) {
	stages := singleServer(t).Stages()
	for name, s := range map[string]*content.Scenario{"ours": content.Builtin(), "original": seedScenario(t)} {
		t.Run(name, func(t *testing.T) {
			var metric, compare *content.Table
			for _, tb := range s.Tables() {
				if !tb.Fillable {
					continue
				}
				switch {
				case len(tb.Header) == 2 && metric == nil:
					metric = tb
				case len(tb.Header) > 2 && compare == nil:
					compare = tb // the first: the three runs of Step 4
				}
			}
			if metric == nil || compare == nil {
				t.Fatalf("want both result tables, got metric=%v compare=%v", metric, compare)
			}
			rows, from, ok := fillTable(metric, records(), stages)
			if !ok {
				t.Fatal("metric table not filled")
			}
			want := []string{"12.3%", "8,000 of 9,000", "600 ms", "1.20 s"}
			for i, w := range want {
				if rows[i][1] != w || from[i] != singleserver.StageBroken {
					t.Errorf("metric row %q = %q from %q, want %q from the broken run", rows[i][0], rows[i][1], from[i], w)
				}
			}
			rows, from, ok = fillTable(compare, records(), stages)
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
			if want := []string{singleserver.StageBroken, singleserver.StageFix1, ""}; from[0] != want[0] || from[1] != want[1] || from[2] != want[2] {
				t.Errorf("rows filled from %q, want %q", from, want)
			}
		})
	}
}

func TestLoadOptionsFromCommand(t *testing.T) {
	def := load.Options{Concurrency: 100, Duration: 30 * time.Second}
	o, err := loadOptionsFromArgs(def, 0, 0, []string{"-c", "20", "--json", "-z=5s"})
	if err != nil || o.Concurrency != 20 || o.Duration != 5*time.Second {
		t.Fatalf("got %+v, %v", o, err)
	}
	if _, err := loadOptionsFromArgs(def, 0, 0, []string{"-c", "many"}); err == nil {
		t.Fatal("a malformed -c must be an error")
	}
	// --users and --duration given on the command line override the block's -c and -z (and a
	// block's -n: the run is bounded by the given time)
	o, err = loadOptionsFromArgs(def, 7, 3*time.Second, []string{"-c", "20", "-z", "20s", "-n", "500"})
	if err != nil || o.Concurrency != 7 || o.Duration != 3*time.Second || o.Requests != 0 {
		t.Fatalf("with --users 7 --duration 3s: got %+v, %v", o, err)
	}
}

// TestPlainTableUsesExportRule: the plain view shows a table's cells as export writes them
// (content.Table.Cell): results fill the cells, the row labels stay the table's own.
func TestPlainTableUsesExportRule(t *testing.T) {
	tb := &content.Table{ID: "t", Header: []string{"Metric", "Broken"}, Rows: [][]string{{"Success rate", ""}, {"p99", ""}}}
	ws := &worksheet.Worksheet{Tables: map[string][][]string{"t": {{"renamed", "43%"}}}}
	got := plainTable(tb, ws, 78, true)
	want := "Table: Metric | Broken\nSuccess rate; Broken: 43%\np99; Broken: (empty)"
	if got != want {
		t.Fatalf("plainTable:\n%s\nwant:\n%s", got, want)
	}
}

// FillFromHistory fills a worksheet's tables from the runs of each stage, as export needs: the
// learner's values stay, except in the rows of a stage run again after the worksheet was saved.
func TestFillFromHistory(t *testing.T) {
	sc := content.Builtin()
	run := func(rps float64, at time.Time) load.Record {
		return load.Record{At: at, Result: &load.Result{Total: 100, SuccessRate: 100, RPS: rps, P99: time.Millisecond, Avg: time.Millisecond, Errors: map[string]int{}}}
	}
	saved := time.Now()
	latest := map[string]load.Record{
		singleserver.StageBroken: run(11, saved.Add(-time.Hour)),
		singleserver.StageFix1:   run(222, saved.Add(-time.Hour)),
		singleserver.StageFix2:   run(3333, saved.Add(time.Minute)),
	}
	ws := worksheet.New(sc.ID)
	if n := FillFromHistory(sc, ws, latest, singleServer(t).Stages()); n < 2 {
		t.Fatalf("%d tables filled, want the Step 2 and Step 4 ones", n)
	}
	var compare [][]string
	for _, tb := range sc.Tables() {
		if rows := ws.Tables[tb.ID]; len(rows) == 3 {
			compare = rows
			if !strings.Contains(strings.Join(rows[0], " "), "11") || !strings.Contains(strings.Join(rows[2], " "), "3,333") {
				t.Fatalf("comparison table: %q", rows)
			}
			// the learner corrects the Fix 1 and Fix 2 rows
			rows[1][len(rows[1])-1], rows[2][len(rows[2])-1] = "mine", "mine"
		}
	}
	if compare == nil {
		t.Fatal("no comparison table filled")
	}
	ws.Updated = saved
	FillFromHistory(sc, ws, latest, singleServer(t).Stages())
	if got := compare[1][len(compare[1])-1]; got != "mine" {
		t.Errorf("the learner's Fix 1 value was replaced by an older run: %q", got)
	}
	for _, tb := range sc.Tables() {
		if rows := ws.Tables[tb.ID]; len(rows) == 3 && rows[2][len(rows[2])-1] == "mine" {
			t.Errorf("the Fix 2 row was not replaced by the run made after the save: %q", rows[2])
		}
	}
}
