package tui

import (
	"os"
	"time"

	tea "github.com/charmbracelet/bubbletea"
)

// LabAppliedMsg says what the learner applied to the lab last (lab.Outcome.Applied, in the form
// lab.Config.Applied takes): the app keeps it in the worksheet (its Lab field) so that the next
// start brings the lab back the same. Reset says the lab is back at the scenario's start: the
// worksheet forgets the settings and the ticked tasks.
type LabAppliedMsg struct {
	Applied []string
	Reset   bool
}

// histStatMsg says the run history file changed on disk (its modification time).
type histStatMsg struct{ mod time.Time }

// watchHistoryCmd checks, at most once a second, whether runs.json changed (a run recorded
// from another terminal); the controller then fills the tables from it again.
func (c *LabController) watchHistoryCmd() tea.Cmd {
	if c.hist == nil {
		return nil
	}
	c.mu.Lock()
	if time.Since(c.histCheck) < time.Second {
		c.mu.Unlock()
		return nil
	}
	c.histCheck = time.Now()
	known := c.histMod
	c.mu.Unlock()
	path := c.hist.Path()
	return func() tea.Msg {
		fi, err := os.Stat(path)
		if err != nil || fi.ModTime().Equal(known) {
			return nil
		}
		return histStatMsg{mod: fi.ModTime()}
	}
}

// newRuns adds to fresh the stages of the runs recorded since the tables were last filled, and
// remembers the newest; the first fill takes the history as it is (nothing is fresh).
func (c *LabController) newRuns(fresh map[string]bool) map[string]bool {
	seen := c.histSeen.Load()
	top := seen
	out := map[string]bool{}
	for k, v := range fresh {
		out[k] = v
	}
	for _, r := range c.hist.List() {
		if seen >= 0 && int64(r.ID) > seen && r.Result != nil {
			out[r.State] = true
		}
		top = max(top, int64(r.ID))
	}
	c.histSeen.Store(max(top, 0))
	return out
}
