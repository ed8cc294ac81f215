package tui

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"scalelab/content"
	"scalelab/content/worksheet"
)

// A Stuck? hint in plain mode: the scenario's own row when it has one naming the condition, the
// built-in scenario's row otherwise (one source of the sentences), and never a key plain mode
// does not have ("Enter on `scalelab serve`").
func TestPlainStuckHints(t *testing.T) {
	for _, tc := range []struct {
		name string
		sc   *content.Scenario
	}{
		{"built-in", content.Builtin()},
		{"a scenario without Stuck? rows", testScenario(t)},
	} {
		var out bytes.Buffer
		p := &plainSession{sc: tc.sc, out: &errWriter{w: &out}, width: 100, held: map[string]bool{}}
		p.showHints(map[string]bool{"restart-pending": true, "index-exists": true})
		text := out.String()
		mustContain(t, text, "Stuck? No change after Fix 1: Restart the API", "Stuck? scalelab apply-fix fails: The index may exist already")
		if strings.Contains(strings.ToLower(text), "enter on") || strings.Contains(text, "`") {
			t.Errorf("%s: a hint names a key or markup plain mode does not have:\n%s", tc.name, text)
		}
		p.showHints(map[string]bool{"restart-pending": true, "index-exists": true})
		if out.String() != text {
			t.Errorf("%s: a hint still holding was said again:\n%s", tc.name, out.String())
		}
	}
}

// The worksheet is a file: an answer or a table value holding an escape sequence (an OSC 52
// clipboard write, a screen clear) reaches plain mode's output without it.
func TestPlainCleansTheWorksheet(t *testing.T) {
	dir := testHome(t)
	sc := testScenario(t)
	ws := worksheet.New(sc.ID)
	ws.Answers["Q1"] = "mine\x1b]52;c;b3duZWQ=\a\x1b[2J"
	for _, tb := range sc.Tables() {
		if tb.Fillable {
			ws.Tables[tb.ID] = [][]string{{"x\x1b[2Jy", "z\x9b2J"}}
		}
	}
	var out bytes.Buffer
	opt := PlainOptions{Scenario: sc, Worksheet: ws, WorksheetPath: worksheet.PathFor(dir, "workshop"), In: strings.NewReader(strings.Repeat("\n", 20)), Out: &out}
	if err := RunPlain(context.Background(), opt); err != nil {
		t.Fatal(err)
	}
	if s := out.String(); strings.ContainsAny(s, "\x1b\a\u009b") {
		t.Fatalf("an escape sequence from the worksheet reached the output: %q", s)
	}
	mustContain(t, out.String(), "Current answer:\nmine")
}

// A worksheet that cannot be written while the lab fills a table: plain mode says so instead
// of carrying on as if the run were kept.
func TestPlainSaysWhenALabFillIsNotSaved(t *testing.T) {
	sc := testScenario(t)
	bad := filepath.Join(t.TempDir(), "a-file")
	if err := os.WriteFile(bad, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	sh := newSheet(nil, filepath.Join(bad, "ws.json"), sc.ID) // under a file: cannot be created
	var out bytes.Buffer
	p := &plainSession{sc: sc, sh: sh, ws: sh.ws, out: &errWriter{w: &out}, width: 100, held: map[string]bool{}}
	p.handle(LabAppliedMsg{Applied: []string{"shared-pool"}})
	mustContain(t, out.String(), "Not saved: saving the worksheet to")
}
