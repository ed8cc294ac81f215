package loadbalancing

import (
	"context"
	"fmt"
	"maps"
	"net"
	"time"

	"scalelab/lab"
	"scalelab/lab/haproxy"
)

// Status reads HAProxy's stats (bounded by ctx) for the header: the balancer's port, the
// replicas UP as its checks see them, and the settings.
func (l *lbLab) Status(ctx context.Context) lab.Status {
	l.mu.Lock()
	hap, set, tasks, started := l.hap, l.set, l.tasks, l.started
	l.mu.Unlock()
	st := lab.Status{Applied: set.applied(), Stage: stageOf(set), Conditions: map[string]bool{}}
	if tasks != nil && (tasks[tagSticky] != set.sticky || tasks[tagShared] != set.shared) {
		st.Conditions[condRestartPending] = true
	}
	if l.anyKilled() {
		st.Conditions[condReplicaDown] = true
		st.Stage = killedStage(set)
	}
	if hap == nil {
		st.Err = "the lab is not running"
		if started {
			st.Err = "the lab runs its data only (no replicas, no HAProxy)"
		}
		st.Line, st.Short = st.Err, st.Err
		return st
	}
	reps := l.replicaList()
	up := 0
	stats, err := hap.Stats(ctx)
	if err == nil {
		up = stats.Backend.Active
	}
	_, port, _ := net.SplitHostPort(hap.Addr())
	st.Addr = hap.Addr()
	st.Up = err == nil && up > 0
	switch {
	case err != nil:
		st.Err = "HAProxy does not answer: " + err.Error()
	case up == 0:
		st.Err = "no replica is UP: bring-back (B)"
	}
	ups := fmt.Sprintf("%d UP", up)
	if err != nil {
		ups = "HAProxy not answering"
	}
	st.Line = fmt.Sprintf("HAProxy :%s · %d replicas (%s) · %s", port, len(reps), ups, describe(set))
	st.Short = fmt.Sprintf(":%s · %d/%d UP · %s", port, up, len(reps), shortSet(set))
	return st
}

func shortSet(s settings) string {
	switch {
	case s.shared && s.sticky:
		return "shared+sticky"
	case s.shared:
		return "shared"
	case s.sticky:
		return "sticky"
	}
	return "in memory"
}

// Sample is one tick of the panes: the telemetry fed by HAProxy's request log, its requests
// per second stacked by replica, one gauge group per replica (HAProxy's view of it and its
// own figures) and one for the balancer.
func (l *lbLab) Sample(ctx context.Context) lab.Sample {
	s := lab.Sample{At: time.Now(), Telemetry: l.rec.Snapshot(), CauseHelp: maps.Clone(causeHelp)}
	l.mu.Lock()
	byRep := l.byRep
	l.mu.Unlock()
	if byRep != nil {
		s.Stacks = []lab.Stack{byRep.stack(s.At)}
	}
	hap := l.balancer()
	if hap == nil {
		s.Groups = []lab.GaugeGroup{{Title: "balancer", Err: "the lab is not running"}}
		return s
	}
	stats, err := hap.Stats(ctx)
	for _, r := range l.replicaList() {
		s.Groups = append(s.Groups, l.replicaGroup(ctx, r, stats, err))
	}
	s.Groups = append(s.Groups, l.balancerGroup(hap, stats, err))
	return s
}

// replicaGroup is a replica as HAProxy sees it ("replica-1: UP 12 s") with its requests per
// second, its users and its sessions, on one line: the stack charts the replicas' requests
// per second, so the group draws no chart of its own.
func (l *lbLab) replicaGroup(ctx context.Context, r *replica, stats haproxy.Stats, err error) lab.GaugeGroup {
	g := lab.GaugeGroup{Title: r.name}
	sv, ok := stats.Server(r.name)
	switch {
	case err != nil:
		g.Err = "HAProxy does not answer: " + err.Error()
	case !ok:
		g.Err = "not in HAProxy's configuration"
	default:
		g.Title = fmt.Sprintf("%s: %s %s", r.name, sv.Status, sinceWords(sv.LastChange))
		g.Warn = sv.State != "UP"
	}
	sessions := r.sessions(ctx)
	g.Gauges = []lab.Gauge{
		{Label: "req/s", Value: sv.Rate},
		{Label: "users", Value: r.activeUsers(), Inline: true},
		{Label: "sessions", Value: max(sessions, 0), Inline: true},
	}
	switch {
	case r.isKilled():
		g.Note = "killed: its process is gone, and the sessions it kept in memory with it"
		l.mu.Lock()
		if d, ok := l.detected[r.name]; ok {
			g.Note += fmt.Sprintf("; HAProxy marked it DOWN %.1f s after the kill", d.Seconds())
		}
		l.mu.Unlock()
	case ok && sv.State != "UP":
		g.Note = "HAProxy's checks: " + sv.CheckDesc
	}
	return g
}

// balancerGroup is HAProxy's own figures: requests per second, replicas UP, failures it sent.
func (l *lbLab) balancerGroup(hap *haproxy.Proc, stats haproxy.Stats, err error) lab.GaugeGroup {
	l.mu.Lock()
	set := l.set
	last := l.lastDetect
	d, detected := l.detected[last]
	l.mu.Unlock()
	g := lab.GaugeGroup{Title: "balancer: HAProxy " + hap.Addr() + " · " + describe(set), Chart: "req/s", ChartTitle: "requests per second through HAProxy"}
	if err != nil {
		g.Err = "HAProxy does not answer: " + err.Error()
		return g
	}
	n := len(stats.Servers)
	g.Gauges = []lab.Gauge{
		{Label: "req/s", Value: stats.Frontend.RequestRate},
		{Label: "replicas UP", Value: stats.Backend.Active, Max: n, Bad: stats.Backend.Active < n, Inline: true},
		{Label: "5xx sent", Value: int(stats.Frontend.Responses.R5xx), Bad: stats.Frontend.Responses.R5xx > 0},
		{Label: "4xx sent", Value: int(stats.Frontend.Responses.R4xx), Inline: true},
	}
	cfg := hap.Config()
	g.Note = fmt.Sprintf("health checks: GET /health every %v, DOWN after %d failures, UP after %d passes", cfg.CheckInterval, cfg.Fall, cfg.Rise)
	if detected {
		g.Note += fmt.Sprintf("; %s was marked DOWN %.1f s after its kill", last, d.Seconds())
	}
	return g
}

// sinceWords is a duration since a state change as the header shows it ("12 s", "3 min").
func sinceWords(d time.Duration) string {
	if d < time.Minute {
		return fmt.Sprintf("%d s", int(d.Seconds()))
	}
	if d < time.Hour {
		return fmt.Sprintf("%d min", int(d.Minutes()))
	}
	return fmt.Sprintf("%d h", int(d.Hours()))
}
