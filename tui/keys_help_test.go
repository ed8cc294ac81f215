package tui

import (
	"slices"
	"testing"
)

// In the code view f is listed once, for what it does now; T names the theme it switches to.
func TestHelpOffersWhatAKeyDoesNow(t *testing.T) {
	a, _ := builtinApp(t, 80, 24, false)
	a.Update(keyMsg("c"))
	v := a.screens[screenCode].(*codeView)
	count := func() (n int, help string) {
		for _, col := range v.FullHelp() {
			for _, b := range col {
				if slices.Contains(b.Keys(), "f") {
					n++
					help = b.Help().Desc
				}
			}
		}
		return n, help
	}
	if n, h := count(); n != 1 || h != "beside the next file" {
		t.Fatalf("f listed %d times, as %q", n, h)
	}
	a.Update(keyMsg("f"))
	if n, h := count(); n != 1 || h != "one file" {
		t.Fatalf("side by side on: f listed %d times, as %q", n, h)
	}
	if got := a.c.keys.Theme.Help().Desc; got != "projector theme" {
		t.Fatalf("T offers %q on the default theme", got)
	}
	a.Update(keyMsg("T"))
	if got := a.c.keys.Theme.Help().Desc; got != "default theme" {
		t.Fatalf("T offers %q on the projector theme", got)
	}
}
