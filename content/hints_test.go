package content

import (
	"slices"
	"strings"
	"testing"
)

const stuckScenario = "# T\n\n## Step 1 — A\n\n" +
	"| Problem | What to do |\n" + // line 5
	"| --- | --- |\n" +
	"| No change after Fix 1 | Restart the API | <!-- when: restart-pending -->\n" + // line 7
	"| Panes empty | Press L |\n" +
	"| Fix fails | The index exists <!--when:index-exists-->\n" + // inside the last cell
	"| Typo | Nothing | <!-- when: restart-pendng -->\n" + // line 10
	"\n" +
	"| Metric | Value |\n" +
	"| --- | --- |\n" +
	"| Success | |\n"

func TestTableWhen(t *testing.T) {
	s := mustParse(t, "stuck.md", []byte(stuckScenario))
	tb := s.Tables()[0]
	if want := []string{"restart-pending", "", "index-exists", "restart-pendng"}; !slices.Equal(tb.When, want) {
		t.Errorf("When = %q, want %q", tb.When, want)
	}
	for _, r := range tb.Rows {
		if len(r) != 2 {
			t.Errorf("row %q has %d cells: the comment must not become a cell", r, len(r))
		}
		for _, c := range r {
			if strings.Contains(c, "<!--") || strings.Contains(c, "when") {
				t.Errorf("cell %q keeps the comment", c)
			}
		}
	}
	if b := s.Steps[0].Blocks[0]; strings.Contains(b.Markdown, "<!--") {
		t.Errorf("the table's markdown keeps the comments:\n%s", b.Markdown)
	}
	if s.Tables()[1].When != nil {
		t.Errorf("a table without conditions has When %q, want nil", s.Tables()[1].When)
	}
	h := s.Hints()
	if len(h) != 3 || h[0].When != "restart-pending" || h[0].Problem != "No change after Fix 1" || h[0].Fix != "Restart the API" ||
		h[1].Fix != "The index exists" {
		t.Errorf("Hints = %+v", h)
	}

	// an exported worksheet keeps the conditions, filled table or not
	for name, f := range map[string]Filling{
		"untouched": {},
		"filled":    {Tables: map[string][][]string{tb.ID: {{"", "Restart it now"}}, s.Tables()[1].ID: {{"", "42 %"}}}},
	} {
		out := Fill(s, f)
		back := mustParse(t, "stuck.md", out)
		if got := back.Tables()[0].When; !slices.Equal(got, tb.When) {
			t.Errorf("%s: When after Fill = %q, want %q\n%s", name, got, tb.When, out)
		}
		if got := len(back.Tables()[0].Rows[0]); got != 2 {
			t.Errorf("%s: a row after Fill has %d cells", name, got)
		}
	}
}

func TestTableWhenEmptyName(t *testing.T) {
	src := "# T\n\n## S\n\n| a | b |\n| --- | --- |\n| x | y | <!-- when: -->\n"
	errs := Check("e.md", []byte(src))
	if len(errs) != 1 || errs[0].Line != 7 || !strings.Contains(errs[0].Msg, "names no condition") {
		t.Errorf("Check = %v", errs)
	}
}

func TestCheckHints(t *testing.T) {
	s := mustParse(t, "stuck.md", []byte(stuckScenario))
	known := []string{"restart-pending", "index-exists", "run-while-down"}
	errs := CheckHints(s, known)
	if len(errs) != 1 {
		t.Fatalf("CheckHints = %v, want one problem", errs)
	}
	e := errs[0]
	if e.Line != 10 || !strings.Contains(e.Msg, `"restart-pendng"`) || !strings.Contains(e.Msg, "restart-pending, index-exists, run-while-down") ||
		!strings.Contains(e.Msg, `"Typo"`) {
		t.Errorf("CheckHints: %v", e)
	}
	if errs := CheckHints(s, append(known, "restart-pendng")); errs != nil {
		t.Errorf("all known: %v", errs)
	}
}

func TestBuiltinHints(t *testing.T) {
	var got []string
	for _, h := range Builtin().Hints() {
		got = append(got, h.When)
		if h.Problem == "" || h.Fix == "" {
			t.Errorf("hint %+v has no problem or fix", h)
		}
	}
	if want := []string{"restart-pending", "index-exists", "run-while-down", "other-max-connections"}; !slices.Equal(got, want) {
		t.Errorf("built-in hints %q, want %q", got, want)
	}
	if seed := mustParse(t, "seed.md", readSeed(t)); seed.Hints() != nil {
		t.Errorf("the seed names no condition, got %+v", seed.Hints())
	}
}

// A when-comment anywhere but at a row's end would hide in the rendered text and its row would
// never show as a hint: Check reports it with its line. One inside a code fence is text.
func TestStrayWhenReported(t *testing.T) {
	src := "# T\n\n## Step 1 — A\n\n" +
		"| Problem | What to do |\n" +
		"| --- | --- |\n" +
		"| Slow | Restart <!-- when: restart-pending --> |\n" + // line 7: before the last |
		"| Fine | x | <!-- when: index-exists -->\n" +
		"\n" +
		"A paragraph <!-- when: run-while-down -->\n" + // line 10
		"\n" +
		"```md\n| Row | x | <!-- when: restart-pending -->\nsee <!-- when: NAME -->\n```\n"
	errs := Check("stray.md", []byte(src))
	var lines []int
	for _, e := range errs {
		lines = append(lines, e.Line)
		if !strings.Contains(e.Msg, "not at the end of a table row") {
			t.Errorf("line %d: %s", e.Line, e.Msg)
		}
	}
	if !slices.Equal(lines, []int{7, 10}) {
		t.Fatalf("stray when-comments reported on lines %v, want [7 10]: %v", lines, errs)
	}
}
