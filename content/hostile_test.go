package content

import (
	"fmt"
	"strings"
	"testing"
)

// hostile is a scenario whose text tries to command the terminal that shows it: window
// titles, the clipboard (OSC 52), screen clears, C1 controls, bells, backspaces and a bare
// carriage return that would hide what comes before it.
const hostile = "# Title\x1b]0;owned\x07\n" +
	"\n" +
	"## Step 1 — Start \x1b[2J\x1b[H\n" +
	"\n" +
	"Some prose \x1b]52;c;cm0gLXJmIH4K\x1b\\ with a clipboard write, a bell\x07 and \u009b2J a C1 clear.\n" +
	"Backspaces hide\x08\x08\x08\x08 text; a carriage return\roverwrites it; DEL\x7f too.\n" +
	"\n" +
	"**Q1: Why \x1b[31mred\x1b[0m?**\n" +
	"\n" +
	"```\n" +
	"Your answer:\x1b]8;;http://evil\x1b\\\n" +
	"```\n" +
	"\n" +
	"| Metric \x1b[5m | Value \u009d0;t\u009c |\n" +
	"| --- | --- |\n" +
	"| Success \x1bc | |\n" +
	"\n" +
	"- [ ] tick me \x1b[?1049h <!-- tag\x1b[K -->\n" +
	"\n" +
	"```bash\n" +
	"scalelab loadtest \x1bP1$r\x1b\\\n" +
	"```\n"

// controlAt is the byte index of the first control character or escape a terminal would
// act on in s (C0 but \n and \t, DEL, C1), or -1.
func controlAt(s string) int {
	for i, r := range s {
		if (r < 0x20 && r != '\n' && r != '\t') || (r >= 0x7f && r <= 0x9f) {
			return i
		}
	}
	return -1
}

func TestParseCleansControlSequences(t *testing.T) {
	s := mustParse(t, "hostile.md", []byte(hostile))
	check := func(what, v string) {
		t.Helper()
		if i := controlAt(v); i >= 0 {
			t.Errorf("%s keeps a control at byte %d: %q", what, i, v)
		}
	}
	check("Source", string(s.Source))
	check("Title", s.Title)
	for i, l := range s.Lines {
		check(fmt.Sprintf("line %d", i+1), l)
	}
	if got, want := len(s.Lines), strings.Count(hostile, "\n"); got != want {
		t.Errorf("%d lines, want %d: cleaning must keep line numbers", got, want)
	}
	for _, st := range s.Steps {
		check("step title", st.Title)
		for _, b := range st.Blocks {
			check("block "+b.Kind.String(), b.Markdown)
		}
	}
	for _, q := range s.Questions() {
		check("prompt", q.Prompt)
		check("template", q.Template)
	}
	for _, tb := range s.Tables() {
		for _, c := range tb.Header {
			check("header cell", c)
		}
		for _, r := range tb.Rows {
			for _, c := range r {
				check("cell", c)
			}
		}
	}
	for _, tk := range s.Tasks() {
		check("task", tk.Text)
		check("tag", tk.Tag)
	}
	for _, a := range s.Actions() {
		check("action", a.Command)
	}
	if !strings.Contains(s.Title, "Title") || len(s.Questions()) != 1 || len(s.Tasks()) != 1 || len(s.Actions()) != 1 {
		t.Errorf("cleaning lost the scenario's parts: title %q, %d questions, %d tasks, %d actions",
			s.Title, len(s.Questions()), len(s.Tasks()), len(s.Actions()))
	}
	// the prose around a sequence stays, and Fill (export) writes only clean text
	if !strings.Contains(string(s.Source), "with a clipboard write") {
		t.Errorf("prose around a sequence is gone: %q", s.Source)
	}
	check("Fill", string(Fill(s, Filling{Answers: map[string]string{"Q1": "because"}})))
}

func TestParseCRLF(t *testing.T) {
	s := mustParse(t, "crlf.md", []byte("# T\r\n\r\n## Step 1 — A\r\n\r\ntext\r\n"))
	if strings.Contains(string(s.Source), "\r") || strings.Contains(string(s.Source), "\uFFFD") {
		t.Errorf("CRLF source: %q", s.Source)
	}
}

