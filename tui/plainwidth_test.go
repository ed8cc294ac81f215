package tui

import (
	"bytes"
	"context"
	"strings"
	"testing"

	xansi "github.com/charmbracelet/x/ansi"
	"scalelab/content"
	"scalelab/content/worksheet"
)

// The built-in scenario's header at 60 columns: every line fits, so the terminal never breaks a
// word ("Single Point" / "s of Failure"). A path has no space to wrap at and is the one line
// allowed to be longer.
func TestPlainHeaderWrapsAtWidth(t *testing.T) {
	dir := testHome(t)
	path := worksheet.PathFor(dir, "workshop")
	var out bytes.Buffer
	opt := PlainOptions{Scenario: content.Builtin(), WorksheetPath: path, In: strings.NewReader(""), Out: &out, Width: 60}
	if err := RunPlain(context.Background(), opt); err != nil {
		t.Fatal(err)
	}
	text := out.String()
	mustContain(t, text, "Concepts:")
	header, _, _ := strings.Cut(text, "\n\n")
	for _, l := range strings.Split(header, "\n") {
		if xansi.StringWidth(l) > 60 && !strings.Contains(l, "/") {
			t.Errorf("line wider than 60 columns: %q", l)
		}
	}
}

// A diagram wider than the terminal is printed whole, and the line before it says why its lines
// wrap; at a width it fits, nothing is said.
func TestPlainSaysADiagramIsWider(t *testing.T) {
	for _, tc := range []struct {
		width int
		note  bool
	}{{60, true}, {120, false}} {
		var out bytes.Buffer
		opt := PlainOptions{Scenario: content.Builtin(), In: strings.NewReader(""), Out: &out, Width: tc.width}
		if err := RunPlain(context.Background(), opt); err != nil {
			t.Fatal(err)
		}
		text := out.String()
		mustContain(t, text, "Picture: The lab: client, feed API, PostgreSQL", "┌──────────────┐")
		if got := strings.Contains(text, "columns wide"); got != tc.note {
			t.Errorf("width %d: the note on a wider picture shown %v, want %v:\n%s", tc.width, got, tc.note, text)
		}
	}
}
