package lab

import (
	"context"
	"io/fs"
	"time"

	"scalelab/lab/load"
	"scalelab/lab/telemetry"
)

// Lab is one scenario's lab behind the contract the runner knows: the workshop (tui) and the
// CLI talk to a lab only through it, so a new scenario is one markdown file plus one package
// that implements Lab and registers itself (Register).
//
// A Lab's methods are safe for concurrent use. Name, Actions, Stages, StageAfter and Conditions
// answer on a lab that was never started (export and lint read them without starting anything).
type Lab interface {
	// Name is the lab's registered name ("single-server").
	Name() string
	// Start brings the lab up (its processes, its data), reporting long steps through
	// Config.Logf. On error nothing is left running. Starting a started lab does nothing.
	Start(ctx context.Context) error
	// Close stops everything the lab started. Safe to call more than once; it waits.
	Close() error
	// Status is a snapshot of the lab; it changes nothing (bringing a crashed component
	// back is the lab's own supervisors' work, or an action's).
	Status(ctx context.Context) Status
	// Actions are the lab's actions, one record each, in the order help lists them.
	Actions() []Action
	// Stages are the states of the lab the scenario measures, in the order of the scenario's
	// comparison table; the first is the baseline (a "Metric | Value" table is filled from it).
	Stages() []Stage
	// StageAfter is the stage a load test of the scenario's text measures. actions are the
	// names of the text's commands from the first step on, up to and including the load test,
	// then the commands after it in its step up to the next load test: those run while it does
	// (a kill under load makes it an outage run, StageOutage). "" when they lead to no stage.
	StageAfter(actions []string) string
	// SetTasks says which of the scenario's tasks are ticked (tag -> ticked; every task of
	// the scenario is there, ticked or not): the settings an action applies next (a restart
	// with the ticked fixes) and the Stuck? conditions follow them.
	SetTasks(ticked map[string]bool)
	// Sample is what the panes draw, once per tick; bounded in time by ctx.
	Sample(ctx context.Context) Sample
	// LoadTest runs one load test against the lab and files it under what it measured (a
	// stage, or StageOutage / StageMixed). A finished run is added to h (nil: not recorded);
	// a cancelled one returns its partial record and an error wrapping context.Canceled.
	LoadTest(ctx context.Context, h *load.History, opt load.Options, progress func(load.Progress)) (*load.Record, error)
	// Conditions names every Stuck? condition the lab can report (Status.Conditions), for lint.
	Conditions() []string
}

// Stages every lab may file a run under, beside its own.
const (
	StageOutage = load.StateOutage // a component was down, or went down or restarted, during the run
	StageMixed  = load.StateMixed  // the lab's stage changed during the run
	StageCustom = load.StateCustom // settings of none of the lab's stages, or an outside URL
)

// Config is what every lab is started with. Fields a lab has no use for are ignored.
type Config struct {
	DBURL   string // an existing PostgreSQL (DATABASE_URL / --db); "" starts the private cluster
	DataDir string // the private cluster's directory; "" = the default under the data home
	// Home is the data home the lab keeps its files in (the private cluster, HAProxy's
	// directory); "" = home.Dir(). The class server gives each learner their own.
	Home string
	Addr string // where the lab's entry point listens ("" = the lab's default)
	Rows int    // posts to seed; 0 = the lab's default
	// Reseed reseeds when the table holds another number of posts than Rows (--rows given).
	Reseed bool
	// Applied are the settings to start with (the worksheet's Lab field: what the learner
	// last applied); nil = the scenario's starting state.
	Applied []string
	// DataOnly starts the lab's data (PostgreSQL, its tables) and no server: for one-shot CLI
	// actions that need no API (apply-fix, explain-query, reset).
	DataOnly bool
	// NoSeed creates the tables if missing but seeds nothing (a reset follows at once).
	NoSeed bool
	// Replicas is how many copies of the API a lab with replicas runs; 0 = its default.
	Replicas int
	// Scenario is the ID of the scenario the lab runs for: its runs are recorded with it.
	Scenario string
	Logf     func(format string, args ...any)
}

// Status is the lab as the header and the Stuck? hints see it.
type Status struct {
	Up    bool   // the lab can serve a load test now
	Err   string // why Up is false (the first line goes in the header)
	Line  string // the header's full status line ("PG 15 :5433 · API 127.0.0.1:3000 broken · ...")
	Short string // the same for narrow windows
	Stage string // the stage the lab is in now (a Stage's Name, or StageCustom); "" unknown
	// Addr is the host:port a load test from another terminal targets ("" when none runs).
	Addr string
	// Applied are the lab's settings now, in the form Config.Applied takes (for the worksheet).
	Applied []string
	// Conditions are the Stuck? conditions that hold now (names from Conditions()).
	Conditions map[string]bool
}

// Stage is one state of the lab the scenario measures: a row of its comparison table.
type Stage struct {
	Name  string // what runs are filed under ("broken", "fix1"): load.Record.State
	Title string // the row's title ("After Fix 1")
	// Labels are lower-case words a result-table row label holds to be this stage's row
	// ("fix 1", "pool"); the first stage whose label matches wins, in Stages' order.
	Labels []string
	// Tone colours the stage in tables: "bad", "warn", "good" or "" (muted).
	Tone string
	// When says in a few words when a run is of this stage ("before the fixes").
	When string
}

