package tui

import (
	"context"
	"errors"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"testing/fstest"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"
	"github.com/muesli/termenv"

	"scalelab/content"
	"scalelab/content/worksheet"
	"scalelab/lab"
	"scalelab/lab/load"
)

// toyLab is a lab made for the tests: no PostgreSQL, a tiny HTTP server on loopback that its
// load test measures (every other request fails once it is poked), two stages, a gauge group,
// a condition, a code view and a plan view. The workshop drives it through the contract alone.
type toyLab struct {
	cfg    lab.Config
	mu     sync.Mutex
	srv    *httptest.Server
	pokes  int
	ticked map[string]bool
	starts atomic.Int32 // how many times Start ran
	plan   lab.Plan
}

func init() {
	lab.Register(lab.Kind{Name: "toy", Title: "a toy for the tests", New: func(cfg lab.Config) lab.Lab { return &toyLab{cfg: cfg} }})
}

// toyStages: calm until poked, stormy after.
var toyStages = []lab.Stage{
	{Name: "calm", Title: "Calm", Labels: []string{"calm"}, Tone: "good", When: "before poking"},
	{Name: "stormy", Title: "Stormy", Labels: []string{"stormy", "storm"}, Tone: "bad", When: "after poking"},
}

func (t *toyLab) Name() string { return "toy" }

func (t *toyLab) Start(context.Context) error {
	t.starts.Add(1)
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.srv != nil {
		return nil
	}
	var n int
	var nmu sync.Mutex
	t.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.mu.Lock()
		poked := t.pokes > 0
		t.mu.Unlock()
		nmu.Lock()
		n++
		odd := n%2 == 1
		nmu.Unlock()
		if poked && odd {
			http.Error(w, "stormy", http.StatusServiceUnavailable)
			return
		}
		w.Write([]byte("ok"))
	}))
	return nil
}

func (t *toyLab) Close() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.srv != nil {
		t.srv.Close()
		t.srv = nil
	}
	return nil
}

func (t *toyLab) stage() string {
	if t.pokes > 0 {
		return "stormy"
	}
	return "calm"
}

func (t *toyLab) Status(context.Context) lab.Status {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := lab.Status{Up: t.srv != nil, Stage: t.stage(),
		Line:  "toy lab · " + strconv.Itoa(t.pokes) + " pokes · stage " + lab.StageTitle(toyStages, t.stage()),
		Short: "toy · " + strconv.Itoa(t.pokes) + " pokes"}
	if t.srv == nil {
		s.Err = "the toy is closed"
	} else {
		s.Addr = t.srv.Listener.Addr().String()
	}
	if t.pokes > 0 {
		s.Applied = []string{"poked"}
		s.Conditions = map[string]bool{"toy-poked": true}
	}
	return s
}

func (t *toyLab) Actions() []lab.Action {
	return []lab.Action{
		{Name: "loadtest", Key: "L", Help: "measure the toy", Load: true, NeedsServer: true},
		// the toy's scenario names it `scalelab poke`; an alias names it too
		{Name: "poke", Aliases: []string{"start"}, Key: "P", Help: "poke the toy", Doing: "poking the toy…", DuringLoad: true, Do: t.poke},
		{Name: "wipe", Aliases: []string{"reset"}, Key: "W", Help: "wipe the pokes away", Confirm: "Wipe the toy clean?", Do: t.wipe},
		{Name: "peek", Aliases: []string{"explain-query"}, Key: "V", Help: "peek at the toy's plan", DuringLoad: true, Do: t.peek},
	}
}

func (t *toyLab) poke(_ context.Context, req lab.Request) (lab.Outcome, error) {
	req.Progress("poking…")
	t.mu.Lock()
	defer t.mu.Unlock()
	t.pokes++
	return lab.Outcome{Summary: "poked " + strconv.Itoa(t.pokes) + " times", Applied: []string{"poked"}}, nil
}

