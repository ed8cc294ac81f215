package tui

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"
	"github.com/jackc/pgx/v5"
	"github.com/muesli/termenv"

	"scalelab/content"
	"scalelab/content/worksheet"
	"scalelab/lab"
	"scalelab/lab/load"
	"scalelab/lab/pg/pgtest"
	"scalelab/lab/singleserver"
)

// The workshop driven by a real lab: a fresh database on the test cluster, the feed API on a free
// port, short load runs. Every test waits on the app's own messages (no sleeps).

type labRig struct {
	app   *App
	ctl   *LabController
	hist  *load.History
	msgs  chan tea.Msg
	tm    *teatest.TestModel
	path  string
	dbURL string // the lab's database

	// status is the latest state line waitMsg passed over. An action's end and the state line it
	// changes come from one Cmd in no set order, so a test checks the state line as state
	// (waitStatus), not as a message that must come after the action's end.
	status LabStatusMsg
}

// newLabRig starts the built-in scenario with a real lab at size w x h; ticked are the
// worksheet's tasks at start.
func newLabRig(t *testing.T, w, h int, ticked map[string]bool, step ...int) *labRig {
	t.Helper()
	ws := &worksheet.Worksheet{Tasks: ticked}
	if len(step) > 0 {
		ws.Step = step[0]
	}
	return newLabRigWith(t, w, h, ws, nil)
}

// newLabRigWith is newLabRig with a worksheet of its own and the lab's configuration and the
// controller's options changed by opts (nil: as they are).
func newLabRigWith(t *testing.T, w, h int, ws *worksheet.Worksheet, opts func(*lab.Config, *LabOptions)) *labRig {
	t.Helper()
	dir := testHome(t)
	hist, err := load.OpenHistory(filepath.Join(dir, "runs.json"))
	if err != nil {
		t.Fatal(err)
	}
	sc := content.Builtin()
	cfg := lab.Config{DBURL: pgtest.NewDatabase(t), Addr: "127.0.0.1:0", Rows: 2000, Logf: t.Logf, Scenario: sc.ID}
	lo := LabOptions{
		History:  hist,
		Scenario: sc,
		Users:    20,
		Duration: 2 * time.Second,
	}
	if opts != nil {
		opts(&cfg, &lo)
	}
	l, err := lab.New(lab.Default, cfg)
	if err != nil {
		t.Fatal(err)
	}
	lo.Lab = l
	ctl := NewLabController(lo)
	t.Cleanup(func() {
		if err := ctl.Close(); err != nil {
			t.Errorf("closing the lab: %v", err)
		}
	})
	path := worksheet.PathFor(dir, sc.ID)
	app := New(Options{Scenario: sc, Worksheet: ws, WorksheetPath: path, Lab: ctl, History: hist,
		GlamourStyle: "dark", ColorProfile: termenv.Ascii})
	rig := &labRig{app: app, ctl: ctl, hist: hist, msgs: make(chan tea.Msg, 1<<14), path: path, dbURL: cfg.DBURL}
	app.observe = func(m tea.Msg) {
		select {
		case rig.msgs <- m:
		default: // a test that stops reading; never block the program
		}
	}
	rig.tm = teatest.NewTestModel(t, app, teatest.WithInitialTermSize(w, h))
	rig.waitLabUp(t)
	return rig
}

// applied are the settings the lab runs with now (lab.Status.Applied), sorted.
func (r *labRig) applied(t *testing.T) []string {
	t.Helper()
	got := slices.Clone(r.ctl.lab.Status(t.Context()).Applied)
	slices.Sort(got)
	return got
}

// exec runs one SQL statement on the lab's database, from outside the lab.
func (r *labRig) exec(t *testing.T, sql string) {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), r.dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(t.Context(), sql); err != nil {
		t.Fatal(err)
	}
}

// waitMsg returns the first message (from now on) for which ok is true.
func (r *labRig) waitMsg(t *testing.T, what string, ok func(tea.Msg) bool) tea.Msg {
	t.Helper()
	timeout := time.After(60 * time.Second)
	for {
		select {
		case m := <-r.msgs:
			if s, is := m.(LabStatusMsg); is {
				r.status = s
			}
			if ok(m) {
				return m
			}
		case <-timeout:
			t.Fatalf("never saw %s", what)
		}
	}
}

