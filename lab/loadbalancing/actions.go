package loadbalancing

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"scalelab/lab"
	"scalelab/lab/haproxy"
)

// The lab's action names.
const (
	actLoadTest  = "loadtest"
	actStart     = "start"
	actKill      = "kill-replica"
	actBringBack = "bring-back"
	actReset     = "reset"
)

// Actions hands out a copy: a caller cannot change the lab's records.
func (l *lbLab) Actions() []lab.Action { return slices.Clone(l.actions) }

func (l *lbLab) makeActions() []lab.Action {
	return []lab.Action{
		{Name: actLoadTest, Aliases: []string{"load"}, Key: "L", Load: true, NeedsServer: true,
			Help: "log 100 users in through HAProxy, then load GET /me/feed with their sessions", Doing: "running the load test…"},
		{Name: actStart, Aliases: []string{"serve", "restart"}, Key: "R", NeedsServer: true,
			Help: "restart the replicas and HAProxy with the ticked fixes", Doing: "restarting with the ticked fixes…", Do: l.doStart},
		{Name: actKill, Aliases: []string{"killreplica"}, Key: "K", DuringLoad: true, NeedsServer: true, InWorkshop: true,
			Help: "crash the replica serving the most users (or --replica N)", Doing: "killing a replica…", Do: l.doKill},
		{Name: actBringBack, Aliases: []string{"start-replica", "recover"}, Key: "B", DuringLoad: true, NeedsServer: true, InWorkshop: true,
			Help: "start the killed replicas again on their ports", Doing: "bringing the replicas back…", Do: l.doBringBack},
		{Name: actReset, Key: "X", Confirm: "Reset the lab: sessions in memory, round robin, every replica restarted, sessions deleted?",
			Help: "back to the lab as shipped: no fix, every replica fresh, no session", Doing: "resetting the lab…", Do: l.doReset},
	}
}

// wanted is the settings a start applies: `--preset NAME` (a stage name), `--sticky` and
// `--shared-sessions` in args, else the ticked tasks, else what runs now.
func (l *lbLab) wanted(args []string) (settings, error) {
	l.mu.Lock()
	cur, tasks := l.set, l.tasks
	l.mu.Unlock()
	if len(args) == 0 {
		if tasks == nil {
			return cur, nil
		}
		return settings{sticky: tasks[tagSticky], shared: tasks[tagShared]}, nil
	}
	var s settings
	for i := 0; i < len(args); i++ {
		switch a := args[i]; a {
		case "--sticky":
			s.sticky = true
		case "--shared-sessions":
			s.shared = true
		case "--preset":
			if i+1 >= len(args) {
				return s, errors.New("--preset needs a name: in-memory, sticky or shared")
			}
			i++
			switch args[i] {
			case stageInMemory:
				s = settings{}
			case stageSticky:
				s = settings{sticky: true}
			case stageShared:
				s = settings{shared: true}
			default:
				return s, fmt.Errorf("no preset %q: in-memory, sticky or shared", args[i])
			}
		default:
			return s, fmt.Errorf("start takes --preset NAME, --sticky or --shared-sessions, not %q", a)
		}
	}
	return s, nil
}

func describe(s settings) string {
	sess, bal := "sessions in memory", "round robin"
	if s.shared {
		sess = "sessions in PostgreSQL"
	}
	if s.sticky {
		bal = "sticky sessions"
	}
	return sess + " · " + bal
}

// doStart applies the wanted settings: killed replicas start again, every replica restarts
// when the session store changes (a restart empties their memory), and HAProxy reloads when
// stickiness changes.
func (l *lbLab) doStart(ctx context.Context, req lab.Request) (lab.Outcome, error) {
	want, err := l.wanted(req.Args)
	if err != nil {
		return lab.Outcome{}, err
	}
	return l.apply(ctx, want, false)
}