func TestParseRefusesDeepNesting(t *testing.T) {
	head := "# T\n\n## Step 1 — A\n\n"
	deepList := func(n int) string {
		var b strings.Builder
		for i := 0; i < n; i++ {
			b.WriteString(strings.Repeat("  ", i) + "- item\n")
		}
		return b.String()
	}
	cases := []struct {
		name, body, want string
		line             int
	}{
		{"1000 quotes", strings.Repeat(">", 1000) + " deep\n", "block quotes nested 1000 deep; at most 8", 5},
		{"spaced quotes", "text\n\n" + strings.Repeat("> ", 40) + "deep\n", "block quotes nested 40 deep; at most 8", 7},
		{"list markers", strings.Repeat("- ", 30) + "x\n", "lists nested 30 deep; at most 8", 5},
		{"list indentation", deepList(40), "lists nested 9 deep; at most 8", 13},
		{"quotes and lists", strings.Repeat("> - ", 5) + "x\n", "block quotes and lists nested 10 deep; at most 8", 5},
	}
	for _, c := range cases {
		_, err := Parse("deep.md", []byte(head+c.body))
		if err == nil {
			t.Errorf("%s: parsed", c.name)
			continue
		}
		if want := fmt.Sprintf("deep.md:%d: %s", c.line, c.want); !strings.HasPrefix(err.Error(), want) {
			t.Errorf("%s: error %q, want it to start %q", c.name, err, want)
		}
	}
	for name, body := range map[string]string{
		"8 quotes":       strings.Repeat(">", 8) + " ok\n",
		"8-deep list":    deepList(8),
		"a dashed rule":  strings.Repeat("- ", 40) + "\n",
		"quotes in code": "```\n" + strings.Repeat(">", 100) + "\n```\n",
	} {
		if _, err := Parse("ok.md", []byte(head+body)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	// Check names every line over the limit
	errs := Check("deep.md", []byte(head+strings.Repeat(">", 20)+"\n\n"+strings.Repeat(">", 30)+"\n"))
	if len(errs) != 2 || errs[0].Line != 5 || errs[1].Line != 7 {
		t.Errorf("Check: %v", errs)
	}
}

func TestParseSizeAndTableLimits(t *testing.T) {
	head := "# T\n\n## Step 1 — A\n\n"
	big := head + strings.Repeat("words and more words\n", (1<<20)/21+1)
	if _, err := Parse("big.md", []byte(big)); err == nil || !strings.Contains(err.Error(), "at most 1048576 (1 MB)") {
		t.Errorf("a file over 1 MB: %v", err)
	}
	section := head + repeatTo("words in a section that is far too long\n", 65<<10) + "## Step 2 — B\n\nshort\n"
	if _, err := Parse("long.md", []byte(section)); err == nil || !strings.HasPrefix(err.Error(), `long.md:3: section "Step 1 — A" is`) ||
		!strings.Contains(err.Error(), "at most 32768: split it") {
		t.Errorf("a section over 32 KB: %v", err)
	}
	intro := "# T\n\n" + repeatTo("intro words\n", 65<<10) + "## Step 1 — A\n"
	if _, err := Parse("intro.md", []byte(intro)); err == nil || !strings.Contains(err.Error(), "intro.md:1: the text before the first section") {
		t.Errorf("an intro over 32 KB: %v", err)
	}
	rows := func(n, cols int, cell string) string {
		r := "|" + strings.Repeat(" "+cell+" |", cols) + "\n"
		return r + "|" + strings.Repeat("---|", cols) + "\n" + strings.Repeat(r, n)
	}
	for name, c := range map[string]struct{ table, want string }{
		"rows":    {rows(1001, 2, "a"), "table has 1001 rows; at most 1000"},
		"columns": {rows(1, 65, "a"), "table has 65 columns; at most 64"},
	} {
		_, err := Parse("table.md", []byte(head+c.table))
		if err == nil || !strings.Contains(err.Error(), "table.md:5: "+c.want) {
			t.Errorf("%s: %v, want %q", name, err, c.want)
		}
	}
	for _, ok := range []string{rows(1000, 2, "a"), rows(10, 64, "a")} {
		if _, err := Parse("table.md", []byte(head+ok)); err != nil {
			t.Errorf("a table at the limits: %v", err)
		}
	}
}

func repeatTo(unit string, n int) string { return strings.Repeat(unit, max(1, n/len(unit))) }

// A learner's long answers and results are not the scenario's text: the export of a
// worksheet holding them parses again.
func TestLimitsLeaveTheLearnersWork(t *testing.T) {
	s := Builtin()
	long := strings.Repeat("a long answer with many words ", 1100) // 33 KB, more than a section, three in Step 2
	f := Filling{Answers: map[string]string{}, Tables: map[string][][]string{}}
	for _, q := range s.Questions() {
		f.Answers[q.ID] = long
	}
	for _, tb := range s.Tables() {
		if tb.Fillable {
			rows := make([][]string, len(tb.Rows))
			for r := range rows {
				rows[r] = make([]string, len(tb.Header))
				for c := 1; c < len(tb.Header); c++ {
					rows[r][c] = long[:10000]
				}
			}
			f.Tables[tb.ID] = rows
		}
	}
	out := Fill(s, f)
	if len(out) > maxSourceSize {
		t.Fatalf("test input too big: %d", len(out))
	}
	if _, err := Parse("export.md", out); err != nil {
		t.Errorf("an export with long answers and results: %v", err)
	}
}
