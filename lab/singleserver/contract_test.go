package singleserver

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"scalelab/lab"
	"scalelab/lab/load"
	"scalelab/lab/pg"
	"scalelab/lab/pg/pgtest"
)

// newLab makes and starts the registered single-server lab with cfg (on a database of its own
// of the test PostgreSQL unless cfg says otherwise, the API on any free port), closed at the end.
func newLab(t *testing.T, cfg lab.Config) lab.Lab {
	t.Helper()
	t.Setenv("SCALELAB_HOME", t.TempDir())
	if cfg.DBURL == "" && cfg.DataDir == "" {
		cfg.DBURL = pgtest.NewDatabase(t)
	}
	if cfg.Addr == "" {
		cfg.Addr = "127.0.0.1:0"
	}
	if cfg.Rows == 0 {
		cfg.Rows = 2_000
	}
	l, err := lab.New(lab.Default, cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	if err := l.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := l.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return l
}

// do runs the lab's action that name names, failing the test on an error.
func do(t *testing.T, l lab.Lab, name string, args ...string) lab.Outcome {
	t.Helper()
	a, ok := lab.FindAction(l, name)
	if !ok {
		t.Fatalf("no action %q", name)
	}
	if a.Do == nil {
		t.Fatalf("action %q has no Do", name)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var lines []string
	out, err := a.Do(ctx, lab.Request{Args: args, Progress: func(line string) { lines = append(lines, line) }})
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return out
}

func status(l lab.Lab) lab.Status { return l.Status(context.Background()) }

func TestRegisteredUnstarted(t *testing.T) {
	l, err := lab.New("", lab.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if l.Name() != "single-server" || !slices.Contains(lab.Names(), "single-server") {
		t.Fatalf("name %q, labs %v", l.Name(), lab.Names())
	}
	keys := map[string]string{}
	for _, a := range l.Actions() {
		if a.Help == "" || a.Doing == "" || (a.Do == nil) != a.Load {
			t.Errorf("action %+v: needs Help, Doing, and Do unless Load", a)
		}
		if a.Key != "" {
			if other, dup := keys[a.Key]; dup {
				t.Errorf("key %s for %s and %s", a.Key, other, a.Name)
			}
			keys[a.Key] = a.Name
		}
	}
	for alias, want := range map[string]string{"load": "loadtest", "serve": "start", "restart": "start", "applyfix": "apply-fix",
		"explain": "explain-query", "recover": "bring-back", "start-db": "bring-back", "start-api": "bring-back", "shrink-table": "shrink-table"} {
		if a, ok := lab.FindAction(l, alias); !ok || a.Name != want {
			t.Errorf("FindAction(%q) = %q, %v; want %s", alias, a.Name, ok, want)
		}
	}
	want := map[string]string{"L": "loadtest", "R": "start", "F": "apply-fix", "E": "explain-query", "X": "reset", "D": "kill-db",
		"K": "kill-api", "B": "bring-back", "M": "grow-table"}
	for k, n := range want {
		if keys[k] != n {
			t.Errorf("key %s = %q, want %s", k, keys[k], n)
		}
	}
	var names []string
	for _, s := range l.Stages() {
		names = append(names, s.Name)
	}
	if !slices.Equal(names, []string{"broken", "fix1", "fix2", "big-noindex", "big-index"}) {
		t.Errorf("stages %v", names)
	}
	for label, want := range map[string]string{"Broken": "broken", "After Fix 1 (pool)": "fix1", "After Fix 2 (index)": "fix2",
		"1M rows, no index": "big-noindex", "1,000,000 rows, with the index": "big-index"} {
		if got := lab.StageOfLabel(l.Stages(), label); got != want {
			t.Errorf("row %q is stage %q, want %s", label, got, want)
		}
	}
	for _, c := range []struct {
		actions []string
		want    string
	}{
		{nil, "broken"},
		{[]string{"loadtest"}, "broken"},
		{[]string{"start", "loadtest"}, "fix1"},
		{[]string{"serve", "applyfix"}, "fix2"},
		{[]string{"start", "apply-fix", "reset"}, "broken"},
		{[]string{"start", "apply-fix", "grow-table"}, "big-noindex"},
		{[]string{"start", "grow-table", "apply-fix"}, "big-index"},
		{[]string{"start", "grow-table", "apply-fix", "shrink-table"}, "fix2"},
		{[]string{"grow-table"}, ""},
		{[]string{"start", "kill-db"}, lab.StageOutage},
		{[]string{"start", "kill-api", "bring-back"}, "fix1"},
	} {
		if got := l.StageAfter(c.actions); got != c.want {
			t.Errorf("StageAfter(%v) = %q, want %q", c.actions, got, c.want)
		}
	}
	if st := status(l); st.Up || st.Err == "" {
		t.Errorf("unstarted status %+v", st)
	}
	if _, err := do2(l, "reset"); err == nil {
		t.Error("reset on an unstarted lab did not fail")
	}
}

// do2 runs an action and returns its error.
func do2(l lab.Lab, name string) (lab.Outcome, error) {
	a, _ := lab.FindAction(l, name)
	return a.Do(context.Background(), lab.Request{Progress: func(string) {}})
}

func TestContractThroughTheScenario(t *testing.T) {
	l := newLab(t, lab.Config{Scenario: "01-single-server"})
	st := status(l)
	if !st.Up || st.Stage != "broken" || st.Addr == "" || !strings.Contains(st.Line, "broken") || !strings.Contains(st.Line, "2,000 rows") {
		t.Fatalf("first status %+v", st)
	}
	// The test PostgreSQL is a DATABASE_URL server allowing more than the lab's 50 connections.
	if !st.Conditions["other-max-connections"] {
		t.Errorf("conditions on a DATABASE_URL server with max_connections 300: %v", st.Conditions)
	}

	// Three of the four Fix 1 boxes: the restart is pending until R.
	l.SetTasks(map[string]bool{"shared-pool": true, "pool-size": true, "no-close": true, "no-delay": false})
	if !status(l).Conditions["restart-pending"] {
		t.Error("ticked boxes the API does not run: no restart-pending")
	}
	out := do(t, l, "start")
	if out.Summary != "API restarted with 3 of 4 Fix 1 changes: custom" || !slices.Equal(out.Applied, []string{"no-close", "pool-size", "shared-pool"}) {
		t.Errorf("restart: %+v", out)
	}
	st = status(l)
	if st.Conditions["restart-pending"] || st.Stage != lab.StageCustom || !strings.Contains(st.Short, "custom 3/4 fixes") {
		t.Errorf("after a partial Fix 1: %+v", st)
	}
	l.SetTasks(map[string]bool{"shared-pool": true, "pool-size": true, "no-close": true, "no-delay": true})
	do(t, l, "restart")
	if st := status(l); st.Stage != "fix1" || len(st.Applied) != 4 {
		t.Errorf("after Fix 1: %+v", st)
	}

	// Fix 2, with the plans before and after it.
	out = do(t, l, "apply-fix")
	if !strings.HasPrefix(out.Summary, "Fix 2 applied: index posts_created_at_idx created") || out.Plan == nil || !out.Plan.Good || out.Plan.Kind != "Index Scan" {
		t.Errorf("apply-fix: %+v", out)
	}
	planner := l.(lab.Planner)
	before, after := planner.Plans()
	if before.Kind != "Seq Scan" || before.Good || before.Fixed || after.Kind != "Index Scan" || !after.Fixed || after.Rows != 2_000 || after.Execution <= 0 {
		t.Errorf("plans: before %+v, after %+v", before, after)
	}
	if out := do(t, l, "apply-fix"); out.Summary != "Fix 2 was already applied: the index exists" {
		t.Errorf("second apply-fix: %+v", out)
	}
	if st := status(l); st.Stage != "fix2" || !st.Conditions["index-exists"] {
		t.Errorf("after Fix 2 twice: %+v", st)
	}

	// A load test: recorded with the scenario and the lab, under the stage.
	h, err := load.OpenHistory(filepath.Join(t.TempDir(), "runs.json"))
	if err != nil {
		t.Fatal(err)
	}
	rec, err := l.LoadTest(context.Background(), h, load.Options{Concurrency: 4, Requests: 40}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rec.State != "fix2" || rec.Scenario != "01-single-server" || rec.Lab != "single-server" || rec.Result.Failed != 0 || len(h.List()) != 1 {
		t.Errorf("run %+v, result %+v", rec, rec.Result)
	}
	if status(l).Conditions["index-exists"] {
		t.Error("index-exists still holds after the load test its hint asks for")
	}
	s := l.Sample(context.Background())
	if len(s.Groups) != 2 || s.Groups[0].Title != "API: shared pool (fixed)" || s.Groups[1].Title != "PostgreSQL backends" ||
		s.Groups[1].Err != "" || s.Telemetry.Total.OK != 40 {
		t.Errorf("sample %+v", s)
	}
	cv := l.(lab.CodeViewer)
	if _, files := cv.Code(); !slices.Contains(files, "handlers.go") {
		t.Errorf("code files %v", files)
	}
	if hl := cv.Highlights(); !slices.Contains(hl["handlers.go"], "return app.sharedDB()") || len(hl["connect_per_request.go"]) != 0 {
		t.Errorf("highlights with Fix 1: %v", hl)
	}

	out = do(t, l, "reset")
	if !out.Reset || out.Summary != "lab reset: broken API, no index, 2,000 posts reseeded" {
		t.Errorf("reset: %+v", out)
	}
	if st := status(l); st.Stage != "broken" || st.Applied != nil {
		t.Errorf("after reset: %+v", st)
	}
	if s := l.Sample(context.Background()); s.Groups[0].Title != "API: per-request pools (broken)" || !s.Groups[0].Warn {
		t.Errorf("broken sample %+v", s.Groups[0])
	}
}

// The original scenario's tasks have no tags: their IDs' words say which fix they are.
func TestSeedTasksByTheirWords(t *testing.T) {
	l := newLab(t, lab.Config{})
	// The IDs content gives the original's four Fix 1 tasks: the step and 40 characters of text.
	l.SetTasks(map[string]bool{
		"step3-replace-the-getdbconnection-function-wit":  true,
		"step3-in-each-route-replace-const-db-getdbconn":  true,
		"step3-remove-all-await-db-end-calls-you-don-t-c": true,
		"step3-remove-the-await-new-promise-resolve-set":  true,
		"step2-open-a-terminal-and-run-the-load-test":     true,
	})
	if out := do(t, l, "start"); out.Summary != "API restarted with 4 of 4 Fix 1 changes: fixed" {
		t.Errorf("restart with the seed's tasks: %+v", out)
	}
	// No Fix 1 task at all: the command's preset.
	l.SetTasks(map[string]bool{"step2-open-a-terminal": true})
	if out := do(t, l, "start", "--preset", "broken"); !strings.HasPrefix(out.Summary, "API restarted: broken") || !slices.Equal(out.Applied, []string{"preset:broken"}) {
		t.Errorf("restart with --preset broken: %+v", out)
	}
}

// The lab comes back with what the worksheet says was applied, on the next free port.
func TestStartWithAppliedOnTheNextFreePort(t *testing.T) {
	url := pgtest.NewDatabase(t)
	first := newLab(t, lab.Config{DBURL: url, Addr: "127.0.0.1:0"})
	busy := status(first).Addr
	l := newLab(t, lab.Config{DBURL: url, Addr: busy, Applied: []string{"preset:fixed"}})
	st := status(l)
	if st.Addr == busy || st.Addr == "" || st.Stage != "fix1" {
		t.Fatalf("second lab on a busy port: %+v (first on %s)", st, busy)
	}
	resp, err := http.Get("http://" + st.Addr + "/feed")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("GET /feed = %d", resp.StatusCode)
	}
}

// A DATABASE_URL server: kill-db is refused with a clear error, the lab keeps serving.
func TestKillDBRefusedOnAnExternalServer(t *testing.T) {
	l := newLab(t, lab.Config{})
	_, err := do2(l, "kill-db")
	if err == nil || !strings.Contains(err.Error(), "DATABASE_URL") {
		t.Fatalf("kill-db on DATABASE_URL: %v", err)
	}
	if !status(l).Up {
		t.Error("the lab went down")
	}
}

// reachableDir is a temporary directory the unprivileged user PostgreSQL runs as (when tests run
// as root) can reach, for a private cluster of the test's own.
func reachableDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "scalelab-single-")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return filepath.Join(dir, "pg")
}

// privateLab is the lab on a private cluster of its own (for the drills that kill PostgreSQL).
func privateLab(t *testing.T, cfg lab.Config) lab.Lab {
	t.Helper()
	cfg.DataDir = reachableDir(t)
	var in pg.Info
	t.Cleanup(func() { // after the lab's Close (cleanups run last first)
		if in.DataDir == "" {
			return
		}
		pgtest.RemoveAccount(in)
		if in.DataDir != cfg.DataDir {
			os.RemoveAll(in.DataDir)
		}
	})
	l := newLab(t, cfg)
	in = l.(*single).engine().PG().Info()
	return l
}

// Another process's API (the workshop's) says its stage through /health: a load test from a
// second terminal files its run under it, not as custom.
func TestRemoteStageOfAServedAPI(t *testing.T) {
	served := newLab(t, lab.Config{})
	reader, err := lab.New(lab.Default, lab.Config{}) // unstarted: it only reads the other's /health
	if err != nil {
		t.Fatal(err)
	}
	r, ok := reader.(lab.Remote)
	if !ok {
		t.Fatal("the single-server lab does not read a served API's stage")
	}
	url := "http://" + status(served).Addr + "/feed"
	stage := func() string {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		st, rows, err := r.RemoteStage(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		if rows <= 0 {
			t.Errorf("rows = %d, want the table's", rows)
		}
		return st
	}
	if st := stage(); st != StageBroken {
		t.Errorf("as shipped: stage %q, want %q", st, StageBroken)
	}
	do(t, served, "start", "--preset", "fixed")
	if st := stage(); st != StageFix1 {
		t.Errorf("after Fix 1: stage %q, want %q", st, StageFix1)
	}
	do(t, served, "apply-fix")
	if st := stage(); st != StageFix2 {
		t.Errorf("after Fix 2: stage %q, want %q", st, StageFix2)
	}
}
