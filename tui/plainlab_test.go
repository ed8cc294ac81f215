package tui

import (
	"bytes"
	"context"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"scalelab/content"
	"scalelab/content/worksheet"
	"scalelab/lab"
	"scalelab/lab/load"
	"scalelab/lab/pg/pgtest"
)

// Plain mode with a real lab: it starts the lab with progress lines, resumes at Step 2, runs the
// load test chosen by number and prints its table, ticks a Fix 1 box (saved) and says the
// restart-pending hint, then EXPLAIN shows the plan.
func TestPlainRunsTheLab(t *testing.T) {
	dir := testHome(t)
	sc := content.Builtin()
	hist, err := load.OpenHistory(filepath.Join(dir, "runs.json"))
	if err != nil {
		t.Fatal(err)
	}
	ctl := NewLabController(LabOptions{
		Lab:     realLab(t, lab.Config{DBURL: pgtest.NewDatabase(t), Addr: "127.0.0.1:0", Rows: 2000, Logf: t.Logf}),
		History: hist, Scenario: sc, Users: 5, Duration: time.Second,
	})
	path := worksheet.PathFor(dir, sc.ID)
	ws := worksheet.New(sc.ID)
	ws.Step = stepNumbered(sc, 2)
	// Q4-Q6 skipped, 1 = the load test, on; Step 3: 1 = tick the first box, then the EXPLAIN
	// choice, on; then input ends
	explain := 0
	p := &plainSession{sc: sc, ws: ws, lab: &plainLab{ctl: ctl}}
	for i, c := range p.choices(stepNumbered(sc, 3)) {
		if strings.HasPrefix(c.label, "EXPLAIN ANALYZE") {
			explain = i + 1
		}
	}
	if explain == 0 {
		t.Fatal("Step 3 offers no EXPLAIN")
	}
	in := "\n\n\n1\n\n1\n" + strconv.Itoa(explain) + "\n\n"
	var out bytes.Buffer
	err = RunPlain(context.Background(), PlainOptions{Scenario: sc, Worksheet: ws, WorksheetPath: path, In: strings.NewReader(in), Out: &out, Lab: ctl})
	if err != nil {
		t.Fatal(err)
	}
	text := out.String()
	mustContain(t, text, "Starting the lab", "Lab ready:", "Resuming at Step 2", "1) run a load test against the feed API",
		"Lab state: Broken", "Success rate", "Ticked: Build one shared pool", "Stuck? ", "Seq Scan")
	if strings.Contains(text, "\x1b") {
		t.Fatalf("escape codes in plain output")
	}
	saved := loadSheet(t, path)
	if !saved.Tasks[sc.Tasks()[0].ID] {
		t.Fatalf("the tick is not saved: %#v", saved.Tasks)
	}
	filled := false
	for _, rows := range saved.Tables {
		for _, r := range rows {
			filled = filled || strings.HasSuffix(strings.Join(r, "|"), "%") || strings.Contains(strings.Join(r, "|"), "%|")
		}
	}
	if !filled {
		t.Fatalf("the run did not fill the worksheet's tables: %#v", saved.Tables)
	}
}