// Action is one thing the learner can make the lab do: a command block of the scenario names
// it, a key runs it in the workshop, and the CLI offers it as `scalelab NAME`.
type Action struct {
	Name    string   // the command's name: `scalelab NAME` and the scenario's command blocks
	Aliases []string // other names a command block may use for it ("serve", "restart")
	Key     string   // the workshop's key for it ("" = only from a command block)
	Help    string   // one line for the help screen and the hint under a command block
	Doing   string   // what the status line says while it runs ("applying Fix 2…")
	Confirm string   // a question asked before it runs ("" = no question)
	// DuringLoad allows it while a load test runs (Fix 2 can be applied under load).
	DuringLoad bool
	// Load marks the load test: the runner runs it through Lab.LoadTest, with its progress,
	// the run history and the one-run-at-a-time lock of the data home. Do is not called.
	Load bool
	// NeedsServer: the CLI starts the lab with its server for it (not DataOnly).
	NeedsServer bool
	// Hidden keeps it out of the CLI's command list (it still runs from the workshop).
	Hidden bool
	// InWorkshop: it acts on the lab while the learner watches it (a kill under load), so it
	// runs in the workshop only; the CLI lists it with its key and refuses to run it alone,
	// where it would act on a lab of its own that nobody watches.
	InWorkshop bool
	// Do does it. req carries the command's arguments; the outcome says what happened.
	Do func(ctx context.Context, req Request) (Outcome, error)
}

// Request is what an action is run with.
type Request struct {
	Args []string // the arguments after the command name, as the scenario or the CLI wrote them
	// Progress reports a long action's progress in a line ("grown to 400,000 of 1,000,000
	// posts"); never nil.
	Progress func(line string)
}

// Outcome is what an action did.
type Outcome struct {
	Summary string // one line for the status bar and the CLI
	Detail  string // more lines for the CLI ("" = none)
	// Applied is set when the lab's settings changed (the worksheet keeps them); Reset says
	// the lab is back at the scenario's start (the worksheet forgets them).
	Applied []string
	Reset   bool
	// Plan is a query plan the action read (a Planner's), for the plan view.
	Plan *Plan
}

// Sample is one tick of the panes: the generic series every lab has and the lab's own gauges.
type Sample struct {
	At time.Time
	// Telemetry is the server's own per-second series and window totals: requests ok and
	// failed, latency percentiles, failures by cause.
	Telemetry telemetry.Snapshot
	// Groups are the lab's gauges ("database connections"), one pane each.
	Groups []GaugeGroup
	// CauseHelp says in plain words what the lab's own causes of failure mean (it adds to
	// load.CauseHelp).
	CauseHelp map[string]string
	// Stacks are per-second series split into parts, drawn stacked with one colour per part
	// (requests per second by replica); nil for a lab with none.
	Stacks []Stack
}

// Stack is a per-second series split into named parts.
type Stack struct {
	Title string   // "requests per second by replica"
	Parts []string // the parts' names, in drawing order (bottom first)
	// Seconds are oldest first, one per second without gaps, the last the second in progress.
	Seconds []StackSecond
}

// StackSecond is one second of a Stack: one value per part, in Parts' order.
type StackSecond struct {
	At     time.Time
	Values []float64
}

// GaugeGroup is a named group of gauges a generic pane draws: a title line, one line per
// gauge (or several on a line), a reading in plain words, and a per-second chart of one gauge.
type GaugeGroup struct {
	Title string // "API: shared pool (fixed)"
	Warn  bool   // the title is a warning (per-request pools)
	Err   string // the group could not be read ("PostgreSQL: no answer (...)")
	// Gauges in display order.
	Gauges []Gauge
	// Note reads the gauges in plain words ("few backends: connections time out before
	// they open"); "" when there is nothing to say.
	Note string
	// Chart names the gauge (its Label) whose per-second peak the pane charts, scaled to its
	// Max, under ChartTitle; "" draws no chart.
	Chart, ChartTitle string
}

// Gauge is one figure of a GaugeGroup.
type Gauge struct {
	Label string  // "in use"
	Value int     // the figure now
	Max   int     // > 0: drawn as Value/Max with a bar (the limit)
	Rate  float64 // > 0: shown beside it as "+N/s" (how fast it grows)
	Bad   bool    // at or near its limit: drawn in the failure colour
	// Inline puts it on the line of the gauge before it.
	Inline bool
}

// CodeViewer is a lab whose running code the learner can read: the files are the ones the
// binary runs (go:embed of the handlers), in reading order.
type CodeViewer interface {
	Code() (fsys fs.FS, files []string)
	// Highlights are the lines of the code that run with the lab's settings now, per file
	// (a substring of each line to mark), so the view marks what runs.
	Highlights() map[string][]string
}

// Planner is a lab whose query plan the learner can read (EXPLAIN ANALYZE), before and after
// a fix.
type Planner interface {
	// Explain reads the plan of the lab's main query now.
	Explain(ctx context.Context) (Plan, error)
	// Plans are the latest plans before and after the fix (zero when not read yet).
	Plans() (before, after Plan)
}

// Plan is a query plan read from the database.
type Plan struct {
	Text      string        // the plan as the database prints it
	Kind      string        // how it reads the table, in the database's words ("Seq Scan")
	Good      bool          // it is the plan the fix aims at
	Fixed     bool          // it was read with the fix in place (the "after" plan)
	Execution time.Duration // its execution time, 0 when not known
	Rows      int           // rows in the table when it was read, 0 when not known
	Verdict   string        // one line reading it for a learner
}
