package board

import (
	"strings"
	"testing"

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