// apply brings the lab to want; fresh restarts every replica whatever changed (reset).
func (l *lbLab) apply(ctx context.Context, want settings, fresh bool) (lab.Outcome, error) {
	l.actMu.Lock()
	defer l.actMu.Unlock()
	hap := l.balancer()
	if hap == nil {
		return lab.Outcome{}, errNotStarted
	}
	l.mu.Lock()
	old, dbURL := l.set, l.pg.URL()
	l.mu.Unlock()
	restart := fresh || old.shared != want.shared
	var back []string
	for _, r := range l.replicaList() {
		if r.current() != nil && !restart {
			continue
		}
		if r.current() == nil {
			back = append(back, r.name)
		}
		r.stop()
		if err := r.start(ctx, dbURL, want.shared); err != nil {
			return lab.Outcome{}, err
		}
	}
	if len(back) > 0 {
		l.kills.Add(1)
	}
	if old.sticky != want.sticky {
		if err := hap.Reload(ctx, l.haproxyConfig("", want)); err != nil {
			return lab.Outcome{}, err
		}
	}
	l.mu.Lock()
	l.set = want
	l.mu.Unlock()
	if old != want || restart {
		l.changes.Add(1)
		l.waitChecked(ctx, 3*time.Second)
	}
	applied := want.applied()
	if applied == nil {
		applied = []string{}
	}
	sum := "running with " + describe(want)
	if restart {
		sum = "replicas restarted: " + sum
	}
	if len(back) > 0 {
		sum += "; started again: " + strings.Join(back, ", ")
	}
	return lab.Outcome{Summary: sum, Applied: applied}, nil
}

// replicaArg is the replica `--replica N` (or a bare N) names; nil without one.
func (l *lbLab) replicaArg(args []string) (*replica, error) {
	var s string
	switch {
	case len(args) == 0:
		return nil, nil
	case len(args) == 2 && args[0] == "--replica":
		s = args[1]
	case len(args) == 1:
		s = strings.TrimPrefix(strings.TrimPrefix(args[0], "--replica="), "replica-")
	default:
		return nil, fmt.Errorf("give --replica N, not %q", strings.Join(args, " "))
	}
	reps := l.replicaList()
	n, err := strconv.Atoi(strings.TrimPrefix(s, "replica-"))
	if err != nil || n < 1 || n > len(reps) {
		return nil, fmt.Errorf("no replica %q: give 1 to %d", s, len(reps))
	}
	return reps[n-1], nil
}

// busiest is the running replica serving the most users now (the first on a tie), or nil.
func (l *lbLab) busiest() (*replica, int) {
	var best *replica
	users := -1
	for _, r := range l.replicaList() {
		if r.current() == nil {
			continue
		}
		if n := r.activeUsers(); n > users {
			best, users = r, n
		}
	}
	return best, users
}

// doKill crashes a replica, then waits for HAProxy to mark it DOWN (its log's state change)
// and says how long that took.
func (l *lbLab) doKill(ctx context.Context, req lab.Request) (lab.Outcome, error) {
	hap := l.balancer()
	if hap == nil {
		return lab.Outcome{}, errNotStarted
	}
	r, err := l.replicaArg(req.Args)
	if err != nil {
		return lab.Outcome{}, err
	}
	users := 0
	if r == nil {
		if r, users = l.busiest(); r == nil {
			return lab.Outcome{}, errors.New("every replica is down already: bring-back first")
		}
	} else {
		users = r.activeUsers()
	}
	// Before a server's first check a single failure marks it DOWN: wait for that check, so
	// the detection time is the usual one.
	l.waitChecked(ctx, 3*time.Second)
	at := time.Now()
	if !r.crash() {
		return lab.Outcome{Summary: r.name + " is down already"}, nil
	}
	l.mu.Lock()
	l.killedAt[r.name] = at
	delete(l.detected, r.name)
	l.mu.Unlock()
	l.kills.Add(1)
	cfg := hap.Config()
	_, maxWin := cfg.DetectionWindow()
	sum := fmt.Sprintf("killed %s (serving %d users)", r.name, users)
	if d, ok := l.waitDetected(ctx, hap, r.name, maxWin+2*cfg.CheckInterval); ok {
		sum += fmt.Sprintf("; HAProxy marked it DOWN %.2f s later (checks every %v, %d failed in a row)", d.Seconds(), cfg.CheckInterval, cfg.Fall)
	} else {
		sum += "; HAProxy has not marked it DOWN yet"
	}
	return lab.Outcome{Summary: sum}, nil
}

