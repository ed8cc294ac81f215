package tui

import (
	"github.com/charmbracelet/bubbles/key"
	"path/filepath"
	"testing"
)

// The ? overlay on the live panes lists each key once: the lab's keys the panes' own block
// shows already are not repeated under "The lab".
func TestHelpOverlayListsAKeyOnce(t *testing.T) {
	a := newTestApp(t, filepath.Join(testHome(t), "ws.json"), func(o *Options) { o.Contract = singleServer(t) })
	screen := newDashboard(a.c).FullHelp()
	seen := map[string]bool{}
	for _, col := range screen {
		for _, b := range col {
			seen[b.Help().Key] = true
		}
	}
	for _, col := range a.labHelpNotIn(screen, false) {
		for _, b := range col {
			if seen[b.Help().Key] {
				t.Errorf("%q is listed in both blocks", b.Help().Key)
			}
		}
	}
	// the reader lists none of the lab's keys: its lab block is whole
	if got, want := len(flatKeys(a.labHelpNotIn(a.screens[screenReader].FullHelp(), true))), len(flatKeys(a.labFullHelp(true))); got != want {
		t.Errorf("the reader's lab block has %d keys, want %d", got, want)
	}
}

func flatKeys(cols [][]key.Binding) []key.Binding {
	var out []key.Binding
	for _, c := range cols {
		out = append(out, c...)
	}
	return out
}
