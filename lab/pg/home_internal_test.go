package pg

import (
	"path/filepath"
	"testing"
)

// A lab given its own data home (a learner of the class) asks for its cluster there, not in
// the process's data home; an explicit DataDir still wins.
func TestClusterDirUnderTheGivenHome(t *testing.T) {
	t.Setenv("SCALELAB_HOME", t.TempDir())
	learner := t.TempDir()
	bins := Binaries{Major: 15}
	got, err := askedDir(Options{Home: learner}, bins)
	if err != nil || got != filepath.Join(learner, "pg", "15") {
		t.Fatalf("askedDir with Home = %q, %v", got, err)
	}
	explicit := filepath.Join(t.TempDir(), "c")
	if got, _ := askedDir(Options{Home: learner, DataDir: explicit}, bins); got != explicit {
		t.Fatalf("DataDir %q lost to Home: %q", explicit, got)
	}
	if got, _ := askedDir(Options{}, bins); got == filepath.Join(learner, "pg", "15") {
		t.Fatal("no Home still used the learner's")
	}
}
