package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"scalelab/content"
	"scalelab/content/worksheet"
)

func runExportCmd(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, log, errb bytes.Buffer
	oldOut, oldLog := exportOut, exportLog
	exportOut, exportLog = &out, &log
	defer func() { exportOut, exportLog = oldOut, oldLog }()
	code := run(append([]string{"export"}, args...), &errb)
	return code, out.String(), log.String() + errb.String()
}

func TestExportWorksheet(t *testing.T) {
	home := t.TempDir()
	t.Setenv("SCALELAB_HOME", home)
	s := content.Builtin()

	// No worksheet yet: the scenario comes out unanswered, and the note says so.
	code, out, log := runExportCmd(t)
	if code != 0 || !strings.HasPrefix(out, "# Scenario 1") || !strings.Contains(log, "no worksheet yet") {
		t.Fatalf("exit %d, log %q", code, log)
	}
	if strings.Contains(out, "```model") {
		t.Errorf("model answers in the export")
	}

	ws := worksheet.New(s.ID)
	ws.Answers["Q3"] = "Most of them fail within 150 ms."
	ws.Answers["Q7"] = "1. disk\n\n2. power\n\n3. deploy"
	ws.Tasks["shared-pool"] = true
	ws.Tables["step4-run"] = [][]string{{"", "2.5%", "1.9 s", "38"}, {"", "100%", "560 ms", "180"}}
	if err := ws.Save(worksheet.PathFor(home, s.ID)); err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(t.TempDir(), "hand-in.md")
	code, _, log = runExportCmd(t, "-o", dst)
	if code != 0 || !strings.Contains(log, "wrote "+dst) || !strings.Contains(log, "2 of 15 answers") {
		t.Fatalf("exit %d, log %q", code, log)
	}
	b, err := os.ReadFile(dst)
	if err != nil {
		t.Fatal(err)
	}
	back, err := content.Parse(dst, b)
	if err != nil {
		t.Fatalf("the export does not parse: %v", err)
	}
	if q := back.Question("Q3"); q.Answer != ws.Answers["Q3"] {
		t.Errorf("Q3 = %q", q.Answer)
	}
	if tb := back.Table("step4-run"); tb.Rows[0][1] != "2.5%" || tb.Rows[1][2] != "560 ms" || tb.Rows[2][1] != "" {
		t.Errorf("step 4 table rows %q", tb.Rows)
	}
	if !back.Tasks()[0].Done || back.Tasks()[1].Done {
		t.Errorf("tasks %+v %+v", back.Tasks()[0], back.Tasks()[1])
	}

	// A corrupt worksheet is reported with its path and left in place.
	path := worksheet.PathFor(home, s.ID)
	os.WriteFile(path, []byte("{half"), 0o644)
	code, _, log = runExportCmd(t)
	if code != 1 || !strings.Contains(log, path) {
		t.Errorf("corrupt worksheet: exit %d, %q", code, log)
	}
	if b, _ := os.ReadFile(path); string(b) != "{half" {
		t.Errorf("export changed the corrupt worksheet")
	}
}

func TestExportOtherScenario(t *testing.T) {
	t.Setenv("SCALELAB_HOME", t.TempDir())
	dir := t.TempDir()
	sc := filepath.Join(dir, "mine.md")
	os.WriteFile(sc, []byte("# Mine\n\n## Step 1 — A\n\n**Q1: Why?**\n\n```\nYour answer:\n```\n"), 0o644)
	code, out, _ := runExportCmd(t, "--scenario", sc)
	if code != 0 || !strings.HasPrefix(out, "# Mine") {
		t.Errorf("exit %d: %s", code, out)
	}
	os.WriteFile(sc, []byte("no title\n"), 0o644)
	if code, _, log := runExportCmd(t, "--scenario", sc); code != 1 || !strings.Contains(log, "mine.md:1") {
		t.Errorf("bad scenario: exit %d, %q", code, log)
	}
}

// TestExportNoSections: export reads --scenario as the workshop opens it, so a file with no
// `## ` sections is refused with what to do, not exported as an empty worksheet.
func TestExportNoSections(t *testing.T) {
	t.Setenv("SCALELAB_HOME", t.TempDir())
	sc := filepath.Join(t.TempDir(), "flat.md")
	if err := os.WriteFile(sc, []byte("# Flat\n\nNo sections here.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, log := runExportCmd(t, "--scenario", sc)
	if code != 1 || out != "" || !strings.Contains(log, "no `## ` sections") {
		t.Errorf("exit %d, out %q, log %q", code, out, log)
	}
}

// TestExportToMissingDir: -o into a directory that does not exist fails, says where and what
// to do, and leaves nothing behind.
func TestExportToMissingDir(t *testing.T) {
	t.Setenv("SCALELAB_HOME", t.TempDir())
	dst := filepath.Join(t.TempDir(), "no-such-dir", "out.md")
	code, _, log := runExportCmd(t, "-o", dst)
	if code != 1 || !strings.Contains(log, dst) || !strings.Contains(log, "choose another path with -o") {
		t.Errorf("exit %d, %q", code, log)
	}
}

// A scenario file named like the built-in one has its own worksheet: export of it shows none
// of the built-in worksheet's answers, and export finds the file's own worksheet where the
// workshop keeps it.
func TestExportScenarioIdentity(t *testing.T) {
	home := t.TempDir()
	t.Setenv("SCALELAB_HOME", home)
	b := content.Builtin()
	builtin := worksheet.New(b.ID)
	builtin.Answers["Q1"] = "answer of the built-in scenario"
	if err := builtin.Save(worksheet.PathFor(home, b.ID)); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "other", "01-single-server.md")
	os.MkdirAll(filepath.Dir(file), 0o700)
	os.WriteFile(file, b.Source, 0o600)
	code, out, log := runExportCmd(t, "--scenario", file)
	if code != 0 || strings.Contains(out, "answer of the built-in scenario") {
		t.Fatalf("export of %s: exit %d, took the built-in worksheet's answer (%s)", file, code, log)
	}
	sc, err := content.Parse(file, b.Source)
	if err != nil {
		t.Fatal(err)
	}
	id, _ := worksheet.IdentityOf(sc, file)
	mine := worksheet.New(sc.ID)
	mine.Stamp(id)
	mine.Answers["Q1"] = "answer of the other file"
	if err := mine.Save(id.Path(home)); err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(t.TempDir(), "out.md")
	code, _, log = runExportCmd(t, "--scenario", file, "-o", dst)
	got, _ := os.ReadFile(dst)
	if code != 0 || !strings.Contains(string(got), "answer of the other file") || strings.Contains(string(got), "answer of the built-in") {
		t.Fatalf("exit %d (%s):\n%s", code, log, got)
	}
	if fi, err := os.Stat(dst); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("export mode %v, %v: want 0600", fi.Mode().Perm(), err)
	}
	if code, out, _ := runExportCmd(t); code != 0 || !strings.Contains(out, "answer of the built-in scenario") {
		t.Errorf("built-in export lost its answer: exit %d", code)
	}
}

// A worksheet of a newer format is refused with what to do.
func TestExportNewerWorksheet(t *testing.T) {
	home := t.TempDir()
	t.Setenv("SCALELAB_HOME", home)
	path := worksheet.PathFor(home, content.Builtin().ID)
	os.MkdirAll(filepath.Dir(path), 0o700)
	os.WriteFile(path, []byte(`{"version":7}`), 0o600)
	code, _, log := runExportCmd(t)
	if code != 1 || !strings.Contains(log, "newer scalelab") || !strings.Contains(log, "upgrade scalelab") {
		t.Errorf("exit %d, %q", code, log)
	}
}