// waitStatus returns once the lab's state line (the latest one, or one still to come) satisfies ok.
func (r *labRig) waitStatus(t *testing.T, what string, ok func(LabStatusMsg) bool) {
	t.Helper()
	if ok(r.status) {
		return
	}
	r.waitMsg(t, what, func(m tea.Msg) bool {
		s, is := m.(LabStatusMsg)
		return is && ok(s)
	})
}

func (r *labRig) waitLabUp(t *testing.T) {
	t.Helper()
	r.waitMsg(t, "the lab's state line", func(m tea.Msg) bool {
		s, ok := m.(LabStatusMsg)
		if ok && s.Err {
			t.Fatalf("the lab did not start: %s", s.Text)
		}
		return ok && !s.Busy && strings.Contains(s.Text, "API 127.0.0.1:")
	})
}

// waitDone waits for the end of an action and returns it.
func (r *labRig) waitDone(t *testing.T, name string) ActionDoneMsg {
	t.Helper()
	m := r.waitMsg(t, "the end of "+name, func(m tea.Msg) bool {
		d, ok := m.(ActionDoneMsg)
		return ok && d.Action.Name == name
	}).(ActionDoneMsg)
	return m
}

func (r *labRig) quit(t *testing.T) *App {
	t.Helper()
	send(r.tm, "ctrl+c")
	return r.tm.FinalModel(t, teatest.WithFinalTimeout(10*time.Second)).(*App)
}

// L runs a load test: samples reach the dashboard while it runs (full screen at 80x24), the
// run is recorded, and the Step 2 and Step 4 tables fill from it; the final picture stays with
// the run's summary until esc goes back to the text.
func TestLabLoadTestFillsTables(t *testing.T) {
	r := newLabRig(t, 80, 24, nil)
	send(r.tm, "L")
	sample, _ := asSample(r.waitMsg(t, "a sample of the running load test", func(m tea.Msg) bool {
		s, ok := asSample(m)
		return ok && s.Run != nil && s.Telemetry.Total.Requests > 0
	}))
	if sample.RunTotal != 2*time.Second {
		t.Errorf("the run's planned duration = %v, want the --duration default 2s", sample.RunTotal)
	}
	waitText(t, r.tm, "load test", "success rate") // the dashboard, opened for the run at 80x24
	// the end and the fill come in either order
	var done ActionDoneMsg
	var fill, metricFill SetTableMsg
	finished := false // a sample with the finished run reached the screens
	r.waitMsg(t, "the end of the run, both tables filled and a sample with the run", func(m tea.Msg) bool {
		switch m := m.(type) {
		case labSampleMsg:
			finished = finished || m.LastRun != nil
		case ActionDoneMsg:
			if m.Action.Name == "loadtest" {
				done = m
			}
		case SetTableMsg:
			switch len(m.Rows) {
			case 3:
				fill = m
			case 4:
				metricFill = m
			}
		}
		return done.Action.Name != "" && fill.Rows != nil && metricFill.Rows != nil && finished
	})
	if done.Err != nil {
		t.Fatalf("load test: %v", done.Err)
	}
	if !strings.Contains(done.Summary, "Broken") {
		t.Errorf("summary %q does not name the stage", done.Summary)
	}
	if row := fill.Rows[0]; !strings.HasSuffix(row[1], "%") || row[2] == "" || row[3] == "" {
		t.Errorf("the Broken row is not filled: %q", row)
	}
	if row := fill.Rows[1]; row[1] != "" {
		t.Errorf("the After Fix 1 row is filled without a run: %q", row)
	}
	recs := r.hist.List()
	if len(recs) != 1 || recs[0].State != singleserver.StageBroken || recs[0].Result == nil || recs[0].Result.Total == 0 {
		t.Fatalf("history after one run: %+v", recs)
	}
	// the final picture stays, with the run's summary, until the learner leaves it
	waitText(t, r.tm, "run ended: ")
	send(r.tm, "esc")
	a := r.quit(t)
	if a.active != screenReader {
		t.Errorf("after the run and esc the app is on screen %d, want the reader", a.active)
	}
	d := a.screens[screenDashboard].(*dashboard)
	if !d.have || d.sample.LastRun == nil {
		t.Errorf("the dashboard never got a sample with the finished run")
	}
	ws := loadSheet(t, r.path)
	var metric []string
	for id, rows := range ws.Tables {
		if len(rows) == 4 {
			metric = append(metric, id)
			if !strings.HasSuffix(rows[0][1], "%") {
				t.Errorf("Step 2 table %s: success rate %q", id, rows[0][1])
			}
		}
	}
	if len(metric) != 1 {
		t.Errorf("saved worksheet tables: %v", ws.Tables)
	}
	if !a.c.runs[singleserver.StageBroken] {
		t.Errorf("the step checks do not know of the broken run: %v", a.c.runs)
	}
}

