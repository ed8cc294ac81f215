package content

import (
	"errors"
	"os"
	"strings"
	"testing"
)

// FuzzParse feeds the parser both scenario files, broken variants of them and whatever the
// fuzzer makes of those. Parse must never panic, must return a *ParseError with a line
// inside the file on failure, and what parses must survive Fill and parse back the same.
func FuzzParse(f *testing.F) {
	var seeds [][]byte
	if b, err := Files.ReadFile(BuiltinFile); err == nil {
		seeds = append(seeds, b)
	}
	if b, err := os.ReadFile(seedPath); err == nil {
		seeds = append(seeds, b)
	}
	for _, s := range seeds {
		f.Add(s)
		text := string(s)
		f.Add([]byte(strings.Replace(text, "```\nYour answer:", "```\nMy answer:", 1)))            // question without fence
		f.Add([]byte(strings.Replace(text, "## Step 2", "## Step 7", 1)))                          // steps out of order
		f.Add([]byte(strings.Replace(text, "| Success rate    |       |", "| Success rate |", 1))) // short row
		f.Add([]byte(strings.Replace(text, "**Q5:", "**Q4:", 1)))                                  // duplicate
		f.Add([]byte(text[:len(text)/2]))                                                          // cut in a fence or not
		f.Add([]byte(strings.ReplaceAll(text, "\n", "\r\n")))
	}
	f.Add([]byte("# T\n\n## Step 1\n\n**Q1: a?**\n\n```\n1.\n2.\n```\n```model\nx\n```\n"))
	f.Add([]byte("# T\n| a |\n|---|\n| |\n- [ ] x <!-- t -->\n```sh\nnpm run start\n```\n"))
	f.Add([]byte(""))
	f.Fuzz(func(t *testing.T, src []byte) {
		lines := strings.Count(string(src), "\n") + 1
		for _, e := range Check("fuzz.md", src) {
			if e.Line < 1 || e.Line > lines {
				t.Fatalf("Check: line %d outside the file's %d lines: %v", e.Line, lines, e)
			}
		}
		s, err := Parse("fuzz.md", src)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error is not a *ParseError: %v", err)
			}
			if pe.Line < 1 || pe.Line > lines {
				t.Fatalf("error line %d outside the file's %d lines: %v", pe.Line, lines, err)
			}
			return
		}
		out := Fill(s, sampleFilling(s))
		back, err := Parse("fuzz.md", out)
		if err != nil {
			t.Fatalf("Fill output does not parse: %v\n--- input\n%q\n--- output\n%q", err, src, out)
		}
		if len(back.Steps) != len(s.Steps) || len(back.Questions()) != len(s.Questions()) ||
			len(back.Tables()) != len(s.Tables()) || len(back.Tasks()) != len(s.Tasks()) {
			t.Fatalf("Fill changed the structure\n--- input\n%q\n--- output\n%q", src, out)
		}
	})
}

// FuzzFill writes arbitrary learner text into every answer and result cell of the
// built-in scenario: the export must parse back with the same structure and the text in
// place (answers trimmed, cells on one line).
func FuzzFill(f *testing.F) {
	for _, s := range []string{"", "plain", "1. one", "Your answer: x", "a | b", "```\ncode\n```", "~~~", "line\n\n## Step 9", "**Q1: x**", "- [ ] t", "\\", "| x |\n|---|", "<!-- fillable -->", "\r\n"} {
		f.Add(s)
	}
	s := Builtin()
	f.Fuzz(func(t *testing.T, text string) {
		fl := Filling{Answers: map[string]string{}, Tables: map[string][][]string{}}
		for _, q := range s.Questions() {
			fl.Answers[q.ID] = text
		}
		for _, tb := range s.Tables() {
			rows := make([][]string, len(tb.Rows))
			for r := range rows {
				rows[r] = make([]string, len(tb.Header))
				for c := 1; c < len(rows[r]); c++ {
					rows[r][c] = text
				}
			}
			fl.Tables[tb.ID] = rows
		}
		out := Fill(s, fl)
		back, err := Parse("fill.md", out)
		if err != nil {
			t.Fatalf("export with %q does not parse: %v", text, err)
		}
		if len(back.Steps) != len(s.Steps) || len(back.Questions()) != len(s.Questions()) || len(back.Tables()) != len(s.Tables()) || len(back.Tasks()) != len(s.Tasks()) {
			t.Fatalf("export with %q changed the structure", text)
		}
		for i, q := range back.Questions() {
			orig := s.Questions()[i]
			if q.ID != orig.ID || q.Kind != orig.Kind || q.Slots < orig.Slots {
				t.Fatalf("%s became %s/%s/%d with %q", orig.ID, q.ID, q.Kind, q.Slots, text)
			}
			if want := orig.AnswerFrom(orig.FenceBody(text)); q.Kind != "slots" && q.Answer != want {
				t.Fatalf("%s: wrote %q, read back %q, want %q", q.ID, text, q.Answer, want)
			}
		}
		for i, tb := range back.Tables() {
			if !s.Tables()[i].Fillable {
				continue
			}
			want := oneLine(text)
			for _, row := range tb.Rows {
				for c := 1; c < len(row); c++ {
					if want != "" && row[c] != want {
						t.Fatalf("%s: cell %q read back as %q", tb.ID, want, row[c])
					}
				}
			}
		}
	})
}
