package tui

import (
	"testing"

	tea "github.com/charmbracelet/bubbletea"
)

// At 120 columns the pane beside the text keeps the run's last picture and summary after the
// run ends; esc closes it.
func TestRunEndKeepsThePaneBesideTheText(t *testing.T) {
	r := newLabRig(t, 120, 40, nil)
	send(r.tm, "L")
	r.waitMsg(t, "the end of the run", func(m tea.Msg) bool {
		d, ok := m.(ActionDoneMsg)
		return ok && d.Action.Name == "loadtest"
	})
	waitText(t, r.tm, "run ended: ", "esc closes it")
	send(r.tm, "esc")
	a := r.quit(t)
	if a.paneShown() || a.active != screenReader {
		t.Fatalf("esc did not close the pane: shown %v, screen %d", a.paneShown(), a.active)
	}
}
