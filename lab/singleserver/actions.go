package singleserver

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"scalelab/lab"
	"scalelab/lab/numfmt"
	"scalelab/lab/posts"
	"scalelab/sql"
)

// Action names of the lab (the scenario's command blocks and `scalelab NAME`).
const (
	actLoadTest    = "loadtest"
	actStart       = "start"
	actApplyFix    = "apply-fix"
	actExplain     = "explain-query"
	actReset       = "reset"
	actKillDB      = "kill-db"
	actKillAPI     = "kill-api"
	actBringBack   = "bring-back"
	actGrowTable   = "grow-table"
	actShrinkTable = "shrink-table"
)

// makeActions is the lab's action records, in the order help lists them.
func (s *single) makeActions() []lab.Action {
	return []lab.Action{
		{Name: actLoadTest, Aliases: []string{"load"}, Key: "L", Load: true, NeedsServer: true,
			Help: "run a load test against the feed API (-c users, -z duration)", Doing: "load test running…"},
		{Name: actStart, Aliases: []string{"serve", "restart"}, Key: "R",
			Help: "restart the API with the ticked fixes", Doing: "restarting the API…", Do: s.start},
		{Name: actApplyFix, Aliases: []string{"applyfix"}, Key: "F", DuringLoad: true,
			Help: "apply Fix 2: create the index on created_at while the API serves", Doing: "applying Fix 2…", Do: s.applyFix},
		{Name: actExplain, Aliases: []string{"explain"}, Key: "E", DuringLoad: true,
			Help: "EXPLAIN ANALYZE the feed query", Doing: "reading the query plan…", Do: s.explain},
		{Name: actReset, Key: "X", Confirm: "Reset the lab: broken API, no index, posts reseeded?",
			Help: "reset the lab: the broken API, no index, the posts reseeded", Doing: "resetting the lab…", Do: s.reset},
		{Name: actKillDB, Key: "D", DuringLoad: true, NeedsServer: true, InWorkshop: true,
			Help: "kill PostgreSQL (SIGKILL of the postmaster); it stays down until B", Doing: "killing PostgreSQL…", Do: s.killDB},
		{Name: actKillAPI, Key: "K", DuringLoad: true, NeedsServer: true, InWorkshop: true,
			Help: "kill the feed API as a crash would (requests in flight dropped); it stays down until B", Doing: "killing the API…", Do: s.killAPI},
		{Name: actBringBack, Aliases: []string{"start-db", "start-api", "recover"}, Key: "B", DuringLoad: true, NeedsServer: true, InWorkshop: true,
			Help: "bring back what was killed: PostgreSQL first, then the API", Doing: "bringing the lab back…", Do: s.bringBack},
		{Name: actGrowTable, Key: "M",
			Help: "grow the posts table to 1,000,000 rows (the index is dropped first)", Doing: "growing the posts table…", Do: s.growTable},
		{Name: actShrinkTable,
			Help: "shrink the posts table back to the lab's 10,000 rows", Doing: "shrinking the posts table…", Do: s.shrinkTable},
	}
}

func (s *single) Actions() []lab.Action { return slices.Clone(s.actions) }

// start restarts the API with the Fix 1 changes of the ticked tasks, or with the command's
// --preset when the scenario has no Fix 1 tasks.
func (s *single) start(ctx context.Context, req lab.Request) (lab.Outcome, error) {
	eng, err := s.running()
	if err != nil {
		return lab.Outcome{}, err
	}
	s.mu.Lock()
	ticked := s.tasks
	s.mu.Unlock()
	k, changes, total := knobsFromTasks(ticked)
	applied := appliedFixes(ticked)
	if total == 0 {
		k = presetFromArgs(req.Args)
		applied = []string{presetTag + k.Preset()}
	}
	if err := eng.SetKnobs(ctx, k); err != nil {
		return lab.Outcome{}, err
	}
	s.mu.Lock()
	s.applied = applied
	s.mu.Unlock()
	msg := fmt.Sprintf("API restarted: %s (%s)", k.Preset(), k)
	if total > 0 {
		msg = fmt.Sprintf("API restarted with %d of %d Fix 1 changes: %s", changes, total, k.Preset())
		if changes == 0 {
			msg += " — tick the boxes above to apply them"
		}
	}
	return lab.Outcome{Summary: msg, Applied: applied}, nil
}

