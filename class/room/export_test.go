package room

import (
	"bytes"
	"encoding/csv"
	"slices"
	"strings"
	"testing"
)

// classRoom is a room of three learners, one with a hostile name.
func classRoom() *Room {
	r := New("tuesday|am", 1)
	r.Update("ada-1", func(l *Learner) {
		l.Name, l.Scenario, l.Step, l.Steps, l.StepTitle, l.Answered, l.Questions = "ada", "01-single-server", 2, 7, "Fix 1 | the pool", 3, 9
	})
	r.Update("evil-2", func(l *Learner) { l.Name = "=HYPERLINK(\"x\")\x1b]0;pwned\x07|" })
	r.AddRun("ada-1", run(1, "broken", 0, 40.55, 912, 51.26))
	r.AddRun("ada-1", run(2, "fix1", 5, 100, 22, 1234.4))
	b := run(1, "broken", 1, 60, 700, 70)
	b.Beside = 1
	r.AddRun("evil-2", b)
	return r
}

func TestWriteCSV(t *testing.T) {
	s := classRoom().Snapshot()
	var buf bytes.Buffer
	if err := WriteCSV(&buf, s); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatalf("not CSV: %v\n%s", err, buf.String())
	}
	if !slices.Equal(rows[0], csvHeader) || len(rows) != 4 {
		t.Fatalf("rows %q", rows)
	}
	want := []string{"ada", "01-single-server", "broken", "Broken", "2026-12-03T10:00:00Z", "100", "30", "1537", "40.55", "912.000", "51.3", "0"}
	// learners by name: "=..." sorts before "ada"
	if !slices.Equal(rows[2], want) {
		t.Errorf("row %q\nwant %q", rows[2], want)
	}
	if rows[3][3] != "After Fix 1" || rows[3][10] != "1234.4" {
		t.Errorf("row %q", rows[3])
	}
	evil := rows[1]
	if !strings.HasPrefix(evil[0], "'=") || strings.ContainsAny(evil[0], "\x1b\x07") || evil[11] != "1" {
		t.Errorf("hostile row %q: the name must not be a formula nor carry control characters", evil)
	}
	for _, cell := range []string{"=1+1", "+1", "-1", "@SUM(A1)", "\tx"} {
		if got := csvText(cell); got != "'"+cell {
			t.Errorf("csvText(%q) = %q", cell, got)
		}
	}
	if got := csvText("\r=1"); strings.HasPrefix(got, "=") || strings.Contains(got, "\r") {
		t.Errorf("csvText(CR=1) = %q", got)
	}
	if got := csvText("ada"); got != "ada" {
		t.Errorf("csvText(ada) = %q", got)
	}
}

func TestWriteMarkdown(t *testing.T) {
	s := classRoom().Snapshot()
	var buf bytes.Buffer
	if err := WriteMarkdown(&buf, s); err != nil {
		t.Fatal(err)
	}
	md := buf.String()
	for _, want := range []string{
		"# Class tuesday\\|am: results of " + s.At.Format("2006-01-02") + "\n",
		"## Scenario 01-single-server\n",
		"| Stage | Learners | Success | p99 | req/s |\n",
		"| Broken | 2 | 50.2 % | 806 ms | 61 |\n", // medians: (40.55+60)/2, (912+700)/2, (51.26+70)/2
		"| After Fix 1 | 1 | 100 % | 22 ms | 1,234 |\n",
		"| Name | Step | Answers | Runs |\n",
		"| ada | 3/7 Fix 1 \\| the pool | 3/9 | 2 |\n",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
	if strings.ContainsAny(md, "\x1b\x07") {
		t.Errorf("control characters in the markdown:\n%q", md)
	}
	// every table row has the columns of its header: no | from a name broke a cell
	for _, line := range strings.Split(md, "\n") {
		if strings.HasPrefix(line, "| ") {
			cells := len(strings.Split(strings.ReplaceAll(line, `\|`, ""), "|")) - 2
			if cells != 4 && cells != 5 {
				t.Errorf("row %q has %d cells", line, cells)
			}
		}
	}
	var empty bytes.Buffer
	if err := WriteMarkdown(&empty, New("none", 1).Snapshot()); err != nil || !strings.Contains(empty.String(), "Nobody joined") {
		t.Errorf("an empty class: %v\n%s", err, empty.String())
	}
}
