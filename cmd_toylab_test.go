package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"

	"scalelab/lab"
	"scalelab/lab/load"
	"scalelab/lab/running"
)

// toyLab is a lab without PostgreSQL, registered as "toy": its server is an httptest server on
// loopback, its actions say what they were given. The CLI's lab commands run on it through the
// contract alone.
type toyLab struct {
	cfg lab.Config

	mu      sync.Mutex
	srv     *httptest.Server
	started bool
	preset  string
	closed  int
}

// toyStarts counts the toy labs started, to see which commands start one.
var toyStarts struct {
	sync.Mutex
	dataOnly, withServer int
	last                 *toyLab
}

func init() {
	lab.Register(lab.Kind{Name: "toy", Title: "a lab for the tests", New: func(cfg lab.Config) lab.Lab { return &toyLab{cfg: cfg, preset: "plain"} }})
}

func (t *toyLab) Name() string { return "toy" }

func (t *toyLab) Start(ctx context.Context) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.started {
		return nil
	}
	t.started = true
	toyStarts.Lock()
	defer toyStarts.Unlock()
	toyStarts.last = t
	if t.cfg.DataOnly {
		toyStarts.dataOnly++
		return nil
	}
	toyStarts.withServer++
	t.cfg.Logf("toy server starting")
	t.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("[]")) }))
	return nil
}

func (t *toyLab) Close() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.srv != nil {
		t.srv.Close()
		t.srv = nil
	}
	t.closed++
	return nil
}

func (t *toyLab) addr() string {
	if t.srv == nil {
		return ""
	}
	return strings.TrimPrefix(t.srv.URL, "http://")
}

func (t *toyLab) Status(context.Context) lab.Status {
	t.mu.Lock()
	defer t.mu.Unlock()
	return lab.Status{Up: t.started, Line: "toy " + t.preset, Short: "toy", Stage: "toy-" + t.preset, Addr: t.addr()}
}

func (t *toyLab) Actions() []lab.Action {
	return []lab.Action{
		{Name: "loadtest", Aliases: []string{"load"}, Key: "L", Help: "load the toy server", Load: true, NeedsServer: true},
		{Name: "start", Aliases: []string{"serve", "restart"}, Key: "R", Help: "restart the toy server", Do: t.start},
		{Name: "poke", Help: "say what it was given", DuringLoad: true, Do: t.poke},
		{Name: "poke-server", Help: "poke the running server", NeedsServer: true, Do: t.poke},
		{Name: "read-plan", Help: "read a plan", Do: func(context.Context, lab.Request) (lab.Outcome, error) {
			return lab.Outcome{Summary: "Seq Scan: read it all", Plan: &lab.Plan{Text: "Limit\n  -> Seq Scan on toys", Kind: "Seq Scan", Verdict: "Seq Scan: read it all"}}, nil
		}},
		{Name: "fail", Help: "fail", Do: func(context.Context, lab.Request) (lab.Outcome, error) {
			return lab.Outcome{}, errors.New("the toy broke")
		}},
		{Name: "secret", Help: "a workshop-only action", Hidden: true, Do: t.poke},
		{Name: "kick", Key: "Q", Help: "kick the toy server; it stays down until B", InWorkshop: true, NeedsServer: true, Do: t.poke},
	}
}

func (t *toyLab) start(_ context.Context, req lab.Request) (lab.Outcome, error) {
	fs := flag.NewFlagSet("start", flag.ContinueOnError)
	preset := fs.String("preset", "plain", "")
	if err := fs.Parse(req.Args); err != nil {
		return lab.Outcome{}, err
	}
	if *preset != "plain" && *preset != "fancy" {
		return lab.Outcome{}, fmt.Errorf("no preset %q", *preset)
	}
	t.mu.Lock()
	t.preset = *preset
	t.mu.Unlock()
	return lab.Outcome{Summary: "toy restarted " + *preset, Applied: []string{"preset:" + *preset}}, nil
}

func (t *toyLab) poke(_ context.Context, req lab.Request) (lab.Outcome, error) {
	req.Progress("poking")
	t.mu.Lock()
	server := t.srv != nil
	t.mu.Unlock()
	return lab.Outcome{Summary: fmt.Sprintf("poked with %q", req.Args), Detail: fmt.Sprintf("server running: %v", server)}, nil
}

func (t *toyLab) Stages() []lab.Stage {
	return []lab.Stage{{Name: "toy-plain", Title: "Plain toy"}, {Name: "toy-fancy", Title: "Fancy toy"}}
}
func (t *toyLab) StageAfter([]string) string        { return "" }
func (t *toyLab) SetTasks(map[string]bool)          {}
func (t *toyLab) Sample(context.Context) lab.Sample { return lab.Sample{} }
func (t *toyLab) Conditions() []string              { return []string{"toy-down"} }