// applyFix is Fix 2 with the plan before it: EXPLAIN while there is no index, CREATE INDEX
// CONCURRENTLY, EXPLAIN again. An index that was there already changes nothing (and sets
// index-exists).
func (s *single) applyFix(ctx context.Context, _ lab.Request) (lab.Outcome, error) {
	eng, err := s.running()
	if err != nil {
		return lab.Outcome{}, err
	}
	if err := eng.pgDown(); err != nil {
		return lab.Outcome{}, err
	}
	if has, err := posts.HasIndex(ctx, eng.DB()); err == nil && !has {
		_, _ = s.Explain(ctx) // the plan before, for the plan view
	}
	created, err := eng.ApplyIndex(ctx)
	if err != nil {
		return lab.Outcome{}, err
	}
	s.mu.Lock()
	s.indexExisted = !created
	s.mu.Unlock()
	if !created {
		return lab.Outcome{Summary: "Fix 2 was already applied: the index exists"}, nil
	}
	out := lab.Outcome{Summary: "Fix 2 applied: index " + sql.IndexName + " created (CONCURRENTLY, the API kept serving)"}
	if p, err := s.Explain(ctx); err == nil {
		out.Plan = &p
	}
	return out, nil
}

func (s *single) explain(ctx context.Context, _ lab.Request) (lab.Outcome, error) {
	p, err := s.Explain(ctx)
	if err != nil {
		return lab.Outcome{}, err
	}
	return lab.Outcome{Summary: "EXPLAIN: " + p.Verdict, Detail: p.Text, Plan: &p}, nil
}

func (s *single) reset(ctx context.Context, _ lab.Request) (lab.Outcome, error) {
	eng, err := s.running()
	if err != nil {
		return lab.Outcome{}, err
	}
	if err := eng.pgDown(); err != nil {
		return lab.Outcome{}, err
	}
	if err := eng.Reset(ctx); err != nil {
		return lab.Outcome{}, err
	}
	s.mu.Lock()
	s.indexExisted, s.applied = false, nil
	s.mu.Unlock()
	return lab.Outcome{Summary: fmt.Sprintf("lab reset: broken API, no index, %s posts reseeded", numfmt.Int(eng.Rows())), Reset: true}, nil
}

func (s *single) killDB(ctx context.Context, _ lab.Request) (lab.Outcome, error) {
	eng, err := s.running()
	if err != nil {
		return lab.Outcome{}, err
	}
	killed, err := eng.KillDB(ctx)
	if err != nil {
		return lab.Outcome{}, err
	}
	if !killed {
		return lab.Outcome{Summary: "PostgreSQL is down already: B brings it back"}, nil
	}
	return lab.Outcome{Summary: "PostgreSQL killed (SIGKILL of the postmaster): every request needing the database fails now; B brings it back"}, nil
}

func (s *single) killAPI(ctx context.Context, _ lab.Request) (lab.Outcome, error) {
	eng, err := s.running()
	if err != nil {
		return lab.Outcome{}, err
	}
	killed, err := eng.KillAPI()
	if err != nil {
		return lab.Outcome{}, err
	}
	if !killed {
		return lab.Outcome{Summary: "the API is down already: B brings it back"}, nil
	}
	return lab.Outcome{Summary: "API killed: its port is closed and the requests in flight got no answer; B brings it back"}, nil
}

func (s *single) bringBack(ctx context.Context, _ lab.Request) (lab.Outcome, error) {
	eng, err := s.running()
	if err != nil {
		return lab.Outcome{}, err
	}
	what, err := eng.BringBack(ctx)
	if err != nil {
		return lab.Outcome{}, err
	}
	if len(what) == 0 {
		return lab.Outcome{Summary: "nothing to bring back: PostgreSQL and the API are up"}, nil
	}
	return lab.Outcome{Summary: "brought back: " + strings.Join(what, ", then ") + "; the feed answers again"}, nil
}

func (s *single) growTable(ctx context.Context, req lab.Request) (lab.Outcome, error) {
	eng, err := s.running()
	if err != nil {
		return lab.Outcome{}, err
	}
	if err := eng.pgDown(); err != nil {
		return lab.Outcome{}, err
	}
	dropped, took, err := eng.Grow(ctx, growRows, req.Progress)
	if err != nil {
		return lab.Outcome{}, err
	}
	msg := fmt.Sprintf("posts grown to %s in %s", numfmt.Int(growRows), numfmt.Dur(took))
	if dropped {
		msg += "; the index was dropped first (apply-fix creates it again)"
	} else {
		msg += "; no index on created_at (apply-fix creates it)"
	}
	return lab.Outcome{Summary: msg}, nil
}

func (s *single) shrinkTable(ctx context.Context, req lab.Request) (lab.Outcome, error) {
	eng, err := s.running()
	if err != nil {
		return lab.Outcome{}, err
	}
	if err := eng.pgDown(); err != nil {
		return lab.Outcome{}, err
	}
	shrunk, err := eng.Shrink(ctx, req.Progress)
	if err != nil {
		return lab.Outcome{}, err
	}
	if !shrunk {
		return lab.Outcome{Summary: fmt.Sprintf("the posts table holds %s posts or fewer already", numfmt.Int(eng.Rows()))}, nil
	}
	return lab.Outcome{Summary: fmt.Sprintf("posts back to %s (the index kept as it was)", numfmt.Int(eng.Rows()))}, nil
}
