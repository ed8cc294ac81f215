package board

import (
	"regexp"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"scalelab/tui"
)

// A paint draws a cell exactly as its style's Render does, in colour and without.
func TestPaintMatchesRender(t *testing.T) {
	defer lipgloss.SetColorProfile(termenv.Ascii)
	for _, profile := range []termenv.Profile{termenv.ANSI, termenv.ANSI256, termenv.TrueColor, termenv.Ascii} {
		lipgloss.SetColorProfile(profile)
		for _, noColor := range []bool{false, true} {
			st := newBoardStyles(tui.NewStyles(tui.ThemeProjector, noColor))
			pairs := map[string]struct {
				s lipgloss.Style
				p paint
			}{
				"text": {st.text, st.pText}, "number": {st.number, st.pNumber}, "subtle": {st.subtle, st.pSubtle},
				"muted": {st.muted, st.pMuted}, "warn": {st.warn, st.pWarn}, "good": {st.good, st.pGood}, "bad": {st.bad, st.pBad},
			}
			for name, pr := range pairs {
				for _, text := range []string{"● running", "  1.95s", "learner07 "} {
					var b strings.Builder
					pr.p.write(&b, text)
					if want := pr.s.Render(text); b.String() != want {
						t.Errorf("profile %v, no colour %v, %s: paint %q, Render %q", profile, noColor, name, b.String(), want)
					}
				}
			}
		}
	}
}

// With NO_COLOR the board draws no colour at all, only bold and reverse; the chart still
// shows its bars, as glyphs.
func TestNoColorDrawsNoColour(t *testing.T) {
	lipgloss.SetColorProfile(termenv.ANSI)
	defer lipgloss.SetColorProfile(termenv.Ascii)
	m := New(nil, Options{Theme: tui.ThemeProjector, NoColor: true})
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	m.Update(snapshotMsg{classSnapshot(31)})
	v := m.View()
	if !strings.Contains(v, "█") {
		t.Fatalf("the chart has no bars:\n%s", v)
	}
	sgrs := regexp.MustCompile(`\x1b\[([0-9;]*)m`).FindAllStringSubmatch(v, -1)
	if len(sgrs) == 0 {
		t.Fatal("no bold either: the profile did not apply")
	}
	for _, sgr := range sgrs {
		for _, p := range strings.Split(sgr[1], ";") {
			switch p {
			case "", "0", "1", "7", "22", "27":
			default:
				t.Fatalf("a colour sequence %q with NO_COLOR", sgr[0])
			}
		}
	}
}
