package home

import (
	"os"
	"path/filepath"
	"testing"
)

// A data home scalelab creates is private to the learner.
func TestDirCreatedPrivate(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "scalelab")
	t.Setenv("SCALELAB_HOME", dir)
	got, err := Dir()
	if err != nil || got != dir {
		t.Fatalf("Dir = %q, %v", got, err)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o700 {
		t.Errorf("data home mode %v, want 0700", fi.Mode().Perm())
	}
	p, err := Path("worksheets", "x.json")
	if err != nil || p != filepath.Join(dir, "worksheets", "x.json") {
		t.Errorf("Path = %q, %v", p, err)
	}
}

func TestDirXDG(t *testing.T) {
	base := t.TempDir()
	t.Setenv("SCALELAB_HOME", "")
	t.Setenv("XDG_DATA_HOME", base)
	got, err := Dir()
	if err != nil || got != filepath.Join(base, "scalelab") {
		t.Fatalf("Dir = %q, %v", got, err)
	}
	if fi, _ := os.Stat(got); fi == nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("mode %v", fi)
	}
}