// R restarts the API with the ticked Fix 1 boxes: two of four make custom knobs with exactly
// those changes; all four make the fixed preset.
func TestLabRestartWithTickedTasks(t *testing.T) {
	sc := content.Builtin()
	ids := map[string]string{}
	for _, task := range sc.Tasks() {
		if task.Tag != "" {
			ids[task.Tag] = task.ID
		}
	}
	if len(ids) != 4 {
		t.Fatalf("the built-in scenario's Fix 1 tasks: %v", ids)
	}
	r := newLabRig(t, 120, 40, map[string]bool{ids["shared-pool"]: true, ids["no-delay"]: true}, stepNumbered(sc, 3))
	send(r.tm, "R")
	if d := r.waitDone(t, "start"); d.Err != nil || !strings.Contains(d.Summary, "2 of 4") {
		t.Fatalf("restart: %q %v", d.Summary, d.Err)
	}
	if got := r.applied(t); !slices.Equal(got, []string{"no-delay", "shared-pool"}) {
		t.Fatalf("the lab applied %q after a restart with shared-pool and no-delay ticked", got)
	}
	r.waitStatus(t, "the state line saying custom", func(s LabStatusMsg) bool {
		return strings.Contains(s.Text, "custom") && strings.Contains(s.Short, "custom 2/4")
	})

	// tick the other two on screen: the reader opened at Step 3; Tab reaches the first box
	// (shared-pool, ticked), Tab the second, x, Tab the third, x
	send(r.tm, "tab", "tab", "x", "tab", "x")
	waitText(t, r.tm, "[x] Give the pool 10", "[x] Stop closing")
	send(r.tm, "R")
	if d := r.waitDone(t, "start"); d.Err != nil || !strings.Contains(d.Summary, "4 of 4") {
		t.Fatalf("restart: %q %v", d.Summary, d.Err)
	}
	if got := r.applied(t); !slices.Equal(got, []string{"no-close", "no-delay", "pool-size", "shared-pool"}) {
		t.Fatalf("the lab applied %q with all four ticked", got)
	}
	waitText(t, r.tm, "fixed")
	r.quit(t)
}

// F creates the index, E explains the query: the plan is an Index Scan and the state line says
// the index is there. An action that fails shows its error and the app goes on.
func TestLabIndexThenExplain(t *testing.T) {
	r := newLabRig(t, 80, 24, nil)
	send(r.tm, "E")
	before, _ := r.waitExplain(t)
	if before.Plan.Kind != "Seq Scan" || before.Plan.Good {
		t.Fatalf("plan before the index: %+v", before)
	}
	send(r.tm, "F")
	if d := r.waitDone(t, "apply-fix"); d.Err != nil {
		t.Fatalf("apply-fix: %v", d.Err)
	}
	r.waitStatus(t, "the state line with the index", func(s LabStatusMsg) bool {
		return strings.Contains(s.Text, "index ✓")
	})
	send(r.tm, "E")
	after, _ := r.waitExplain(t)
	if after.Plan.Kind != "Index Scan" || !after.Plan.Good {
		t.Fatalf("plan after the index: %+v\n%s", after, after.Plan.Text)
	}
	waitText(t, r.tm, "Index Scan")

	// the table goes away under the lab: the next action fails, says why in place, and the app
	// goes on (the help opens)
	r.exec(t, "DROP TABLE posts")
	send(r.tm, "E")
	if d := r.waitDone(t, "explain-query"); d.Err == nil {
		t.Fatalf("explain without the table did not fail: %q", d.Summary)
	}
	send(r.tm, "?")
	waitText(t, r.tm, "The lab")
	r.quit(t)
}

