package worksheet

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Two workshops on one worksheet, both typing into the same answer and saving in turn the
// way the TUI does (each keeps what it wrote as its merge base): the file ends with the
// latest text of each, once, not a pile of every intermediate text.
func TestSaveMergedTwoTypingInOneAnswer(t *testing.T) {
	path := filepath.Join(t.TempDir(), "worksheets", "s.json")
	type workshop struct {
		base *Worksheet
		text string
	}
	a, b := &workshop{base: New("s")}, &workshop{base: New("s")}
	save := func(w *workshop, add string) {
		t.Helper()
		w.text += add
		ours := New("s")
		ours.Answers["Q1"] = w.text
		if _, err := SaveMerged(path, w.base, ours); err != nil {
			t.Fatal(err)
		}
		w.base = ours
	}
	for _, word := range strings.Fields("the pool holds one connection and every request waits for it") {
		save(a, word+" ")
		save(b, strings.ToUpper(word)+" ")
	}
	got, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	want := b.text + ConflictMark + a.text
	if got.Answers["Q1"] != want {
		t.Fatalf("Q1 after both typed (%d bytes, %d marks):\n%q\nwant:\n%q",
			len(got.Answers["Q1"]), strings.Count(got.Answers["Q1"], ConflictMark), got.Answers["Q1"], want)
	}
}

// A result cell filled differently in two workshops keeps both values, and later saves of the
// two replace each one's own value rather than repeating them.
func TestMergeCellFilledInBoth(t *testing.T) {
	base := New("s")
	base.Tables["t"] = [][]string{{"", ""}}
	ours, disk := New("s"), New("s")
	ours.Tables["t"] = [][]string{{"41%", ""}}
	disk.Tables["t"] = [][]string{{"38%", "2 s"}}
	m := Merge(base, ours, disk)
	if got := m.Tables["t"][0]; got[0] != "41%"+CellMark+"38%" || got[1] != "2 s" {
		t.Fatalf("cells %q", got)
	}
	again := New("s")
	again.Tables["t"] = [][]string{{"43%", ""}}
	if got := Merge(ours, again, m).Tables["t"][0]; got[0] != "43%"+CellMark+"38%" || got[1] != "2 s" {
		t.Fatalf("cells after a second save %q", got)
	}
}

// A save killed between writing its temp file and renaming it leaves that file behind; the
// next save removes it instead of letting such copies pile up beside the worksheet.
func TestSaveMergedRemovesTempLeftByAKilledSave(t *testing.T) {
	path := filepath.Join(t.TempDir(), "worksheets", "s.json")
	w := New("s")
	w.Answers["Q1"] = "first"
	if _, err := SaveMerged(path, New("s"), w); err != nil {
		t.Fatal(err)
	}
	left := filepath.Join(filepath.Dir(path), ".s.json.tmp-123456")
	if err := os.WriteFile(left, []byte(`{"answers":{"Q1":"half`), 0o600); err != nil {
		t.Fatal(err)
	}
	w2 := New("s")
	w2.Answers["Q1"] = "second"
	if _, err := SaveMerged(path, w, w2); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(left); !os.IsNotExist(err) {
		t.Fatalf("the killed save's temp file is still there: %v", err)
	}
}
