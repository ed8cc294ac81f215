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
		s, err := Parse("fuzz.md", src)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error is not a *ParseError: %v", err)
			}
			lines := strings.Count(string(src), "\n") + 1
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
