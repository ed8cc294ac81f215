package worksheet

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func TestMergeThreeWay(t *testing.T) {
	base := New("s")
	base.Answers["Q1"] = "old one"
	base.Answers["Q4"] = "drop me"
	base.Tables["t"] = [][]string{{"", "", ""}}
	ours := New("s")
	ours.Answers["Q1"] = "old one"
	ours.Answers["Q2"] = "ours two"
	ours.Answers["Q3"] = "ours three"
	ours.Answers["Q4"] = "drop me"
	ours.Tasks["a"] = true
	ours.Tables["t"] = [][]string{{"", "1%", ""}}
	disk := New("s")
	disk.Answers["Q1"] = "theirs one"
	disk.Answers["Q3"] = "theirs three"
	disk.Answers["Q4"] = "drop me"
	disk.Answers["Q5"] = "theirs five"
	disk.Tasks["b"] = true
	disk.Tables["t"] = [][]string{{"", "", "2 s"}}
	m := Merge(base, ours, disk)
	want := map[string]string{
		"Q1": "theirs one",                                 // only they changed it
		"Q2": "ours two",                                   // only we wrote it
		"Q3": "ours three" + ConflictMark + "theirs three", // both: both kept
		"Q5": "theirs five",
	}
	for k, v := range want {
		if m.Answers[k] != v {
			t.Errorf("%s = %q, want %q", k, m.Answers[k], v)
		}
	}
	if _, ok := m.Answers["Q4"]; !ok {
		t.Errorf("Q4 unchanged by both vanished")
	}
	if !m.Tasks["a"] || !m.Tasks["b"] {
		t.Errorf("tasks %v", m.Tasks)
	}
	if got := m.Tables["t"][0]; got[1] != "1%" || got[2] != "2 s" {
		t.Errorf("table %q", got)
	}
}

// Two writers on one file, each saving its own answers many times with its own base, as two
// workshops do: every answer of both is in the file at the end.
func TestSaveMergedTwoWriters(t *testing.T) {
	path := filepath.Join(t.TempDir(), "worksheets", "s.json")
	var wg sync.WaitGroup
	for _, who := range []string{"a", "b"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			base := New("s")
			ours := New("s")
			for i := 0; i < 40; i++ {
				ours.Answers[fmt.Sprintf("%s%d", who, i)] = strings.Repeat(who, i+1)
				snap := cloneForTest(ours)
				if _, err := SaveMerged(path, base, snap); err != nil {
					t.Error(err)
					return
				}
				base = snap
			}
		}()
	}
	wg.Wait()
	got, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Answers) != 80 {
		t.Fatalf("%d answers on disk, want 80 (none lost)", len(got.Answers))
	}
}

func cloneForTest(w *Worksheet) *Worksheet {
	c := New(w.Scenario)
	for k, v := range w.Answers {
		c.Answers[k] = v
	}
	return c
}

// A second claim on an open worksheet learns the holder's process ID; after release the
// worksheet can be claimed again.
func TestClaimSheet(t *testing.T) {
	path := filepath.Join(t.TempDir(), "worksheets", "s.json")
	first, err := ClaimSheet(path)
	if err != nil || first.Shared {
		t.Fatalf("first claim %+v, %v", first, err)
	}
	second, err := ClaimSheet(path) // flock is per open file: a second claim in one process conflicts too
	if err != nil {
		t.Fatal(err)
	}
	if !second.Shared || second.Holder == 0 || !strings.Contains(second.Notice(), fmt.Sprint(second.Holder)) {
		t.Fatalf("second claim %+v: %q", second, second.Notice())
	}
	second.Release()
	first.Release()
	first.Release()
	third, err := ClaimSheet(path)
	if err != nil || third.Shared {
		t.Fatalf("after release: %+v, %v", third, err)
	}
	third.Release()
}

// A worksheet that turned corrupt while open is kept aside before the save replaces it.
func TestSaveMergedKeepsCorruptAside(t *testing.T) {
	path := filepath.Join(t.TempDir(), "worksheets", "s.json")
	ours := New("s")
	ours.Answers["Q1"] = "mine"
	if _, err := SaveMerged(path, New("s"), ours); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(path, []byte("{garbage"), 0o600)
	if _, err := SaveMerged(path, ours, ours); err != nil {
		t.Fatal(err)
	}
	kept, _ := filepath.Glob(path + ".bad-*")
	if len(kept) != 1 {
		t.Fatalf("backups %v", kept)
	}
	if b, _ := os.ReadFile(kept[0]); string(b) != "{garbage" {
		t.Errorf("backup holds %q", b)
	}
	if got, _ := Read(path); got.Answers["Q1"] != "mine" {
		t.Errorf("saved %+v", got.Answers)
	}
}
