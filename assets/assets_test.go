package assets

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// width counts terminal columns: East Asian wide runes take two.
func width(s string) int {
	w := 0
	for _, r := range s {
		switch {
		case r == '\t':
			w += 8
		case unicode.Is(unicode.Han, r) || (r >= 0x1F300 && r <= 0x1FAFF):
			w += 2
		default:
			w++
		}
	}
	return w
}

func TestDiagrams(t *testing.T) {
	want := []string{"diagram-architecture", "diagram-connection-pool", "diagram-index", "diagram-lb-architecture", "diagram-lb-sessions", "diagram-outage"}
	ents, err := Files.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, strings.TrimSuffix(e.Name(), ".txt"))
	}
	if got := strings.Join(names, ","); got != strings.Join(want, ",") {
		t.Errorf("embedded diagrams = %s, want %v", got, want)
	}
	for _, name := range want {
		d, ok := Diagram(name)
		if !ok || d == "" {
			t.Fatalf("Diagram(%q) missing", name)
		}
		if !utf8.ValidString(d) || strings.ContainsAny(d, "\t\r") {
			t.Errorf("%s: tabs, CRs or invalid UTF-8", name)
		}
		if !strings.ContainsAny(d, "┌┐└┘─│") {
			t.Errorf("%s has no box-drawing characters", name)
		}
		for i, l := range strings.Split(d, "\n") {
			if w := width(l); w > Width {
				t.Errorf("%s line %d is %d columns wide, the limit is %d", name, i+1, w, Width)
			}
		}
	}
}

func TestDiagramLookup(t *testing.T) {
	for _, name := range []string{"assets/diagram-index.svg", "diagram-index.txt", "diagram-index", `assets\diagram-index.png`} {
		if _, ok := Diagram(name); !ok {
			t.Errorf("Diagram(%q) not found", name)
		}
	}
	for _, name := range []string{"", "diagram", "assets/other.svg", "../assets/x"} {
		if _, ok := Diagram(name); ok {
			t.Errorf("Diagram(%q) found something", name)
		}
	}
}

func TestArchitectureBoxes(t *testing.T) {
	d, _ := Diagram("diagram-architecture")
	for _, box := range []string{"Client", "Feed API", "PostgreSQL"} {
		if strings.Count(d, box) != 1 {
			t.Errorf("architecture: want one %q box", box)
		}
	}
	if strings.Count(d, "┌") != 3 {
		t.Errorf("architecture: want exactly three boxes, got %d", strings.Count(d, "┌"))
	}
}
