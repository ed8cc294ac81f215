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

	// Q1 two lines, Q2 skipped (empty), Q3 one line, Q4 three slots; then EOF.
	in := "first line\nsecond line\n\n\nbecause of the pool\n\nthe disk\nthe network\nthe database\n\n"
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
		"Table: Metric | Value", "[ ] Share one pool", "Saved.", "3 of 4 questions answered")
	ws := loadSheet(t, path)
	if ws.Answers["Q1"] != "first line\nsecond line" || ws.Answers["Q3"] != "because of the pool" {
		t.Fatalf("answers: %#v", ws.Answers)
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
	err = RunPlain(context.Background(), PlainOptions{Scenario: sc, Worksheet: ws, WorksheetPath: path, In: strings.NewReader("\n\n\n\n"), Out: &out})
	if err != nil {
		t.Fatal(err)
	}
	mustContain(t, out.String(), "Current answer:\nfirst line\nsecond line", "press Enter to keep")
	if got := loadSheet(t, path).Answers["Q1"]; got != "first line\nsecond line" {
		t.Fatalf("Q1 after keeping: %q", got)
	}
}
