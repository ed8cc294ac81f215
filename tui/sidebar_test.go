package tui

import (
	"strings"
	"testing"

	"scalelab/content"
)

// The narrowest sidebar (100 columns) tells the built-in scenario's two Go Further sections
// apart: each keeps the words of its own title after a "+" mark.
func TestSidebarGoFurtherDistinct(t *testing.T) {
	testHome(t)
	a := newTestApp(t, "", func(o *Options) { o.Scenario = content.Builtin() })
	tm := start(t, a, 100, 30)
	waitText(t, tm, "Steps")
	_, view := finalView(t, tm)
	side := sidebarColumn(view)
	mustContain(t, side, "+ When the", "+ A Million")
	if strings.Contains(side, "Go Further") {
		t.Fatalf("the sidebar still shows the shared prefix:\n%s", side)
	}
}

// sidebarColumn keeps each line's part left of the sidebar's border.
func sidebarColumn(view string) string {
	var out []string
	for _, l := range strings.Split(view, "\n") {
		if left, _, ok := strings.Cut(l, "│"); ok {
			out = append(out, left)
		}
	}
	return strings.Join(out, "\n")
}

func TestShortStepTitle(t *testing.T) {
	for in, want := range map[string]string{
		"Step 1 — Read the Code":       "1 Read the Code",
		"Go Further — A Million Posts": "+ A Million Posts",
		"Go Further: When It Dies":     "+ When It Dies",
		"Go Further":                   "Go Further",
		"What You Learned":             "What You Learned",
	} {
		if got := shortStepTitle(in); got != want {
			t.Errorf("shortStepTitle(%q) = %q, want %q", in, got, want)
		}
	}
}
