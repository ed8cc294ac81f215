package singleserver

import (
	"context"
	"io/fs"

	"scalelab/lab"
	"scalelab/lab/feed"
)

// Code is the API's handler files the binary runs (feed.Source), in reading order.
func (s *single) Code() (fs.FS, []string) { return feed.Source, feed.SourceFiles }

// codeLiveLines are the lines whose running depends on one knob: the branch of getDB, the
// per-request pool's close or leak, the simulated slow query. Lines are found by their text:
// an edit of the handlers that drops one only loses its mark.
var codeLiveLines = []struct {
	file, text string
	when       func(feed.Knobs) bool
}{
	{"handlers.go", "return app.sharedDB()", func(k feed.Knobs) bool { return k.SharedPool }},
	{"handlers.go", "return app.perRequestDB()", func(k feed.Knobs) bool { return !k.SharedPool }},
	{"handlers.go", "sleep(ctx, app.knobs.SlowQuery)", func(k feed.Knobs) bool { return k.SlowQuery > 0 }},
	{"connect_per_request.go", "return db, func() {}, nil", func(k feed.Knobs) bool { return !k.SharedPool && !k.ClosePerRequest }},
	{"connect_per_request.go", "return db, func() { app.closePool(db) }, nil", func(k feed.Knobs) bool { return !k.SharedPool && k.ClosePerRequest }},
	{"connect_shared.go", "return app.shared, func() {}, nil", func(k feed.Knobs) bool { return k.SharedPool }},
}

// Highlights are the lines the API's knobs make run now (those it was killed with while it is
// down; the knobs it will start with before Start).
func (s *single) Highlights() map[string][]string {
	k := knobsFromApplied(s.cfg.Applied)
	if eng := s.engine(); eng != nil {
		if f := eng.Feed(); f != nil {
			k = f.Knobs()
		} else {
			eng.apiMu.Lock()
			k = eng.knobs
			eng.apiMu.Unlock()
		}
	}
	out := map[string][]string{}
	for _, m := range codeLiveLines {
		if m.when(k) {
			out[m.file] = append(out[m.file], m.text)
		}
	}
	return out
}

// Explain reads EXPLAIN ANALYZE of the feed query, and keeps it as the plan before or after the
// index by what it reads.
func (s *single) Explain(ctx context.Context) (lab.Plan, error) {
	eng, err := s.running()
	if err != nil {
		return lab.Plan{}, err
	}
	if err := eng.pgDown(); err != nil {
		return lab.Plan{}, err
	}
	pp, err := eng.Explain(ctx)
	if err != nil {
		return lab.Plan{}, err
	}
	index, rows, _ := eng.table(ctx)
	p := lab.Plan{Text: pp.Text, Good: pp.IndexScan, Fixed: index, Execution: pp.Execution, Rows: rows, Verdict: pp.Verdict()}
	switch {
	case pp.IndexScan:
		p.Kind = "Index Scan"
	case pp.SeqScan:
		p.Kind = "Seq Scan"
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case pp.IndexScan:
		s.planAfter = p
	case pp.SeqScan:
		s.planBefore = p
	}
	return p, nil
}

// Plans are the latest plans read without the index (a Seq Scan) and with it (an Index Scan).
func (s *single) Plans() (before, after lab.Plan) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.planBefore, s.planAfter
}

// Compile-time checks: the lab offers the code and the plan views.
var (
	_ lab.Lab        = (*single)(nil)
	_ lab.CodeViewer = (*single)(nil)
	_ lab.Planner    = (*single)(nil)
)