func (t *toyLab) wipe(context.Context, lab.Request) (lab.Outcome, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.pokes = 0
	return lab.Outcome{Summary: "the toy is clean", Reset: true}, nil
}

func (t *toyLab) peek(ctx context.Context, _ lab.Request) (lab.Outcome, error) {
	p, err := t.Explain(ctx)
	if err != nil {
		return lab.Outcome{}, err
	}
	return lab.Outcome{Summary: "peeked: " + p.Kind, Plan: &p}, nil
}

func (t *toyLab) Stages() []lab.Stage { return toyStages }

func (t *toyLab) StageAfter(actions []string) string {
	st := "calm"
	for _, a := range actions {
		switch a {
		case "poke":
			st = "stormy"
		case "wipe":
			st = "calm"
		}
	}
	return st
}

func (t *toyLab) SetTasks(ticked map[string]bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.ticked = ticked
}

func (t *toyLab) Sample(context.Context) lab.Sample {
	t.mu.Lock()
	defer t.mu.Unlock()
	return lab.Sample{At: time.Now(),
		Groups: []lab.GaugeGroup{{
			Title:  "toy marbles",
			Gauges: []lab.Gauge{{Label: "marbles", Value: 3 + t.pokes, Max: 10}, {Label: "lost", Value: t.pokes, Inline: true, Bad: t.pokes > 0}},
			Note:   "the toy keeps its marbles in a jar", Chart: "marbles", ChartTitle: "marbles per second:",
		}},
		CauseHelp: map[string]string{"http-503": "the toy said it is stormy"},
	}
}

func (t *toyLab) LoadTest(ctx context.Context, h *load.History, opt load.Options, progress func(load.Progress)) (*load.Record, error) {
	t.mu.Lock()
	if t.srv == nil {
		t.mu.Unlock()
		return nil, errors.New("the toy is closed")
	}
	opt.URL = t.srv.URL + "/"
	state := t.stage()
	t.mu.Unlock()
	res, err := load.Run(ctx, opt, progress)
	if err != nil {
		return nil, err
	}
	rec := load.Record{Options: opt, State: state, Scenario: t.cfg.Scenario, Lab: "toy", Result: res}
	if h != nil {
		if rec, err = h.Add(rec); err != nil {
			return nil, err
		}
	}
	return &rec, nil
}

func (t *toyLab) Conditions() []string { return []string{"toy-poked"} }

// Code: the toy's one source file, its "poked" line marked while poked.
func (t *toyLab) Code() (fs.FS, []string) {
	return fstest.MapFS{"toy.go": {Data: []byte("package toy\n\nfunc serve() {\n\tif poked {\n\t\tfail()\n\t}\n}\n")}}, []string{"toy.go"}
}

func (t *toyLab) Highlights() map[string][]string {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.pokes > 0 {
		return map[string][]string{"toy.go": {"fail()"}}
	}
	return map[string][]string{}
}

func (t *toyLab) Explain(context.Context) (lab.Plan, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.plan = lab.Plan{Text: "Toy Scan on marbles\nExecution Time: 0.042 ms", Kind: "Toy Scan", Good: t.pokes == 0, Verdict: "the toy reads its marbles one by one", Execution: 42 * time.Microsecond}
	return t.plan, nil
}

func (t *toyLab) Plans() (before, after lab.Plan) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return lab.Plan{}, t.plan
}

var (
	_ lab.CodeViewer = (*toyLab)(nil)
	_ lab.Planner    = (*toyLab)(nil)
)

// toyScenario is a scenario for the toy: a load test, a comparison table of its stages, a poke.
const toyScenario = `# Toy Scenario: Marbles

**Difficulty:** Entry Level

## Step 1 — Measure

Run it calm:

` + "```bash\nscalelab loadtest -n 20 -c 2\n```" + `

| Run | Success Rate | Total |
| --- | --- | --- |
| Calm |  |  |
| Stormy |  |  |

## Step 2 — Poke

- [ ] Poke the toy <!-- poke-it -->

` + "```bash\nscalelab poke\n```" + `

Then measure again:

` + "```bash\nscalelab loadtest -n 20 -c 2\n```" + `
`

