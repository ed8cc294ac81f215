package tui

import (
	"context"
	"os"
	"sort"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"scalelab/content"
	"scalelab/lab/feed"
	"scalelab/lab/load"
	"scalelab/lab/posts"
	"scalelab/lab/singleserver"
	"scalelab/lab/telemetry"
)

// LabAppliedMsg says what the learner applied to the lab last (the fix tags of the Fix 1 boxes
// the API was restarted with; nil after a reset): the app keeps it in the worksheet (its Lab
// field) so that the next start brings the lab back the same.
type LabAppliedMsg struct{ Applied []string }

// presetTag is an applied setting that names a whole preset ("preset:fixed"): a scenario
// without Fix 1 boxes restarts the API with its command's --preset.
const presetTag = "preset:"

// appliedFixes lists the fix tags of the ticked Fix 1 tasks, sorted and without repeats.
func appliedFixes(s *content.Scenario, ticked map[string]bool) []string {
	seen := map[string]bool{}
	if s != nil {
		for _, t := range s.Tasks() {
			if ticked[t.ID] {
				for _, f := range taskFixes(t) {
					seen[f] = true
				}
			}
		}
	}
	out := make([]string, 0, len(seen))
	for f := range seen {
		out = append(out, f)
	}
	sort.Strings(out)
	return out
}

// scenarioFixes lists the fix tags of all the scenario's Fix 1 tasks, ticked or not.
func scenarioFixes(s *content.Scenario) []string {
	all := map[string]bool{}
	if s != nil {
		for _, t := range s.Tasks() {
			all[t.ID] = true
		}
	}
	return appliedFixes(s, all)
}

// knobsFromApplied turns applied settings (fix tags, or a preset tag) into the API's knobs,
// starting from the broken preset; unknown tags are ignored.
func knobsFromApplied(applied []string) feed.Knobs {
	k := feed.Broken()
	for _, f := range applied {
		if p, ok := strings.CutPrefix(f, presetTag); ok {
			if pk, err := feed.ParsePreset(p); err == nil {
				k = pk
			}
			continue
		}
		k = withFix(k, f)
	}
	return k
}

// withFix applies one Fix 1 change to the knobs.
func withFix(k feed.Knobs, fix string) feed.Knobs {
	switch fix {
	case "shared-pool":
		k.SharedPool = true
	case "pool-size":
		k.MaxConns, k.ConnectTimeout = feed.Fixed().MaxConns, feed.Fixed().ConnectTimeout
	case "no-close":
		k.ClosePerRequest = false
	case "no-delay":
		k.SlowQuery = 0
	}
	return k
}

// hasFix tells whether the running knobs include one Fix 1 change.
func hasFix(k feed.Knobs, fix string) bool { return withFix(k, fix) == k }

// hintsNow says which of the lab's Stuck? conditions hold, from the last state read and what
// the controller saw (called from Update: c.tasks is the worksheet's, synced there).
func (c *LabController) hintsNow() map[string]bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	h := map[string]bool{}
	if c.haveState && c.lastState.APIAddr != "" {
		// the boxes and the running API disagree on a change, either way: a box ticked that
		// the API does not have yet, or one unticked that it still runs with
		ticked := map[string]bool{}
		for _, f := range appliedFixes(c.scenario, c.tasks) {
			ticked[f] = true
		}
		for _, f := range scenarioFixes(c.scenario) {
			if ticked[f] != hasFix(c.lastState.Knobs, f) {
				h[HintRestartPending] = true
			}
		}
	}
	if c.indexExisted {
		h[HintIndexExists] = true
	}
	if c.runWhileDown {
		h[HintRunWhileDown] = true
	}
	if c.otherMaxConns != 0 {
		h[HintOtherMaxConnections] = true
	}
	if len(h) == 0 {
		return nil
	}
	return h
}

func sameHints(a, b map[string]bool) bool {
	if len(a) != len(b) {
		return false
	}
	for k := range a {
		if !b[k] {
			return false
		}
	}
	return true
}

