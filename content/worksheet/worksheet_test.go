package worksheet

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"scalelab/content"
)

func TestLoadMissing(t *testing.T) {
	w, err := Load(filepath.Join(t.TempDir(), "nope", "x.json"))
	if err != nil {
		t.Fatal(err)
	}
	if w.Answers == nil || w.Tasks == nil || w.Tables == nil || len(w.Answers) != 0 {
		t.Errorf("empty worksheet not ready to use: %+v", w)
	}
}

func TestSaveLoad(t *testing.T) {
	dir := t.TempDir()
	path := PathFor(dir, "01-single-server")
	if want := filepath.Join(dir, "worksheets", "01-single-server.json"); path != want {
		t.Errorf("PathFor = %s, want %s", path, want)
	}
	w := New("01-single-server")
	w.Step = 4
	w.Answers["Q1"] = "a new pool\nper request"
	w.Answers["Q7"] = "1. disk\n\n2. net\n\n3. deploy"
	w.Tasks["shared-pool"] = true
	w.Tables["step4-run"] = [][]string{{"", "3%", "2.1 s", "40"}}
	if err := w.Save(path); err != nil {
		t.Fatal(err)
	}
	got, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if got.Scenario != w.Scenario || got.Step != 4 || got.Answers["Q1"] != w.Answers["Q1"] || got.Answers["Q7"] != w.Answers["Q7"] ||
		!got.Tasks["shared-pool"] || got.Tables["step4-run"][0][2] != "2.1 s" || got.Version != Version || got.Updated.IsZero() {
		t.Errorf("loaded %+v, saved %+v", got, w)
	}
	// Save again over the old file, then check nothing but the file is in the directory.
	w.Answers["Q2"] = "no index"
	if err := w.Save(path); err != nil {
		t.Fatal(err)
	}
	ents, _ := os.ReadDir(filepath.Dir(path))
	if len(ents) != 1 || ents[0].Name() != "01-single-server.json" {
		var names []string
		for _, e := range ents {
			names = append(names, e.Name())
		}
		t.Errorf("directory holds %v, want only the worksheet (no temp files)", names)
	}
	if got, _ := Load(path); got.Answers["Q2"] != "no index" {
		t.Errorf("second save lost: %+v", got.Answers)
	}
}

// A failing save leaves the old file as it was and no temp file behind.
func TestSaveFailureKeepsOld(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "w.json")
	w := New("s")
	w.Answers["Q1"] = "first"
	if err := w.Save(path); err != nil {
		t.Fatal(err)
	}
	// Make the rename fail: a directory now sits where the temp file would be renamed to.
	// (Replace the target with a non-empty directory; rename over it fails on Linux.)
	blocked := filepath.Join(dir, "blocked.json")
	if err := os.MkdirAll(filepath.Join(blocked, "x"), 0o755); err != nil {
		t.Fatal(err)
	}
	w.Answers["Q1"] = "second"
	err := w.Save(blocked)
	if err == nil {
		t.Fatalf("saving over a directory succeeded")
	}
	if !strings.Contains(err.Error(), blocked) {
		t.Errorf("error %q does not name the path", err)
	}
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("temp file left behind: %s", e.Name())
		}
	}
	if got, _ := Load(path); got.Answers["Q1"] != "first" {
		t.Errorf("old worksheet changed: %+v", got.Answers)
	}
}

func TestLoadCorrupt(t *testing.T) {
	for name, body := range map[string]string{
		"truncated": `{"version":1,"scenario":"s","answers":{"Q1":"half a`,
		"empty":     "",
		"garbage":   "\x00\x01not json",
		"trailing":  `{"version":1} {"version":1}`,
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "w.json")
			os.WriteFile(path, []byte(body), 0o644)
			w, err := Load(path)
			var ce *CorruptError
			if !errors.As(err, &ce) || !errors.Is(err, ErrCorrupt) {
				t.Fatalf("err = %v, want a *CorruptError", err)
			}
			if w == nil || w.Answers == nil {
				t.Fatalf("no usable worksheet alongside the error")
			}
			if ce.Backup == "" || !strings.Contains(err.Error(), ce.Backup) || !strings.Contains(err.Error(), path) {
				t.Errorf("error %q should name the file and where it was kept", err)
			}
			kept, rerr := os.ReadFile(ce.Backup)
			if rerr != nil || string(kept) != body {
				t.Errorf("the unreadable file was not kept intact at %s: %v", ce.Backup, rerr)
			}
			if _, serr := os.Stat(path); !os.IsNotExist(serr) {
				t.Errorf("the corrupt file is still at %s, a save would overwrite it silently", path)
			}
		})
	}
}

func TestReadLeavesCorruptFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "w.json")
	os.WriteFile(path, []byte("{oops"), 0o644)
	_, err := Read(path)
	var ce *CorruptError
	if !errors.As(err, &ce) || ce.Backup != "" || !strings.Contains(err.Error(), path) {
		t.Fatalf("Read: %v", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "{oops" {
		t.Errorf("Read changed the file")
	}
}

func TestExport(t *testing.T) {
	s := content.Builtin()
	w := New(s.ID)
	w.Answers["Q1"] = "Every request builds its own pool."
	w.Tasks["no-delay"] = true
	w.Tables["step2-metric"] = [][]string{{"", "2.9%"}, {"", "5120"}, {"", "1.3 s"}, {"", "2.1 s"}}
	out := string(Export(s, w))
	for _, want := range []string{"Every request builds its own pool.", "- [x] Remove the 500 ms sleep", "| Success rate    | 2.9%  |"} {
		if !strings.Contains(out, want) {
			t.Errorf("export lacks %q", want)
		}
	}
	back, err := content.Parse("export.md", []byte(out))
	if err != nil {
		t.Fatal(err)
	}
	if back.Question("Q1").Answer != w.Answers["Q1"] {
		t.Errorf("answer lost: %q", back.Question("Q1").Answer)
	}
	if len(Export(s, nil)) == 0 {
		t.Errorf("export of no worksheet is empty")
	}
}

// TestWriteFileAtomic: a new file is created, an old one replaced whole, mode 0600, and no
// temp file stays beside it.
func TestWriteFileAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.md")
	for _, body := range []string{"first version, the longer one\n", "second\n"} {
		if err := WriteFileAtomic(path, []byte(body)); err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(path)
		if err != nil || string(got) != body {
			t.Fatalf("read %q, %v; want %q", got, err, body)
		}
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, %v", fi.Mode(), err)
	}
	missing := filepath.Join(dir, "nope", "out.md")
	if err := WriteFileAtomic(missing, []byte("x")); err == nil || !strings.Contains(err.Error(), missing) {
		t.Errorf("missing dir: %v", err)
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 {
		t.Errorf("files left in %s: %v", dir, ents)
	}
}
