package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"scalelab/lab/load"
)

// An unreadable runs.json met by export is kept aside as by every other command, and export
// says where, rather than leaving the learner to find their runs gone.
func TestExportSaysWhereAnUnreadableHistoryWent(t *testing.T) {
	home := t.TempDir()
	t.Setenv("SCALELAB_HOME", home)
	if err := os.WriteFile(filepath.Join(home, load.HistoryFile), []byte(`{"version":1,"runs":[`), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, log := runExportCmd(t)
	if code != 0 {
		t.Fatalf("export failed (%d): %s", code, log)
	}
	kept, _ := filepath.Glob(filepath.Join(home, load.HistoryFile+".broken-*"))
	if len(kept) != 1 || !strings.Contains(log, kept[0]) {
		t.Fatalf("backups %v; export said:\n%s", kept, log)
	}
}