// syncTasks copies the worksheet's ticked tasks (on Update's goroutine, the only one that
// changes them) so that the conditions follow a box the moment it is ticked.
func (c *LabController) syncTasks() {
	if c.ws == nil {
		return
	}
	c.SetTasks(c.ws.Tasks)
}

// hintsCmd sends the state line again when the conditions changed since it was last sent.
func (c *LabController) hintsCmd() tea.Cmd {
	c.syncTasks()
	h := c.hintsNow()
	c.mu.Lock()
	st := c.lastStatus
	changed := c.haveState && !sameHints(h, st.Hints)
	if changed {
		st.Hints = h
		c.lastStatus = st
	}
	c.mu.Unlock()
	if !changed {
		return nil
	}
	return func() tea.Msg { return st }
}

// maxConnsCmd reads max_connections of a DATABASE_URL server once the lab is up: the broken
// run fails as the text says only with the private cluster's 50.
func (c *LabController) maxConnsCmd() tea.Cmd {
	l := c.Lab()
	if l == nil || !l.PG().Info().External {
		return nil
	}
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(c.ctx, 2*time.Second)
		defer cancel()
		var n int
		if err := l.DB().QueryRow(ctx, "SELECT current_setting('max_connections')::int").Scan(&n); err != nil {
			return nil
		}
		c.mu.Lock()
		if n != singleserver.DefaultMaxConnections {
			c.otherMaxConns = n
		}
		c.mu.Unlock()
		return labConditionsMsg{}
	}
}

// labConditionsMsg says a condition may have changed: Update sends the hints again if so.
type labConditionsMsg struct{}

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

// recordPlan keeps a plan as the one before or after the index, by what it reads.
func (c *LabController) recordPlan(p posts.Plan) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case p.IndexScan:
		c.planAfter = p
	case p.SeqScan:
		c.planBefore = p
	}
}

// explainMsg is an ExplainMsg for plan with both plans known so far.
func (c *LabController) explainMsg(plan posts.Plan, err error) ExplainMsg {
	c.mu.Lock()
	defer c.mu.Unlock()
	return ExplainMsg{Plan: plan, Before: c.planBefore, After: c.planAfter, Err: err}
}

// applyIndex is Fix 2 with the plan before it: EXPLAIN while there is no index, CREATE INDEX,
// EXPLAIN again. An index that was there already changes nothing (and sets index-exists).
func (c *LabController) applyIndex(ctx context.Context, l *singleserver.Lab) (string, []tea.Msg, error) {
	if has, err := posts.HasIndex(ctx, l.DB()); err == nil && !has {
		if p, err := l.Explain(ctx); err == nil {
			c.recordPlan(p)
		}
	}
	created, err := l.ApplyIndex(ctx)
	if err != nil {
		return "", nil, err
	}
	c.mu.Lock()
	c.indexExisted = !created
	c.mu.Unlock()
	if !created {
		return "Fix 2 was already applied: the index exists", nil, nil
	}
	var msgs []tea.Msg
	if p, err := l.Explain(ctx); err == nil {
		c.recordPlan(p)
		msgs = append(msgs, c.explainMsg(p, nil))
	}
	return "Fix 2 applied: index posts_created_at_idx created (CONCURRENTLY, the API kept serving)", msgs, nil
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

// hintsCmdLater asks Update for the conditions again (a load test just ended).
func (c *LabController) hintsCmdLater() tea.Cmd {
	return func() tea.Msg { return labConditionsMsg{} }
}

// ranWhileDown tells whether a run met a lab that was down: every request failed and the
// failures say the database or the API could not be reached.
func ranWhileDown(r *load.Result) bool {
	if r.Total == 0 || r.Failed < r.Total {
		return false
	}
	for cause := range r.Errors {
		if cause == load.CauseRefused || cause == string(telemetry.DatabaseDown) {
			return true
		}
	}
	return false
}
