package load

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// A runs.json that turns unreadable while a workshop has it open (a hand edit gone wrong) is
// kept aside before the next run replaces it, as it is at open: its runs can be copied back.
func TestAddKeepsAsideAHistoryThatTurnedCorrupt(t *testing.T) {
	path := filepath.Join(t.TempDir(), "runs.json")
	h, err := OpenHistory(path)
	if err != nil {
		t.Fatal(err)
	}
	rec := Record{Options: Options{URL: "http://127.0.0.1:3000/feed", Concurrency: 1, Duration: time.Second},
		State: StateBroken, Result: sampleResult()}
	if _, err := h.Add(rec); err != nil {
		t.Fatal(err)
	}
	edited := []byte(`{"version": 1, "runs": [{"id": 7, "state": "broken", "note": "my hand edit"},` + "\n")
	if err := os.WriteFile(path, edited, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := h.Add(rec); err != nil {
		t.Fatal(err)
	}
	kept, _ := filepath.Glob(path + ".broken-*")
	if len(kept) != 1 {
		t.Fatalf("backups of the corrupt history: %v", kept)
	}
	if b, _ := os.ReadFile(kept[0]); string(b) != string(edited) {
		t.Fatalf("the backup holds %q", b)
	}
	if h.KeptAside() != kept[0] {
		t.Errorf("KeptAside() = %q, want %q", h.KeptAside(), kept[0])
	}
}

// A write of runs.json killed before its rename leaves a temp file; the next run's save
// removes it.
func TestAddRemovesTempLeftByAKilledWrite(t *testing.T) {
	path := filepath.Join(t.TempDir(), "runs.json")
	left := filepath.Join(filepath.Dir(path), ".runs.json.tmp-999")
	if err := os.WriteFile(left, []byte(`{"version":1,"runs":[`), 0o600); err != nil {
		t.Fatal(err)
	}
	h, err := OpenHistory(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.Add(Record{Options: Options{URL: "http://127.0.0.1:3000/feed", Concurrency: 1, Duration: time.Second},
		State: StateBroken, Result: sampleResult()}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(left); !os.IsNotExist(err) {
		t.Fatalf("the killed write's temp file is still there: %v", err)
	}
}
