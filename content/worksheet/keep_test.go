package worksheet

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Worksheets and their directory are private; an existing file and directory are tightened
// when written.
func TestSavePrivate(t *testing.T) {
	dir := t.TempDir()
	path := PathFor(dir, "s")
	w := New("s")
	w.Answers["Q1"] = "mine"
	if err := w.Save(path); err != nil {
		t.Fatal(err)
	}
	check := func() {
		t.Helper()
		for p, want := range map[string]os.FileMode{filepath.Dir(path): 0o700, path: 0o600} {
			if fi, err := os.Stat(p); err != nil || fi.Mode().Perm() != want {
				t.Errorf("%s: mode %v (%v), want %v", p, fi.Mode().Perm(), err, want)
			}
		}
	}
	check()
	os.Chmod(path, 0o644)
	os.Chmod(filepath.Dir(path), 0o755)
	if err := w.Save(path); err != nil {
		t.Fatal(err)
	}
	check()
}

// Two corrupt loads in the same second keep two backups, each with its own bytes.
func TestCorruptBackupsNeverOverwritten(t *testing.T) {
	path := filepath.Join(t.TempDir(), "w.json")
	var backups []string
	for _, body := range []string{"{one", "{two"} {
		os.WriteFile(path, []byte(body), 0o600)
		_, err := Load(path)
		var ce *CorruptError
		if !errors.As(err, &ce) || ce.Backup == "" {
			t.Fatalf("load: %v", err)
		}
		backups = append(backups, ce.Backup)
	}
	if backups[0] == backups[1] {
		t.Fatalf("one backup name for two files: %s", backups[0])
	}
	for i, want := range []string{"{one", "{two"} {
		if b, _ := os.ReadFile(backups[i]); string(b) != want {
			t.Errorf("backup %s holds %q, want %q", backups[i], b, want)
		}
		if fi, _ := os.Stat(backups[i]); fi.Mode().Perm() != 0o600 {
			t.Errorf("backup mode %v", fi.Mode().Perm())
		}
	}
}

// Fields a newer scalelab wrote survive a load and a save.
func TestUnknownFieldsSurvive(t *testing.T) {
	path := filepath.Join(t.TempDir(), "w.json")
	os.WriteFile(path, []byte(`{"version":1,"scenario":"s","answers":{"Q1":"a"},"classroom":"b12","drafts":{"Q2":["x","y"]}}`), 0o600)
	w, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	w.Answers["Q3"] = "c"
	if err := w.Save(path); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	var c bytes.Buffer
	json.Compact(&c, b)
	for _, want := range []string{`"classroom":"b12"`, `"drafts":{"Q2":["x","y"]}`, `"Q3":"c"`, `"Q1":"a"`} {
		if !strings.Contains(c.String(), want) {
			t.Errorf("saved worksheet lacks %s: %s", want, c.String())
		}
	}
}

// A worksheet in a newer format is refused with what to do and left as it is.
func TestNewerVersionRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "w.json")
	body := `{"version":99,"answers":{"Q1":"from the future"}}`
	os.WriteFile(path, []byte(body), 0o600)
	_, err := Load(path)
	var ne *NewerError
	if !errors.As(err, &ne) || ne.Version != 99 || ne.Path != path || !strings.Contains(err.Error(), "upgrade scalelab") {
		t.Fatalf("err = %v", err)
	}
	if errors.Is(err, ErrCorrupt) {
		t.Errorf("a newer file is not corrupt")
	}
	if b, _ := os.ReadFile(path); string(b) != body {
		t.Errorf("the newer file was changed")
	}
	if left, _ := filepath.Glob(path + ".bad-*"); len(left) != 0 {
		t.Errorf("moved aside: %v", left)
	}
	if _, err := SaveMerged(path, New("s"), New("s")); !errors.As(err, &ne) {
		t.Errorf("SaveMerged over a newer file: %v", err)
	}
	if b, _ := os.ReadFile(path); string(b) != body {
		t.Errorf("SaveMerged rewrote the newer file")
	}
}

// Answers and table cells from a crafted file lose their escape sequences when loaded.
func TestLoadCleansText(t *testing.T) {
	path := filepath.Join(t.TempDir(), "w.json")
	os.WriteFile(path, []byte(`{"version":1,"answers":{"Q1":"ok\u001b]52;c;cGF3bmVk\u0007 then\u001b[2J"},"tables":{"t":[["","5%\u001b]0;title\u0007"]]}}`), 0o600)
	for _, read := range []func(string) (*Worksheet, error){Load, Read} {
		w, err := read(path)
		if err != nil {
			t.Fatal(err)
		}
		if a, c := w.Answers["Q1"], w.Tables["t"][0][1]; strings.ContainsAny(a+c, "\x1b\x07") || !strings.HasPrefix(a, "ok") || !strings.HasPrefix(c, "5%") {
			t.Errorf("answer %q, cell %q: escape sequences left", a, c)
		}
	}
}
