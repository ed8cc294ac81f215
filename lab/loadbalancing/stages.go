package loadbalancing

import (
	"context"
	"errors"
	"net/url"
	"slices"

	"scalelab/lab"
	"scalelab/lab/load"
)

// The lab's stages: the rows of the scenario's comparison table.
const (
	stageInMemory   = "in-memory"   // as shipped: round robin, sessions in each replica's memory
	stageSticky     = "sticky"      // Fix A: HAProxy pins each user to a replica
	stageStickyKill = "sticky-kill" // Fix A, a replica killed before or during the run
	stageShared     = "shared"      // Fix B: sessions in PostgreSQL (with or without Fix A)
	stageSharedKill = "shared-kill" // Fix B, a replica killed before or during the run
)

var stages = []lab.Stage{
	{Name: stageInMemory, Title: "Sessions in memory", Labels: []string{"in memory", "in-memory", "round robin"}, Tone: "bad",
		When: "with sessions in each replica's memory, round robin"},
	{Name: stageSticky, Title: "Fix A: sticky sessions", Labels: []string{"fix a", "sticky"}, Tone: "warn", When: "with Fix A, sticky sessions"},
	{Name: stageStickyKill, Title: "Fix A, a replica killed", Labels: []string{"fix a, a replica killed", "sticky, a replica killed"}, Tone: "bad",
		When: "with Fix A, a replica killed during the run"},
	{Name: stageShared, Title: "Fix B: shared sessions", Labels: []string{"fix b", "shared"}, Tone: "good", When: "with Fix B, sessions in PostgreSQL"},
	{Name: stageSharedKill, Title: "Fix B, a replica killed", Labels: []string{"fix b, a replica killed", "shared, a replica killed"}, Tone: "warn",
		When: "with Fix B, a replica killed during the run"},
}

// Stages hands out a copy: a caller cannot change the lab's records.
func (l *lbLab) Stages() []lab.Stage { return slices.Clone(stages) }

// stageOf is the stage of a run with set and every replica up.
func stageOf(set settings) string {
	switch {
	case set.shared:
		return stageShared
	case set.sticky:
		return stageSticky
	}
	return stageInMemory
}

// killedStage is the stage of a run with set during which a replica was down; the shipped
// lab has no row of its own for it: an outage run.
func killedStage(set settings) string {
	switch {
	case set.shared:
		return stageSharedKill
	case set.sticky:
		return stageStickyKill
	}
	return lab.StageOutage
}

// StageAfter replays the commands as the scenario runs them: its first start applies Fix A,
// the next ones Fix B; kill-replica takes a replica down until bring-back or a start; reset
// goes back to the shipped lab.
func (l *lbLab) StageAfter(actions []string) string {
	starts, killed := 0, false
	for _, name := range actions {
		a, ok := lab.FindAction(l, name)
		if !ok {
			continue
		}
		switch a.Name {
		case actStart:
			starts, killed = starts+1, false
		case actKill:
			killed = true
		case actBringBack:
			killed = false
		case actReset:
			starts, killed = 0, false
		}
	}
	set := settings{sticky: starts == 1, shared: starts >= 2}
	if killed {
		return killedStage(set)
	}
	return stageOf(set)
}

// LoadTest runs the users' load (loadAsUsers, with HAProxy's log for the failure window)
// against the balancer, or against opt.URL's host (a replica hit directly: a custom run), and
// files it under the stage it measured: a kill
// stage when a replica was down at its start or was killed or brought back during it, mixed
// when the settings changed during it.
func (l *lbLab) LoadTest(ctx context.Context, h *load.History, opt load.Options, progress func(load.Progress)) (*load.Record, error) {
	hap := l.balancer()
	if hap == nil {
		return nil, errNotStarted
	}
	if opt.URL == "" {
		opt.URL = hap.URL() + "/me/feed"
	}
	opt, err := opt.Normalize()
	if err != nil {
		return nil, err
	}
	l.mu.Lock()
	set := l.set
	l.mu.Unlock()
	kills, changes := l.kills.Load(), l.changes.Load()
	downAtStart := l.anyKilled()
	u, _ := url.Parse(opt.URL)
	var rl *runLog
	if u.Host == hap.Addr() {
		rl = &runLog{path: u.Path}
		l.mu.Lock()
		l.run = rl
		l.mu.Unlock()
		defer func() {
			l.mu.Lock()
			l.run = nil
			l.mu.Unlock()
		}()
	}
	res, fig, err := loadAsUsers(ctx, opt, rl, l.served, progress)
	if res == nil {
		return nil, err
	}
	state := stageOf(set)
	switch {
	case u.Host != hap.Addr():
		state = lab.StageCustom
	case changes != l.changes.Load():
		state = lab.StageMixed
	case downAtStart || kills != l.kills.Load():
		state = killedStage(set)
	}
	res.State = state
	l.mu.Lock()
	l.lastRun = fig
	l.mu.Unlock()
	rec := load.Record{At: fig.Begin, Options: opt, State: state, Scenario: l.cfg.Scenario, Lab: labName, Result: res}
	if h != nil && !errors.Is(err, context.Canceled) {
		added, herr := h.Add(rec)
		if herr != nil {
			return &rec, herr
		}
		rec = added
	}
	return &rec, err
}

// served is each replica's count of requests served since the lab started.
func (l *lbLab) served() map[string]int64 {
	out := map[string]int64{}
	for _, r := range l.replicaList() {
		out[r.name] = r.requests.Load()
	}
	return out
}

// anyKilled tells whether a replica is down now.
func (l *lbLab) anyKilled() bool {
	return slices.ContainsFunc(l.replicaList(), (*replica).isKilled)
}