func (t *toyLab) LoadTest(ctx context.Context, h *load.History, opt load.Options, progress func(load.Progress)) (*load.Record, error) {
	st := t.Status(ctx)
	opt.URL = "http://" + st.Addr + "/"
	res, err := load.Run(ctx, opt, progress)
	if res == nil {
		return nil, err
	}
	rec := &load.Record{Options: opt, State: st.Stage, Lab: "toy", Scenario: t.cfg.Scenario, Result: res}
	res.State = rec.State
	if err != nil || h == nil {
		return rec, err
	}
	saved, err := h.Add(*rec)
	return &saved, err
}

// runToy runs `scalelab NAME args --lab toy` through the dispatcher's lab commands.
func runToy(t *testing.T, name string, args ...string) (string, string, error) {
	t.Helper()
	var out, errOut syncBuffer
	labName, err := chosenLab(append(args, "--lab", "toy"))
	if err != nil {
		t.Fatal(err)
	}
	err = labCommandMain(context.Background(), labName, name, append(args, "--lab", "toy"), &out, &errOut, false)
	return out.String(), errOut.String(), err
}

func TestToyLabCommandsFromTheRecords(t *testing.T) {
	t.Setenv("SCALELAB_HOME", t.TempDir())
	out, errOut, err := runToy(t, "poke", "a", "--rows", "5", "-x", "--flag=1")
	if err != nil {
		t.Fatal(err)
	}
	// the runner's flags are the runner's; the rest goes to the action, in order
	if !strings.Contains(out, `poked with ["a" "-x" "--flag=1"]`) || !strings.Contains(out, "server running: false") {
		t.Errorf("poke:\n%s", out)
	}
	if !strings.Contains(errOut, "scalelab: poking") {
		t.Errorf("progress lines are not on stderr:\n%s", errOut)
	}
	if toyStarts.last.cfg.Rows != 5 || !toyStarts.last.cfg.Reseed || !toyStarts.last.cfg.DataOnly || toyStarts.last.closed == 0 {
		t.Errorf("the lab was started with %+v and closed %d times", toyStarts.last.cfg, toyStarts.last.closed)
	}
	// an action that needs the server gets the lab with its server
	out, _, err = runToy(t, "poke-server")
	if err != nil || !strings.Contains(out, "server running: true") {
		t.Errorf("poke-server (%v):\n%s", err, out)
	}
	// a plan is printed with its scans marked, its verdict once
	out, _, err = runToy(t, "read-plan")
	if err != nil || !strings.Contains(out, ">>   -> Seq Scan on toys") || strings.Count(out, "Seq Scan: read it all") != 1 {
		t.Errorf("read-plan (%v):\n%s", err, out)
	}
	if _, _, err := runToy(t, "fail"); err == nil || !strings.Contains(err.Error(), "the toy broke") {
		t.Errorf("fail: %v", err)
	}
	if _, ok := labCommand("toy", "secret"); ok {
		t.Error("a Hidden action is a CLI command")
	}
	if _, ok := labCommand("toy", "load"); !ok {
		t.Error("an alias is not a CLI command")
	}
}

func TestToyLabHelpListsTheRecords(t *testing.T) {
	var b strings.Builder
	usage(&b, "toy")
	for _, want := range []string{"Commands of the toy lab", "poke-server    poke the running server", "loadtest       load the toy server", "workshop", "lint"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("usage lacks %q:\n%s", want, b.String())
		}
	}
	if strings.Contains(b.String(), "secret") {
		t.Errorf("usage lists a hidden action:\n%s", b.String())
	}
	_, errOut, err := runToy(t, "poke", "--help")
	if !errors.Is(err, flag.ErrHelp) || !strings.Contains(errOut, "Usage: scalelab poke") || !strings.Contains(errOut, "Say what it was given.") || !strings.Contains(errOut, "-lab") {
		t.Errorf("poke --help (%v):\n%s", err, errOut)
	}
}

// An InWorkshop action is listed with its key and refused alone, before any lab starts.
func TestToyLabWorkshopOnlyAction(t *testing.T) {
	t.Setenv("SCALELAB_HOME", t.TempDir())
	var b strings.Builder
	usage(&b, "toy")
	if !strings.Contains(b.String(), "kick           (in the workshop: Q) kick the toy server; it stays down until B") {
		t.Errorf("usage does not list kick with its key:\n%s", b.String())
	}
	toyStarts.Lock()
	before := toyStarts.withServer + toyStarts.dataOnly
	toyStarts.Unlock()
	out, _, err := runToy(t, "kick")
	if err == nil || !strings.Contains(err.Error(), "kick acts on the toy lab while you watch it, so it runs in the workshop only: start `scalelab` and press Q in the workshop") || out != "" {
		t.Errorf("kick alone: %v\n%s", err, out)
	}
	toyStarts.Lock()
	after := toyStarts.withServer + toyStarts.dataOnly
	toyStarts.Unlock()
	if after != before {
		t.Errorf("kick alone started a lab")
	}
	var e strings.Builder
	if code := run([]string{"kick", "--lab", "toy"}, &e); code != 1 || !strings.Contains(e.String(), "press Q in the workshop") {
		t.Errorf("scalelab kick: exit %d\n%s", code, e.String())
	}
}

