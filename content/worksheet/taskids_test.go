package worksheet

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"scalelab/content"
)

// oldSheet is a worksheet as format 1 saved it: ticks under the tasks' positions.
const oldSheet = `{"version": 1, "scenario": "01-single-server", "step": 5,
 "answers": {"Q1": "a pool per request"},
 "tasks": {"step3-task1": true, "step3-task4": true, "step9-task1": true},
 "tables": {}, "lab": ["shared-pool"], "classroom": "b12"}
`

func writeOld(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "worksheets", "01-single-server.json")
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(oldSheet), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func builtinIdentity(t *testing.T) Identity {
	t.Helper()
	id, err := IdentityOf(content.Builtin(), "")
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// TestOldTicksKept: a format 1 worksheet keeps its ticks under the tasks' IDs now once stamped
// with its scenario, and the file saved after says format 2 and the lab's name; a key that
// names no task of the scenario stays as it was.
func TestOldTicksKept(t *testing.T) {
	path := writeOld(t)
	w, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	w.Stamp(builtinIdentity(t))
	want := map[string]bool{"shared-pool": true, "no-delay": true, "step9-task1": true}
	if !equalTicks(w.Tasks, want) || w.LabName != "single-server" || w.Version != Version {
		t.Fatalf("stamped: tasks %v, lab %q, version %d", w.Tasks, w.LabName, w.Version)
	}
	if err := w.Save(path); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	for _, s := range []string{`"version": 2`, `"lab_name": "single-server"`, `"classroom": "b12"`, `"lab": [`} {
		if !strings.Contains(string(b), s) {
			t.Errorf("saved file lacks %s:\n%s", s, b)
		}
	}
	back, _ := Load(path)
	back.Stamp(builtinIdentity(t))
	if !equalTicks(back.Tasks, want) {
		t.Errorf("reloaded: %v", back.Tasks)
	}
}

// TestOldTicksKeptBySaveMerged: the workshop's first save merges with the file still in format
// 1 on disk (base and ours are copies, as the workshop's snapshots are): the ticks stay,
// the new one is added, no position ID is left.
func TestOldTicksKeptBySaveMerged(t *testing.T) {
	path := writeOld(t)
	w, _ := Load(path)
	w.Stamp(builtinIdentity(t))
	base, ours := jsonCopy(t, w), jsonCopy(t, w)
	ours.Tasks["pool-size"] = true
	if _, err := SaveMerged(path, base, ours); err != nil {
		t.Fatal(err)
	}
	got, _ := Load(path)
	want := map[string]bool{"shared-pool": true, "pool-size": true, "no-delay": true, "step9-task1": true}
	if !equalTicks(got.Tasks, want) || got.Answers["Q1"] != "a pool per request" {
		t.Errorf("after the first save: tasks %v answers %v", got.Tasks, got.Answers)
	}
}

// TestExportOfOldSheet: export reads a format 1 worksheet without stamping it; its ticks show.
func TestExportOfOldSheet(t *testing.T) {
	w, err := Read(writeOld(t))
	if err != nil {
		t.Fatal(err)
	}
	out := string(Export(content.Builtin(), w))
	for _, s := range []string{"- [x] Build one shared pool", "- [ ] Give the pool 10", "- [x] Remove the 500 ms sleep"} {
		if !strings.Contains(out, s) {
			t.Errorf("export lacks %q", s)
		}
	}
}

// TestInsertedTaskKeepsTicks: a task added to the scenario after a tick was saved moves no tick.
func TestInsertedTaskKeepsTicks(t *testing.T) {
	const src = "# T\n\n## Step 1 — Do\n\n- [ ] Open the pool\n- [ ] Close it <!-- close -->\n- [ ] Measure\n"
	s1, err := content.Parse("t.md", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "t.json")
	w := New(s1.ID)
	w.Tasks[s1.Tasks()[0].ID] = true
	w.Tasks[s1.Tasks()[2].ID] = true
	if err := w.Save(path); err != nil {
		t.Fatal(err)
	}
	s2, err := content.Parse("t.md", []byte(strings.Replace(src, "- [ ] Open", "- [ ] Read first\n- [ ] Open", 1)))
	if err != nil {
		t.Fatal(err)
	}
	back, _ := Load(path)
	id, _ := IdentityOf(s2, "")
	back.Stamp(id)
	out := string(Export(s2, back))
	for _, s := range []string{"- [ ] Read first", "- [x] Open the pool", "- [ ] Close it", "- [x] Measure"} {
		if !strings.Contains(out, s) {
			t.Errorf("export lacks %q:\n%s", s, out)
		}
	}
}

func jsonCopy(t *testing.T, w *Worksheet) *Worksheet {
	t.Helper()
	b, err := json.Marshal(w)
	if err != nil {
		t.Fatal(err)
	}
	var cp Worksheet
	if err := json.Unmarshal(b, &cp); err != nil {
		t.Fatal(err)
	}
	return &cp
}

func equalTicks(got, want map[string]bool) bool {
	if len(got) != len(want) {
		return false
	}
	for k, v := range want {
		if got[k] != v {
			return false
		}
	}
	return true
}