// waitExplain waits for an EXPLAIN's plan and the end of the action (in either order).
func (r *labRig) waitExplain(t *testing.T) (ExplainMsg, ActionDoneMsg) {
	t.Helper()
	var plan *ExplainMsg
	var done *ActionDoneMsg
	r.waitMsg(t, "EXPLAIN's plan and its end", func(m tea.Msg) bool {
		switch m := m.(type) {
		case ExplainMsg:
			plan = &m
		case ActionDoneMsg:
			if m.Action.Name == "explain-query" {
				done = &m
			}
		}
		return plan != nil && done != nil
	})
	return *plan, *done
}

// stepNumbered is the index of "Step n" in the scenario's sections.
func stepNumbered(sc *content.Scenario, n int) int {
	for i, st := range sc.Steps {
		if st.Number == n {
			return i
		}
	}
	return 0
}

// During a run the index can be applied (Fix 2 in place) but the API not restarted. S stops the
// run: it ends early, is not recorded, and the app says so. X asks first; n keeps the lab, y
// resets it (index gone, boxes unticked).
func TestLabStopAndReset(t *testing.T) {
	sc := content.Builtin()
	ticked := map[string]bool{}
	for _, task := range sc.Tasks() {
		if task.Tag != "" {
			ticked[task.ID] = true
		}
	}
	r := newLabRig(t, 120, 40, ticked)
	r.ctl.runOpts.Duration = time.Minute // long enough to be stopped
	send(r.tm, "L")
	r.waitMsg(t, "a running sample", func(m tea.Msg) bool {
		s, ok := asSample(m)
		return ok && s.Run != nil && s.Telemetry.Total.Requests > 0
	})
	waitText(t, r.tm, "load test", "left") // the live strip and the pane beside the text
	// Fix 2 in place while the run goes on; a restart must wait for the run's end
	send(r.tm, "F")
	if d := r.waitDone(t, "apply-fix"); d.Err != nil {
		t.Fatalf("the index during a run: %v", d.Err)
	}
	send(r.tm, "R")
	if d := r.waitDone(t, "start"); d.Err == nil || !strings.Contains(d.Err.Error(), "load test is running") {
		t.Fatalf("a restart during a run: %q %v", d.Summary, d.Err)
	}
	send(r.tm, "S")
	if d := r.waitDone(t, "loadtest"); d.Err != nil || !strings.Contains(d.Summary, "stopped") {
		t.Fatalf("stopped run: %q %v", d.Summary, d.Err)
	}
	if n := len(r.hist.List()); n != 0 {
		t.Fatalf("a stopped run was recorded (%d runs)", n)
	}

	send(r.tm, "X")
	waitText(t, r.tm, "Reset the lab: broken API, no index, posts reseeded?")
	send(r.tm, "n")
	waitText(t, r.tm, "reset cancelled")
	send(r.tm, "X")
	waitText(t, r.tm, "Reset the lab: broken API, no index, posts reseeded?")
	send(r.tm, "y")
	if d := r.waitDone(t, "reset"); d.Err != nil {
		t.Fatalf("reset: %v", d.Err)
	}
	r.waitStatus(t, "the state line without the index", func(s LabStatusMsg) bool {
		return strings.Contains(s.Text, "no index") && strings.Contains(s.Text, "broken")
	})
	a := r.quit(t)
	for id, on := range a.c.sheet.ws.Tasks {
		if on {
			t.Errorf("task %s still ticked after the reset", id)
		}
	}
}

// asSample is the sample a message carries to the screens: a one-shot sample, or the sampling
// loop's.
func asSample(m tea.Msg) (labSampleMsg, bool) {
	switch s := m.(type) {
	case labSampleMsg:
		return s, true
	case labLoopSampleMsg:
		return labSampleMsg(s), true
	}
	return labSampleMsg{}, false
}