func TestUnknownLabRefused(t *testing.T) {
	t.Setenv("SCALELAB_HOME", t.TempDir())
	var b strings.Builder
	if code := run([]string{"poke", "--lab", "nope"}, &b); code != 1 || !strings.Contains(b.String(), `--lab: no lab named "nope" in this build (labs: `) || !strings.Contains(b.String(), "toy") {
		t.Errorf("exit %d:\n%s", code, b.String())
	}
	b.Reset()
	if code := run([]string{"frobnicate", "--lab", "toy"}, &b); code != 2 || !strings.Contains(b.String(), `unknown command "frobnicate"`) {
		t.Errorf("exit %d:\n%s", code, b.String())
	}
}

// The lab of the running workshop is the one a command works on when --lab is not given.
func TestChosenLabFollowsTheRunningLab(t *testing.T) {
	t.Setenv("SCALELAB_HOME", t.TempDir())
	if n, err := chosenLab(nil); err != nil || n != lab.Default {
		t.Fatalf("no running lab: %q, %v", n, err)
	}
	h, err := running.WriteLab("toy", "127.0.0.1:1", "the workshop")
	if err != nil {
		t.Fatal(err)
	}
	if n, err := chosenLab([]string{"-x"}); err != nil || n != "toy" {
		t.Errorf("the workshop runs toy: %q, %v", n, err)
	}
	h.Remove()
	if _, err := running.WriteLab("gone", "127.0.0.1:1", "the workshop"); err != nil {
		t.Fatal(err)
	}
	if _, err := chosenLab(nil); err == nil || !strings.Contains(err.Error(), `runs the lab "gone"`) {
		t.Errorf("a running lab of another build: %v", err)
	}
	if n, err := chosenLab([]string{"--lab=toy"}); err != nil || n != "toy" {
		t.Errorf("--lab=toy: %q, %v", n, err)
	}
}

var toyListenRE = regexp.MustCompile(`Lab toy listening on (http://\S+)`)

func TestToyServeAndLoadtest(t *testing.T) {
	t.Setenv("SCALELAB_HOME", t.TempDir())
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errOut syncBuffer
	done := make(chan error, 1)
	a, _ := labCommand("toy", "serve")
	go func() {
		done <- serveMain(ctx, "toy", "serve", a, []string{"--preset", "fancy", "--lab", "toy"}, &out, &errOut)
	}()
	base := waitFor(t, &out, toyListenRE, done)
	if !strings.Contains(out.String(), "toy restarted fancy") || !strings.Contains(out.String(), "  toy fancy\n") {
		t.Errorf("serve output:\n%s", out.String())
	}
	r, err := running.Find()
	if err != nil || r.Lab != "toy" || "http://"+r.Addr != base {
		t.Fatalf("the running record: %+v, %v", r, err)
	}
	// loadtest finds the served lab and measures it; the toy is no lab.Remote, so custom
	var lout, lerr syncBuffer
	la, _ := labCommand("toy", "loadtest")
	if err := loadtestMain(context.Background(), "toy", "loadtest", la, []string{"-c", "2", "-n", "10", "--json"}, &lout, &lerr); err != nil {
		t.Fatalf("%v\n%s", err, lerr.String())
	}
	if !strings.Contains(lerr.String(), "measuring scalelab's API at "+r.Addr) || !strings.Contains(lout.String(), `"state":"custom"`) {
		t.Errorf("loadtest of the served lab:\n%s\n%s", lerr.String(), lout.String())
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(out.String(), "Stopping...\nStopped.\n") {
		t.Errorf("serve's end:\n%s", out.String())
	}
	// a bad preset stops serve before it says it listens
	out = syncBuffer{}
	if err := serveMain(context.Background(), "toy", "serve", a, []string{"--preset", "ugly"}, &out, &errOut); err == nil || strings.Contains(out.String(), "listening") {
		t.Errorf("serve --preset ugly: %v\n%s", err, out.String())
	}
	// with no lab running, loadtest starts its own with the preset, files the run by its stage
	lout = syncBuffer{}
	if err := loadtestMain(context.Background(), "toy", "loadtest", la, []string{"-c", "2", "-n", "10", "--json", "--preset", "fancy"}, &lout, &lerr); err != nil {
		t.Fatalf("%v\n%s", err, lerr.String())
	}
	if !strings.Contains(lout.String(), `"state":"toy-fancy"`) {
		t.Errorf("loadtest of its own lab:\n%s", lout.String())
	}
	h, err := load.OpenDefaultHistory()
	if err != nil {
		t.Fatal(err)
	}
	if rec, ok := h.Latest("toy-fancy"); !ok || rec.Lab != "toy" {
		t.Errorf("history: %+v", h.List())
	}
}
