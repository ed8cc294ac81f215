package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"scalelab/lab/load"
)

// A runs.json of a newer format is refused, and the workshop is told so at start (the status
// line and stderr) instead of only in the log file, and the file is left as it was.
func TestWorkshopSaysNewerRunHistoryIsNotRecorded(t *testing.T) {
	home := t.TempDir()
	t.Setenv("SCALELAB_HOME", home)
	path := filepath.Join(home, load.HistoryFile)
	newer := `{"version": 99, "runs": [], "from_the_future": true}` + "\n"
	if err := os.WriteFile(path, []byte(newer), 0o600); err != nil {
		t.Fatal(err)
	}
	hist, notice := openWorkshopHistory()
	if hist != nil {
		t.Fatal("a history of a newer format was opened for writing")
	}
	for _, want := range []string{"not recorded", "newer scalelab", "upgrade"} {
		if !strings.Contains(notice, want) {
			t.Errorf("notice %q lacks %q", notice, want)
		}
	}
	if b, _ := os.ReadFile(path); string(b) != newer {
		t.Errorf("the newer runs.json was changed:\n%s", b)
	}
}
