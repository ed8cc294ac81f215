package tui

import (
	"strings"
	"testing"

	xansi "github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"

	"scalelab/content"
)

// Every prose paragraph of the shipped scenario wraps at every width as a reader expects: no
// line wider than the pane, and no line broken early (its next line's first word would have
// fitted after it), which is what a word left alone on its line is.
func TestParagraphsWrapWithoutOrphans(t *testing.T) {
	src, err := content.Files.ReadFile("01-single-server.md")
	if err != nil {
		t.Fatal(err)
	}
	var paras []string
	for _, p := range strings.Split(string(src), "\n\n") {
		p = strings.TrimSpace(p)
		if p == "" || strings.ContainsAny(p[:1], "|-#>`*0123456789![<") && !strings.HasPrefix(p, "**") {
			continue // tables, lists, headings, quotes, code, images: not plain paragraphs
		}
		if strings.Contains(p, "```") || strings.Contains(p, "\n|") || strings.Contains(p, "\n- ") {
			continue
		}
		paras = append(paras, p)
	}
	if len(paras) < 20 {
		t.Fatalf("found only %d paragraphs in the scenario", len(paras))
	}
	for _, style := range []string{styleNoColor, "dark"} {
		for w := 50; w <= 100; w++ {
			tr, err := newGlamour(renderSpec{style: style, profile: termenv.Ascii}, ThemeDefault, w)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range paras {
				// checked before the stand-ins are turned back, so the blanks around inline
				// code count as the part of the word they are
				out, err := tr.tr.Render(keepHyphens(safeMarkdown(p, w)))
				if err != nil {
					t.Fatal(err)
				}
				out = trimBlankLines(out)
				lines := strings.Split(xansi.Strip(out), "\n")
				for i, l := range lines {
					l = strings.TrimRight(l, " ")
					if xansi.StringWidth(l) > w {
						t.Fatalf("%s at %d: line wider than the pane (%d):\n%s", style, w, xansi.StringWidth(l), out)
					}
					if i+1 < len(lines) {
						next := strings.Fields(lines[i+1])
						if len(next) > 0 && l != "" && xansi.StringWidth(l)+1+xansi.StringWidth(next[0]) <= w {
							t.Fatalf("%s at %d: line broken early before %q:\n%s", style, w, next[0], xansi.Strip(out))
						}
					}
				}
			}
		}
	}
}

func TestKeepHyphensRoundTrip(t *testing.T) {
	for _, s := range []string{"start-up", "- item", "a -- b", "|---|", "x-", "-y", "co-op-ed 1-2"} {
		if got := restoreHyphens(keepHyphens(s)); got != s {
			t.Errorf("round trip of %q gave %q", s, got)
		}
	}
	if got := keepHyphens("- start-up"); got != "- start\u2011up" {
		t.Errorf("keepHyphens = %q", got)
	}
}
