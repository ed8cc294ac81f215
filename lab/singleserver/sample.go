package singleserver

import (
	"context"
	"time"

	"scalelab/lab"
	"scalelab/lab/feed"
	"scalelab/lab/load"
	"scalelab/lab/numfmt"
	"scalelab/lab/telemetry"
)

// Sample is one tick of the panes: the API's telemetry, its pool and PostgreSQL's backends
// (bounded to 1 s by feed.Stats). The full text of the API's failures (feed.Stats.LastErrors)
// stays out of the panes.
func (s *single) Sample(ctx context.Context) lab.Sample {
	out := lab.Sample{At: time.Now()}
	eng := s.engine()
	if eng == nil {
		return out
	}
	out.Telemetry = eng.Recorder().Snapshot()
	out.CauseHelp = drillHelp(eng)
	f := eng.Feed()
	if f == nil {
		msg := "the lab runs without its feed API"
		if eng.apiKilled.Load() {
			msg = "API killed: B brings it back"
		}
		out.Groups = []lab.GaugeGroup{{Title: "API", Warn: true, Err: msg}}
		return out
	}
	st := f.Stats(ctx)
	out.At = st.At
	out.Groups = []lab.GaugeGroup{s.poolGroup(st), backendsGroup(st, out.Telemetry.Total.ByCause)}
	return out
}

// drillHelp says what the failures mean while a drill has taken part of the lab down (nil
// otherwise: load.CauseHelp says it in general words).
func drillHelp(eng *Lab) map[string]string {
	h := map[string]string{}
	if eng.pgDown() != nil {
		h[string(telemetry.DatabaseDown)] = "PostgreSQL is down: it was killed (kill-db) and stays down until B brings it back"
	}
	if eng.apiKilled.Load() {
		h[load.CauseRefused] = "the API is down: it was killed (kill-api) and nothing listens on its port until B brings it back"
	}
	if len(h) == 0 {
		return nil
	}
	return h
}

// poolGroup is the API's connection pool(s): the shared pool's use and waits, or the
// per-request pools made and open.
func (s *single) poolGroup(st feed.Stats) lab.GaugeGroup {
	p := st.Pool
	if !st.Knobs.SharedPool {
		return lab.GaugeGroup{Title: "API: per-request pools (" + st.Preset + ")", Warn: true, Gauges: []lab.Gauge{
			{Label: "live pools", Value: st.LivePools},
			{Label: "made", Value: int(st.PoolsCreated), Inline: true},
			{Label: "in use", Value: int(p.Acquired)},
			{Label: "opening", Value: int(p.Constructing), Inline: true},
		}}
	}
	return lab.GaugeGroup{Title: "API: shared pool (" + st.Preset + ")", Gauges: []lab.Gauge{
		{Label: "in use", Value: int(p.Acquired), Max: int(p.MaxConns), Bad: p.MaxConns > 0 && p.Acquired >= p.MaxConns},
		{Label: "idle", Value: int(p.Idle)},
		{Label: "opening", Value: int(p.Constructing), Inline: true},
		{Label: "waited", Value: int(p.EmptyAcquire), Rate: s.waitRate(st.At, p.EmptyAcquire)},
	}}
}

// waitRate is how many acquires per second waited on an empty pool since the previous sample
// (0 on the first, or when the counter went back: a new API after a kill).
func (s *single) waitRate(at time.Time, empty int64) float64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	rate := 0.0
	if !s.prevAt.IsZero() && at.After(s.prevAt) && empty >= s.prevEmpty {
		rate = float64(empty-s.prevEmpty) / at.Sub(s.prevAt).Seconds()
	}
	s.prevAt, s.prevEmpty = at, empty
	return rate
}

// backendsGroup is PostgreSQL's client backends against max_connections, the API's and how
// many run a query, with the reading of poolWhy when the run's failures are timeouts.
func backendsGroup(st feed.Stats, causes map[telemetry.Cause]int) lab.GaugeGroup {
	g := lab.GaugeGroup{Title: "PostgreSQL backends", Chart: "backends", ChartTitle: "API backends per second:"}
	if st.Backends < 0 {
		g.Err = "PostgreSQL: no answer"
		if st.DBErr != "" {
			g.Err += " (" + firstLine(st.DBErr) + ")"
		}
		return g
	}
	mc := st.MaxConnections
	g.Gauges = []lab.Gauge{
		{Label: "backends", Value: st.Backends, Max: mc, Bad: mc > 0 && st.Backends >= mc-3},
		{Label: "API", Value: st.APIBackends},
		{Label: "running", Value: st.ActiveBackends, Inline: true},
	}
	// Only when timeouts are the run's story: when PostgreSQL refused more connections than
	// timed out, the backends were at max_connections and the limit explains the failures.
	if timedOut := causes[telemetry.ConnectTimeout]; timedOut >= causes[telemetry.TooManyClients] {
		g.Note = poolWhy(st.Knobs, int(st.Pool.Constructing), st.Backends, mc, timedOut)
	}
	return g
}

// poolWhy says why PostgreSQL's backends stay low while the API opens many connections (now,
// or in the run shown, whose requests timed out connecting): with a pool per request and a
// short connect timeout, a connection that is not open in time is abandoned, so it never
// becomes a backend doing work. "" when that is not what is seen.
func poolWhy(k feed.Knobs, opening, backends, maxConns, timedOut int) string {
	if k.SharedPool || k.ConnectTimeout <= 0 || (opening <= backends && timedOut == 0) {
		return ""
	}
	if maxConns > 0 && backends*2 >= maxConns {
		return "" // the backends did rise: PostgreSQL's limit is the story, not the timeout
	}
	return "few backends: connections time out (" + numfmt.Dur(k.ConnectTimeout) + ") before they open"
}
