package singleserver

import (
	"context"

	"scalelab/lab/load"
)

// DefaultMaxConnections is the private cluster's max_connections in the lab: 50, like the
// smallest plans of managed PostgreSQL services (they allow some 20 to 50 connections), where
// PostgreSQL's own default is 100. PostgreSQL enforces it for real ("sorry, too many clients
// already", SQLSTATE 53300).
//
// Why not keep 100: the broken API holds one brand-new connection per request for the 500 ms
// slow query, so 100 users need about 100 connections. With 100 allowed, about 95 users hold one
// and the few left over fail fast and retry; on this 2-core machine that measured 38-46% success
// over 5-30 s runs when it was not busy (and under 10% when it was, where connection setup with
// scram authentication under 100 concurrent connects passes the 150 ms connect timeout: median
// 167-237 ms measured). "Most requests failed" would then depend on how busy the machine is.
// With 50, half the users find no connection slot whatever the machine: the failures are
// too_many_clients and connect_timeout from PostgreSQL and the driver, never injected. Fix 1
// needs 10 connections (plus a few for the lab's own pools), far below the limit.
// An external DATABASE_URL keeps its own max_connections.
const DefaultMaxConnections = 50

// FeedURL is the URL of the lab's GET /feed ("" with NoAPI).
func (l *Lab) FeedURL() string {
	if l.cfg.NoAPI {
		return ""
	}
	l.apiMu.Lock()
	defer l.apiMu.Unlock()
	return "http://" + l.addr + "/feed"
}

// LoadTest runs one load test against the lab's /feed (or opt.URL, when set) and returns it as a
// history record, filed under what it really measured: the stage the lab was in for the whole
// run (broken, fix1, fix2, the 1M-row stages, custom); outage when PostgreSQL or the API was
// down at the start or the end, or went down or restarted in between (PostgreSQL's epoch or the
// API's moved: kill-db, kill-api, bring-back); mixed when the stage changed (a fix was applied,
// the knobs were set, the lab was reset, the table grown or shrunk) during the run. An outside URL is custom. The posts in the table and the result go with it, whose
// failures are explained by the API's own telemetry (connect_timeout, too_many_clients, ...
// instead of "http 503").
//
// The API's telemetry window is reset when the run starts, so the live panes show this run.
// A finished run is added to h (nil: not recorded). A cancelled run returns its partial record
// and an error wrapping context.Canceled, and is not recorded.
func (l *Lab) LoadTest(ctx context.Context, h *load.History, opt load.Options, progress func(load.Progress)) (*load.Record, error) {
	return l.loadTest(ctx, h, opt, progress, load.Record{})
}

// loadTest is LoadTest with the record's Scenario and Lab taken from stamp.
func (l *Lab) loadTest(ctx context.Context, h *load.History, opt load.Options, progress func(load.Progress), stamp load.Record) (*load.Record, error) {
	if l.cfg.NoAPI {
		return nil, ErrNoAPI
	}
	own := opt.URL == ""
	if own {
		opt.URL = l.FeedURL()
	}
	opt, err := opt.Normalize()
	if err != nil {
		return nil, err
	}
	busy := l.changing.Load() > 0
	changes := l.changes.Load()
	epoch, apiEpoch := l.pg.Epoch(), l.apiEpoch.Load()
	st := l.State(ctx)
	stage := st.Stage
	switch {
	case !own:
		stage = load.StateCustom // some other server: its state is not the lab's
	case !st.PGUp || st.APIKilled:
		stage = load.StateOutage
	case busy:
		stage = load.StateMixed // a change of stage under way
	}
	l.rec.Reset()
	res, err := load.Run(ctx, opt, progress)
	if res == nil {
		return nil, err
	}
	if own && stage != load.StateOutage {
		// The learner may apply a fix during the run (the workshop lets them), or the
		// database may go down: such a run is none of the stages, and its numbers must not
		// fill the row of the one it began in. Read even when ctx was cancelled, so that a
		// cancelled run's partial record says the truth too (State bounds its queries to 2 s).
		end := l.State(context.WithoutCancel(ctx))
		switch {
		case !end.PGUp || end.APIKilled || l.pg.Epoch() != epoch || l.apiEpoch.Load() != apiEpoch:
			stage = load.StateOutage
		case end.Stage != st.Stage || l.changing.Load() > 0 || l.changes.Load() != changes:
			stage = load.StateMixed
		}
	}
	if own {
		causes := map[string]int{}
		for c, n := range l.rec.Snapshot().Total.ByCause {
			causes[string(c)] = n
		}
		res.AttributeServerCauses(causes)
	}
	res.State = stage
	rec := &load.Record{Options: opt, State: stage, Scenario: stamp.Scenario, Lab: stamp.Lab, Rows: st.Rows, Result: res}
	if err != nil || h == nil {
		return rec, err
	}
	saved, err := h.Add(*rec)
	if err != nil {
		return rec, err
	}
	return &saved, nil
}

// changed ends a change of stage begun with l.changing.Add(1); did says it changed something.
func (l *Lab) changed(did bool) {
	if did {
		l.changes.Add(1)
	}
	l.changing.Add(-1)
}
