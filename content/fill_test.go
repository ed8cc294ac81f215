package content

import (
	"strings"
	"testing"
)

// sampleFilling answers every question, ticks every task and fills every fillable cell.
func sampleFilling(s *Scenario) Filling {
	f := Filling{Answers: map[string]string{}, Tasks: map[string]bool{}, Tables: map[string][][]string{}}
	for _, q := range s.Questions() {
		switch q.Kind {
		case "slots":
			f.Answers[q.ID] = "1. the machine dies\n\n2. the disk fills | up\n\n3. a bad deploy"
		default:
			f.Answers[q.ID] = "My answer to " + q.ID + ".\nSecond line with ``` fences inside."
		}
	}
	for _, t := range s.Tasks() {
		f.Tasks[t.ID] = true
	}
	for _, t := range s.Tables() {
		if !t.Fillable {
			continue
		}
		rows := make([][]string, len(t.Rows))
		for r, row := range t.Rows {
			rows[r] = make([]string, len(row))
			for c := 1; c < len(row); c++ {
				rows[r][c] = t.ID + " r" + itoa(r) + "c" + itoa(c) + " 12.5 ms"
			}
		}
		rows[0][1] = "99.7% | ok" // a pipe must be escaped
		f.Tables[t.ID] = rows
	}
	return f
}

func roundTrip(t *testing.T, name string, src []byte) {
	s := mustParse(t, name, src)
	f := sampleFilling(s)
	out := Fill(s, f)
	back, err := Parse(name, out)
	if err != nil {
		t.Fatalf("Parse(Fill(%s)): %v\n%s", name, err, out)
	}

	if len(back.Steps) != len(s.Steps) {
		t.Fatalf("steps %d -> %d", len(s.Steps), len(back.Steps))
	}
	for i := range s.Steps {
		if a, b := s.Steps[i], back.Steps[i]; a.ID != b.ID || a.Number != b.Number || a.Title != b.Title {
			t.Errorf("step %d: %+v -> %+v", i, a, b)
		}
	}
	qs, bqs := s.Questions(), back.Questions()
	if len(qs) != len(bqs) {
		t.Fatalf("questions %d -> %d", len(qs), len(bqs))
	}
	for i, q := range qs {
		bq := bqs[i]
		if bq.ID != q.ID || bq.Kind != q.Kind || bq.Slots != q.Slots || bq.Prompt != q.Prompt {
			t.Errorf("%s changed: %+v -> %+v", q.ID, q, bq)
		}
		if bq.Model != "" {
			t.Errorf("%s: the export carries the model answer", q.ID)
		}
		want := strings.TrimSpace(f.Answers[q.ID])
		if bq.Answer != want {
			t.Errorf("%s answer after round trip = %q, want %q", q.ID, bq.Answer, want)
		}
	}
	for i, tk := range back.Tasks() {
		if !tk.Done || tk.ID != s.Tasks()[i].ID || tk.Tag != s.Tasks()[i].Tag {
			t.Errorf("task %s after round trip: %+v", s.Tasks()[i].ID, tk)
		}
	}
	tbs, btbs := s.Tables(), back.Tables()
	if len(tbs) != len(btbs) {
		t.Fatalf("tables %d -> %d", len(tbs), len(btbs))
	}
	for i, tb := range tbs {
		bt := btbs[i]
		if bt.ID != tb.ID || bt.Fillable != tb.Fillable || len(bt.Rows) != len(tb.Rows) || strings.Join(bt.Header, "|") != strings.Join(tb.Header, "|") {
			t.Errorf("table %s changed: %+v -> %+v", tb.ID, tb, bt)
		}
		if !tb.Fillable {
			continue
		}
		for r, row := range bt.Rows {
			if row[0] != tb.Rows[r][0] {
				t.Errorf("%s row %d label %q -> %q", tb.ID, r, tb.Rows[r][0], row[0])
			}
			for c := 1; c < len(row); c++ {
				if want := f.Tables[tb.ID][r][c]; row[c] != want {
					t.Errorf("%s[%d][%d] = %q, want %q", tb.ID, r, c, row[c], want)
				}
			}
		}
	}
	if !strings.Contains(string(out), "<!-- fillable -->") {
		t.Errorf("filled result tables carry no fillable marker")
	}
	// A second export of the exported file is stable.
	if again := Fill(back, sampleFilling(back)); string(again) != string(out) {
		t.Errorf("exporting an export changes it")
	}
	// Filling nothing gives the file back (with its model answers and image lines kept).
	if empty := Fill(s, Filling{KeepModels: true, KeepImages: true}); string(empty) != strings.ReplaceAll(string(src), "\r\n", "\n") {
		t.Errorf("an empty filling changed the file")
	}
}