// toyRig is the workshop on the toy lab through the real controller.
type toyRig struct {
	toy  *toyLab
	ctl  *LabController
	app  *App
	tm   *teatest.TestModel
	hist *load.History
	ws   *worksheet.Worksheet
	// filled gets the table fills of a run that just ended (their fresh rows)
	filled chan SetTableMsg
}

func newToyRig(t *testing.T, w, h int, users int) *toyRig {
	t.Helper()
	return newToyRigWith(t, w, h, users, nil)
}

// newToyRigWith is newToyRig with the controller's options changed by opts first.
func newToyRigWith(t *testing.T, w, h int, users int, opts func(*LabOptions)) *toyRig {
	t.Helper()
	dir := testHome(t)
	sc, err := content.Parse("toy.md", []byte(toyScenario))
	if err != nil {
		t.Fatal(err)
	}
	hist, err := load.OpenHistory(filepath.Join(dir, "runs.json"))
	if err != nil {
		t.Fatal(err)
	}
	l, err := lab.New("toy", lab.Config{Scenario: sc.ID})
	if err != nil {
		t.Fatal(err)
	}
	ws := &worksheet.Worksheet{}
	lo := LabOptions{Lab: l, History: hist, Scenario: sc, Users: users, Worksheet: ws}
	if opts != nil {
		opts(&lo)
	}
	ctl := NewLabController(lo)
	t.Cleanup(func() { ctl.Close() })
	path := worksheet.PathFor(dir, "toy")
	app := New(Options{Scenario: sc, Worksheet: ws, WorksheetPath: path, Lab: ctl, History: hist, GlamourStyle: "dark", ColorProfile: termenv.Ascii})
	filled := make(chan SetTableMsg, 16)
	app.observe = func(m tea.Msg) {
		if st, ok := m.(SetTableMsg); ok && len(st.FreshRows) > 0 {
			select {
			case filled <- st:
			default:
			}
		}
	}
	tm := teatest.NewTestModel(t, app, teatest.WithInitialTermSize(w, h))
	return &toyRig{toy: l.(*toyLab), ctl: ctl, app: app, tm: tm, hist: hist, ws: ws, filled: filled}
}

// The toy's keys run its actions, the help lists them with their help lines, the hint under a
// command block names the action's help and key, its pane shows its gauge group, a run fills
// the scenario's table from its stages, and the result screen has its stages' rows.
func TestToyLabThroughTheContract(t *testing.T) {
	r := newToyRig(t, 120, 40, 0)
	waitText(t, r.tm, "toy lab · 0 pokes")

	send(r.tm, "?")
	waitText(t, r.tm, "P poke the toy", "W wipe the pokes away", "L measure the toy")
	send(r.tm, "esc")

	// the poke key runs the toy's action: its summary in the status line, its settings kept
	send(r.tm, "P")
	waitText(t, r.tm, "poked 1 times", "toy lab · 1 pokes")

	// the dashboard draws the toy's gauge group
	send(r.tm, "d")
	waitText(t, r.tm, "toy marbles", "marbles 4/10", "lost 1", "the toy keeps its marbles in a jar")
	send(r.tm, "esc")

	// a load test through the Load action: its run is filed under the toy's stage and fills
	// the Stormy row of the scenario's table
	send(r.tm, "L")
	waitText(t, r.tm, "load test (Stormy)")
	send(r.tm, "r")
	waitText(t, r.tm, "The lab is now: Stormy", "Calm", "not measured yet: run the load test before poking")
	select {
	case <-r.filled:
	case <-time.After(10 * time.Second):
		t.Fatal("the run filled no table")
	}

	app, _ := finalView(t, r.tm)
	rows := app.c.sheet.ws.Tables[app.c.scenario.Tables()[0].ID]
	if len(rows) != 2 || rows[1][1] != "50.0%" || rows[1][2] != "20" || rows[0][1] != "" {
		t.Fatalf("the Stormy row was not filled from the toy's run: %q", rows)
	}
	if got := app.c.sheet.ws.Lab; !slices.Equal(got, []string{"poked"}) {
		t.Fatalf("the worksheet keeps %q, not the toy's applied settings", got)
	}
	recs := r.hist.List()
	if len(recs) != 1 || recs[0].State != "stormy" || recs[0].Options.Concurrency != 2 {
		t.Fatalf("runs: %+v", recs)
	}
}