// waitDetected waits up to max for HAProxy's DOWN of a killed replica: its log line, or
// (should the datagram be lost) the state its stats show, read every 50 ms.
func (l *lbLab) waitDetected(ctx context.Context, hap *haproxy.Proc, name string, max time.Duration) (time.Duration, bool) {
	deadline := time.Now().Add(max)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		if st, err := hap.Stats(ctx); err == nil {
			if sv, ok := st.Server(name); ok && sv.State == "DOWN" {
				l.noteDown(name, time.Now())
			}
		}
		l.mu.Lock()
		d, ok := l.detected[name]
		l.mu.Unlock()
		if ok {
			return d, true
		}
		time.Sleep(50 * time.Millisecond)
	}
	return 0, false
}

// doBringBack starts the killed replicas (or the one --replica names) again on their ports
// and waits (up to 5 s) for HAProxy to mark them UP.
func (l *lbLab) doBringBack(ctx context.Context, req lab.Request) (lab.Outcome, error) {
	l.actMu.Lock()
	defer l.actMu.Unlock()
	hap := l.balancer()
	if hap == nil {
		return lab.Outcome{}, errNotStarted
	}
	only, err := l.replicaArg(req.Args)
	if err != nil {
		return lab.Outcome{}, err
	}
	l.mu.Lock()
	set, dbURL := l.set, l.pg.URL()
	l.mu.Unlock()
	var back []string
	at := time.Now()
	for _, r := range l.replicaList() {
		if r.current() != nil || (only != nil && r != only) {
			continue
		}
		if err := r.start(ctx, dbURL, set.shared); err != nil {
			return lab.Outcome{}, err
		}
		back = append(back, r.name)
	}
	if len(back) == 0 {
		return lab.Outcome{Summary: "every replica is running"}, nil
	}
	l.kills.Add(1)
	sum := "started again: " + strings.Join(back, ", ")
	if l.waitUp(ctx, hap, back, 5*time.Second) {
		sum += fmt.Sprintf("; HAProxy marked them UP %.1f s later (%d passed checks)", time.Since(at).Seconds(), hap.Config().Rise)
	} else {
		sum += "; HAProxy has not marked them UP yet"
	}
	return lab.Outcome{Summary: sum}, nil
}

// waitUp waits until HAProxy sees every named server UP.
func (l *lbLab) waitUp(ctx context.Context, hap *haproxy.Proc, names []string, max time.Duration) bool {
	ctx, cancel := context.WithTimeout(ctx, max)
	defer cancel()
	for {
		if st, err := hap.Stats(ctx); err == nil {
			up := true
			for _, n := range names {
				if sv, ok := st.Server(n); !ok || sv.State != "UP" {
					up = false
				}
			}
			if up {
				return true
			}
		}
		select {
		case <-ctx.Done():
			return false
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// doReset goes back to the lab as shipped: no fix, every replica restarted (their memory
// empty), the sessions table emptied.
func (l *lbLab) doReset(ctx context.Context, _ lab.Request) (lab.Outcome, error) {
	l.mu.Lock()
	db := l.db
	l.mu.Unlock()
	if db == nil {
		return lab.Outcome{}, errNotStarted
	}
	if _, err := db.Exec(ctx, "TRUNCATE sessions"); err != nil {
		return lab.Outcome{}, fmt.Errorf("empty the sessions table: %w", err)
	}
	if l.balancer() == nil { // the data only (a one-shot command)
		l.mu.Lock()
		l.set = settings{}
		l.mu.Unlock()
		return lab.Outcome{Summary: "sessions deleted; the next start runs the lab as shipped", Reset: true}, nil
	}
	if _, err := l.apply(ctx, settings{}, true); err != nil {
		return lab.Outcome{}, err
	}
	return lab.Outcome{Summary: "reset: " + describe(settings{}) + ", every replica restarted, no session left", Reset: true}, nil
}
