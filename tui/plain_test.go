package tui

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"scalelab/content/worksheet"
)

func TestPlainAnswersAndKeeps(t *testing.T) {
	dir := testHome(t)
	path := worksheet.PathFor(dir, "workshop")
	sc := testScenario(t)

	// Q1 two lines, Q2 skipped (empty), Q3 one line; in Step 3's choices the first box ticked
	// (1), a wrong choice, then on; Q4 three slots; then EOF.
	in := "first line\nsecond line\n\n\nbecause of the pool\n\n1\n9\n\nthe disk\nthe network\nthe database\n\n"
	var out bytes.Buffer
	err := RunPlain(context.Background(), PlainOptions{Scenario: sc, WorksheetPath: path, In: strings.NewReader(in), Out: &out})
	if err != nil {
		t.Fatal(err)
	}
	text := out.String()
	if strings.Contains(text, "\x1b") {
		t.Fatalf("plain output contains escape codes:\n%q", text)
	}
	mustContain(t, text,
		"Test Scenario: A Tiny Feed", "Step 1 — Read the Code", "Question 1 of 4 (Q1)",
		"Question 4 of 4 (Q4)", "Write 3 items", "Lab action: scalelab loadtest",
		"Table: Metric | Value", "[ ] Share one pool", "Saved.", "3 of 4 questions answered",
		"1) tick [ ] Share one pool between requests", "Ticked: Share one pool between requests",
		"1) untick [x] Share one pool", `"9" is not one of the choices`)
	if strings.Contains(text, "run the load test") {
		t.Errorf("a lab action was offered with the lab off:\n%s", text)
	}
	ws := loadSheet(t, path)
	if ws.Answers["Q1"] != "first line\nsecond line" || ws.Answers["Q3"] != "because of the pool" {
		t.Fatalf("answers: %#v", ws.Answers)
	}
	tasks := testScenario(t).Tasks()
	if !ws.Tasks[tasks[0].ID] || ws.Tasks[tasks[1].ID] {
		t.Fatalf("ticked tasks: %#v", ws.Tasks)
	}
	if _, ok := ws.Answers["Q2"]; ok {
		t.Fatalf("an empty answer was saved for Q2")
	}
	if !strings.HasPrefix(ws.Answers["Q4"], "1. the disk") || !strings.Contains(ws.Answers["Q4"], "3. the database") {
		t.Fatalf("slots answer: %q", ws.Answers["Q4"])
	}

	// Again with empty lines only: every answer is kept and shown.
	out.Reset()
	ws = loadSheet(t, path)
	if ws.Step != len(sc.Steps)-1 {
		t.Fatalf("saved step %d, want the last section %d", ws.Step, len(sc.Steps)-1)
	}
	ws.Step = 0 // from the start again: the keep path of every question
	err = RunPlain(context.Background(), PlainOptions{Scenario: sc, Worksheet: ws, WorksheetPath: path, In: strings.NewReader("\n\n\n\n\n"), Out: &out})
	if err != nil {
		t.Fatal(err)
	}
	mustContain(t, out.String(), "Current answer:\nfirst line\nsecond line", "press Enter to keep")
	if got := loadSheet(t, path).Answers["Q1"]; got != "first line\nsecond line" {
		t.Fatalf("Q1 after keeping: %q", got)
	}
}

func TestPlainResumesAtSavedStep(t *testing.T) {
	dir := testHome(t)
	path := worksheet.PathFor(dir, "workshop")
	sc := testScenario(t)
	ws := worksheet.New(sc.ID)
	ws.Step = 3
	var out bytes.Buffer
	if err := RunPlain(context.Background(), PlainOptions{Scenario: sc, Worksheet: ws, WorksheetPath: path, In: strings.NewReader(""), Out: &out, Width: 40}); err != nil {
		t.Fatal(err)
	}
	text := out.String()
	mustContain(t, text, "Resuming at Step 3 — Fix It")
	if strings.Contains(text, "Step 1 — Read the Code") {
		t.Fatalf("the sections before the saved one were printed again:\n%s", text)
	}
	for _, l := range strings.Split(text, "\n") {
		if len([]rune(l)) > 40 && !strings.Contains(l, "/") {
			t.Errorf("line wider than 40 columns: %q", l)
		}
	}
}