// An action whose record asks first runs after a y only; its Reset clears the worksheet's
// settings and ticks. The plan action opens the plan view on the toy's plan.
func TestToyLabConfirmAndPlan(t *testing.T) {
	r := newToyRig(t, 100, 30, 0)
	waitText(t, r.tm, "toy lab · 0 pokes")
	send(r.tm, "P")
	waitText(t, r.tm, "toy lab · 1 pokes")

	send(r.tm, "W")
	waitText(t, r.tm, "Wipe the toy clean?")
	send(r.tm, "n")
	waitText(t, r.tm, "wipe cancelled: the lab is as it was")
	send(r.tm, "W")
	waitText(t, r.tm, "Wipe the toy clean?")
	send(r.tm, "y")
	waitText(t, r.tm, "the toy is clean", "toy lab · 0 pokes")

	send(r.tm, "V")
	waitText(t, r.tm, "the toy reads its marbles one by one", "Toy Scan on marbles")
	app, _ := finalView(t, r.tm)
	if app.active != screenExplain {
		t.Fatalf("the plan view did not open (screen %d)", app.active)
	}
	if app.c.sheet.ws.Lab != nil {
		t.Fatalf("a reset left the settings %q in the worksheet", app.c.sheet.ws.Lab)
	}
}

// A command block naming an action's alias runs it with its arguments; the hint under the
// block says the action's help and key; ticks reach the lab by tag.
func TestToyLabCommandBlock(t *testing.T) {
	r := newToyRig(t, 100, 30, 0)
	waitText(t, r.tm, "toy lab · 0 pokes")
	send(r.tm, "n", "tab", "x")
	waitText(t, r.tm, "[x]")
	send(r.tm, "tab")
	waitText(t, r.tm, "enter: poke the toy (or P)")
	send(r.tm, "enter")
	waitText(t, r.tm, "poked 1 times")
	finalView(t, r.tm)
	r.toy.mu.Lock()
	defer r.toy.mu.Unlock()
	if !r.toy.ticked["poke-it"] {
		t.Fatalf("the lab got the ticks %v, not the task's tag", r.toy.ticked)
	}
}

// --users overrides the -c of a command block; without it the block's -c; without either 100.
func TestUsersPrecedence(t *testing.T) {
	def := load.Options{Concurrency: load.DefaultConcurrency, Duration: 30 * time.Second}
	for _, tc := range []struct {
		users int
		args  []string
		want  int
	}{
		{0, nil, 100},
		{0, []string{"-c", "7"}, 7},
		{12, []string{"-c", "7"}, 12},
		{12, nil, 12},
	} {
		o, err := loadOptionsFromArgs(def, tc.users, 0, tc.args)
		if err != nil || o.Concurrency != tc.want {
			t.Errorf("users %d, args %q: %d users (%v), want %d", tc.users, tc.args, o.Concurrency, err, tc.want)
		}
	}
}

// The controller refuses an action the lab does not have, naming the ones it has.
func TestUnknownActionNamesTheLabs(t *testing.T) {
	l, _ := lab.New("toy", lab.Config{})
	c := NewLabController(LabOptions{Lab: l})
	defer c.Close()
	msg := c.Run(content.Action{Name: "grow-table"})()
	done, ok := msg.(ActionDoneMsg)
	if !ok || done.Err == nil {
		t.Fatalf("got %#v", msg)
	}
	mustContain(t, done.Err.Error(), `no action "grow-table"`, "loadtest, poke, wipe, peek")
}
