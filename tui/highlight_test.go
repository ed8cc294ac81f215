package tui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
)

// The code view colours Go's keywords, comments, strings and numbers, each in its own style.
func TestHighlightGo(t *testing.T) {
	lipgloss.SetColorProfile(termenv.ANSI256)
	defer lipgloss.SetColorProfile(termenv.Ascii)
	s := newCodeStyles(NewStyles(ThemeDefault, false))
	src := "func f() string {\n\t// a comment\n\treturn \"x\" + string(rune(42))\n}\n"
	got := strings.Join(highlightGo(src, s), "\n")
	for name, want := range map[string]string{
		"keyword": s.Keyword.Render("func"),
		"comment": s.Comment.Render("// a comment"),
		"string":  s.String.Render(`"x"`),
		"number":  s.Number.Render("42"),
	} {
		if !strings.Contains(got, want) {
			t.Errorf("%s not highlighted: want %q in\n%q", name, want, got)
		}
	}
	if lines := highlightGo(src, s); len(lines) != 4 {
		t.Fatalf("%d lines, want 4", len(lines))
	}
}
