package tui

import (
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
	acts, views := a.labHelpNotIn(screen, false)
	for _, b := range append(acts, views...) {
		if seen[b.Help().Key] {
			t.Errorf("%q is listed in both blocks", b.Help().Key)
		}
	}
	// the reader lists none of the lab's keys: its lab block is whole (the actions, S, 5 views)
	acts, views = a.labHelpNotIn(a.screens[screenReader].FullHelp(), true)
	if got, want := len(acts)+len(views), len(a.c.actKeys)+1+5; got != want {
		t.Errorf("the reader's lab block has %d keys, want %d", got, want)
	}
}