func TestFillRoundTripBuiltin(t *testing.T) {
	src, err := Files.ReadFile(BuiltinFile)
	if err != nil {
		t.Fatal(err)
	}
	roundTrip(t, BuiltinFile, src)
}

func TestFillRoundTripSeed(t *testing.T) {
	roundTrip(t, seedPath, readSeed(t))
}

// The hand-in stands alone: diagrams are inline text, no link to a file beside it.
func TestFillInlinesDiagrams(t *testing.T) {
	s := Builtin()
	out := string(Fill(s, Filling{}))
	if strings.Contains(out, "](assets/") {
		t.Errorf("the export links to files beside it")
	}
	for _, want := range []string{"```text\n", "│  100 users,  │", "_The lab: client, feed API, PostgreSQL_"} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in the export", want)
		}
	}
}

func TestFillPartial(t *testing.T) {
	s := Builtin()
	out := string(Fill(s, Filling{
		Answers: map[string]string{"Q3": "Most will fail.", "Q7": "disk\nnetwork"},
		Tasks:   map[string]bool{"pool-size": true},
		Tables:  map[string][][]string{"step4-run": {{"", "3%", "2.1 s", "40"}}},
	}))
	for _, want := range []string{
		"```\nYour guess:\nMost will fail.\n\n```",
		"1. disk\n\n2. network\n\n3.\n```",
		"- [x] Give the pool 10 connections",
		"- [ ] Build one shared pool",
		"| Broken (Step 2)       | 3%           | 2.1 s       | 40      |",
		"| After Fix 1 (pooling) |              |             |         |",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("export lacks %q", want)
		}
	}
	if strings.Contains(out, "```model") {
		t.Errorf("model answers leaked into the export")
	}
	back := mustParse(t, "x.md", []byte(out))
	if q := back.Question("Q1"); q.Answer != "" {
		t.Errorf("unanswered Q1 came back as %q", q.Answer)
	}
	if tb := back.Table("step4-run"); !tb.Fillable || tb.Rows[1][1] != "" {
		t.Errorf("partly filled table %+v", tb)
	}
}

func TestFenceBody(t *testing.T) {
	q := &Question{Kind: "answer", Label: "Your answer:", Template: "Your answer:\n\n"}
	if got := q.FenceBody("Your answer: x"); got != "Your answer:\nx\n" {
		t.Errorf("label typed by the learner doubled: %q", got)
	}
	if got := q.FenceBody("  "); got != q.Template {
		t.Errorf("empty answer gave %q", got)
	}
	s := &Question{Kind: "slots", Slots: 3}
	if got := s.SlotAnswers("1. a\n\n2. b\nmore\n"); len(got) != 3 || got[1] != "b more" || got[2] != "" {
		t.Errorf("SlotAnswers = %q", got)
	}
}

// TestTableCell pins the one rule every view uses for a table cell: a filled value wins when
// it is not blank, a row's own label is kept, and outside the table there is nothing.
func TestTableCell(t *testing.T) {
	tb := &Table{Rows: [][]string{{"Success rate", "", "99%"}, {"", "x"}}}
	filled := [][]string{{"changed label", "43%", "  "}, {"my label"}}
	for _, c := range []struct {
		row, col int
		want     string
	}{
		{0, 0, "Success rate"}, // the table's own label stays
		{0, 1, "43%"},          // a result fills an empty cell
		{0, 2, "99%"},          // a blank result leaves the table's value
		{1, 0, "my label"},     // a blank label may be filled
		{1, 1, "x"},            // no filled value there
		{2, 0, ""}, {0, 3, ""}, {-1, 0, ""}, {0, -1, ""},
	} {
		if got := tb.Cell(filled, c.row, c.col); got != c.want {
			t.Errorf("Cell(%d, %d) = %q, want %q", c.row, c.col, got, c.want)
		}
	}
	if got := tb.Cell(nil, 0, 2); got != "99%" {
		t.Errorf("Cell with nothing filled = %q, want the table's own", got)
	}
}

// The worksheet is a file and an export is often printed (`scalelab export` to stdout): an
// answer or a cell holding an escape sequence is written in without it.
func TestFillCleansTheLearnersText(t *testing.T) {
	s := Builtin()
	f := Filling{Answers: map[string]string{"Q1": "pool\x1b]52;c;b3duZWQ=\a per request"}, Tables: map[string][][]string{}}
	for _, tb := range s.Tables() {
		if tb.Fillable {
			f.Tables[tb.ID] = [][]string{{"", "9\x1b[2J9 %"}}
			break
		}
	}
	out := string(Fill(s, f))
	if strings.ContainsAny(out, "\x1b\a") {
		t.Fatalf("an escape sequence from the worksheet is in the export: %q", out)
	}
	if !strings.Contains(out, "pool") || !strings.Contains(out, "per request") {
		t.Fatalf("the answer is not in the export")
	}
}
