package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"scalelab/content"
	"scalelab/content/worksheet"
)

// saveBuiltinSheet saves a worksheet of the built-in scenario sc at step with one answer,
// stamped as the workshop stamps it.
func saveBuiltinSheet(t *testing.T, dir string, sc *content.Scenario, step int) {
	t.Helper()
	ident, err := worksheet.IdentityOf(sc, "")
	if err != nil {
		t.Fatal(err)
	}
	ws := worksheet.New(sc.ID)
	ws.Stamp(ident)
	ws.Step = step
	ws.Answers[sc.Questions()[0].ID] = "an answer"
	if err := os.MkdirAll(filepath.Dir(ident.Path(dir)), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := ws.Save(ident.Path(dir)); err != nil {
		t.Fatal(err)
	}
}

// With no scenario named, the workshop opens the built-in scenario last worked in: Scenario 1
// the first time, Scenario 2 once its worksheet is the newest, Scenario 1 again after.
func TestOpenScenarioFollowsTheLastWorkedIn(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("SCALELAB_HOME", dir)
	all := content.Builtins()
	if len(all) < 2 {
		t.Fatalf("the series has %d scenarios", len(all))
	}
	open := func() string {
		t.Helper()
		sc, file, err := openScenario("")
		if err != nil || file != "" {
			t.Fatalf("openScenario: %v, file %q", err, file)
		}
		return sc.ID
	}
	if got := open(); got != all[0].ID {
		t.Errorf("no worksheet: opened %s, want %s", got, all[0].ID)
	}
	saveBuiltinSheet(t, dir, all[0], 1)
	time.Sleep(10 * time.Millisecond) // two saves apart in their Updated stamps
	saveBuiltinSheet(t, dir, all[1], 3)
	if got := open(); got != all[1].ID {
		t.Errorf("Scenario 2 saved last: opened %s", got)
	}
	time.Sleep(10 * time.Millisecond)
	saveBuiltinSheet(t, dir, all[0], 2)
	if got := open(); got != all[0].ID {
		t.Errorf("Scenario 1 saved last: opened %s", got)
	}

	entries := seriesEntries(dir, all[0])
	if len(entries) != len(all) {
		t.Fatalf("%d entries for %d scenarios", len(entries), len(all))
	}
	e1, e2 := entries[0], entries[1]
	if !e1.Current || e2.Current || e1.Step != 2 || e2.Step != 3 || e1.Answered != 1 || e2.Answered != 1 {
		t.Errorf("entries: %+v", entries)
	}
	if e2.ID != all[1].ID || e2.Title != all[1].Title || e2.File != content.BuiltinFiles[1] || e2.Steps != len(all[1].Steps) || e2.Questions != len(all[1].Questions()) {
		t.Errorf("Scenario 2's entry: %+v", e2)
	}
	for _, e := range seriesEntries(dir, nil) {
		if e.Current {
			t.Errorf("a scenario file is open, yet %s is current", e.ID)
		}
	}
}

// A built-in is named by its ID or file name; a file of the same name is a file; a path that
// is neither is an error that says to check it.
func TestOpenScenarioByName(t *testing.T) {
	t.Setenv("SCALELAB_HOME", t.TempDir())
	second := content.Builtins()[1]
	for _, name := range []string{second.ID, content.BuiltinFiles[1]} {
		sc, file, err := openScenario(name)
		if err != nil || sc.ID != second.ID || file != "" {
			t.Errorf("openScenario(%q): %v, %v, file %q", name, sc, err, file)
		}
	}
	path := filepath.Join("content", content.BuiltinFiles[1])
	sc, file, err := openScenario(path)
	if err != nil || sc.ID != second.ID || file != path || sc.Lab != second.Lab {
		t.Errorf("openScenario(%q): %v, file %q", path, err, file)
	}
	if _, _, err := openScenario("no/such.md"); err == nil || !strings.Contains(err.Error(), "check the path") {
		t.Errorf("a missing file: %v", err)
	}
}
