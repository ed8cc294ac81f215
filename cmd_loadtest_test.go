package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"scalelab/lab"
	"scalelab/lab/home"
	"scalelab/lab/load"
	"scalelab/lab/pg"
	"scalelab/lab/pg/pgtest"
	"scalelab/lab/running"
)

func TestLoadtestURLPrintsJSONAndRecordsTheRun(t *testing.T) {
	t.Setenv("SCALELAB_HOME", t.TempDir())
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("[]")) }))
	defer srv.Close()
	var out, errb bytes.Buffer
	a := loadtestArgs{Options: load.Options{URL: srv.URL + "/feed", Concurrency: 4, Requests: 40}, json: true}
	if err := loadtest(context.Background(), &out, &errb, a); err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(out.Bytes(), &m); err != nil {
		t.Fatalf("not one JSON object: %v\n%s", err, out.String())
	}
	for _, k := range []string{"total", "succeeded", "failed", "success_rate", "avg_ms", "p50_ms", "p99_ms", "rps", "errors", "state"} {
		if _, ok := m[k]; !ok {
			t.Errorf("key %q missing: %s", k, out.String())
		}
	}
	if m["total"].(float64) != 40 || m["success_rate"].(float64) != 100 || m["state"] != "custom" {
		t.Fatalf("figures: %s", out.String())
	}
	h, err := load.OpenDefaultHistory()
	if err != nil {
		t.Fatal(err)
	}
	if r, ok := h.Latest(load.StateCustom); !ok || r.Result.Total != 40 || r.Options.URL != srv.URL+"/feed" {
		t.Fatalf("history: %+v", h.List())
	}
}

// TestLoadtestUnreadableHistory: a run history that does not parse is moved aside with a note
// on the command's stderr, and the run starts a new one.
func TestLoadtestUnreadableHistory(t *testing.T) {
	t.Setenv("SCALELAB_HOME", t.TempDir())
	path, err := home.Path("runs.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte("{not json"), 0o644); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("[]")) }))
	defer srv.Close()
	var out, errb bytes.Buffer
	a := loadtestArgs{Options: load.Options{URL: srv.URL + "/feed", Concurrency: 2, Requests: 10}, json: true}
	if err := loadtest(context.Background(), &out, &errb, a); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(errb.String(), "the run history was unreadable and was moved to ") {
		t.Fatalf("no note about the unreadable history on stderr: %q", errb.String())
	}
	h, err := load.OpenDefaultHistory()
	if err != nil {
		t.Fatal(err)
	}
	if runs := h.List(); len(runs) != 1 || runs[0].Result.Total != 10 {
		t.Fatalf("new history: %+v", runs)
	}
}

func TestLoadtestLabPrintsTheScenarioTable(t *testing.T) {
	t.Setenv("SCALELAB_HOME", t.TempDir())
	db := pgtest.OwnServer(t, pg.Options{})
	var out, errb bytes.Buffer
	a := loadtestArgs{Options: load.Options{Concurrency: 10, Duration: time.Second}, preset: "fixed", presetSet: true,
		labFlags: labFlags{db: db.URL(), rows: 10_000}}
	if err := loadtest(context.Background(), &out, &errb, a); err != nil {
		t.Fatalf("%v\n%s", err, errb.String())
	}
	for _, want := range []string{"Summary:", "Requests/sec:", "Lab state: After Fix 1, 10,000 rows",
		"Success rate     100", "Failed requests  0 of ", "Average latency", "p99 latency", "Errors by cause: none"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	h, _ := load.OpenDefaultHistory()
	if r, ok := h.Latest(load.StateFix1); !ok || r.Rows != 10_000 || r.Result.Succeeded == 0 {
		t.Fatalf("history: %+v", h.List())
	}
}

func TestLoadtestFlags(t *testing.T) {
	runLoadtest := func(args []string) error {
		return labMain("loadtest")(context.Background(), args, io.Discard, io.Discard)
	}
	if err := runLoadtest([]string{"--preset", "nope", "--url", "x"}); err == nil || !strings.Contains(err.Error(), "http") {
		t.Fatalf("a bad URL: %v", err)
	}
	if err := runLoadtest([]string{"extra"}); err == nil {
		t.Fatal("a stray argument was accepted")
	}
	if err := runLoadtest([]string{"-c", "10", "-n", "5", "--url", "http://127.0.0.1:1/feed"}); err == nil ||
		!strings.Contains(err.Error(), "-n must be at least -c") {
		t.Fatalf("-n below -c: %v", err)
	}
}

// TestLoadtestURLOfAScalelabAPI: `scalelab serve` in one terminal, `scalelab loadtest --url` in
// another. The API's /metrics explain the failures by cause, as for the lab's own API.
func TestLoadtestURLOfAScalelabAPI(t *testing.T) {
	t.Setenv("SCALELAB_HOME", t.TempDir())
	db := pgtest.OwnServer(t, pg.Options{})
	ctx := context.Background()
	l, err := lab.New(lab.Default, lab.Config{DBURL: db.URL(), Rows: 1_000, Addr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	var out, errb bytes.Buffer
	a := loadtestArgs{Options: load.Options{URL: "http://" + l.Status(ctx).Addr + "/feed", Concurrency: 100, Duration: 2 * time.Second}, json: true}
	if err := loadtest(ctx, &out, &errb, a); err != nil {
		t.Fatal(err)
	}
	var m struct {
		Failed int            `json:"failed"`
		Errors map[string]int `json:"errors"`
		State  string         `json:"state"`
	}
	if err := json.Unmarshal(out.Bytes(), &m); err != nil {
		t.Fatal(err)
	}
	if m.Failed == 0 || m.Errors["connect_timeout"]+m.Errors["too_many_clients"] == 0 || m.Errors["http 503"] != 0 {
		t.Fatalf("failures not explained by the API's causes: %s", out.String())
	}
	if _, remote := l.(lab.Remote); remote && m.State != load.StateBroken { // from the API's /health: preset broken, no index
		t.Fatalf("state %q, want %q from the API's /health: %s", m.State, load.StateBroken, out.String())
	}
}

// With `scalelab serve --preset fixed` running, a plain `scalelab loadtest` measures that API
// (found in the data home) instead of starting a broken one: it says which, and the run is
// recorded After Fix 1. Once serve stops, its record is gone.
func TestLoadtestMeasuresTheRunningLab(t *testing.T) {
	t.Setenv("SCALELAB_HOME", t.TempDir())
	t.Setenv("DATABASE_URL", "")
	srv := pgtest.OwnServer(t, pg.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var sout, serr syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- serveMain0(ctx, []string{"--db=" + srv.URL(), "--addr", "127.0.0.1:0", "--preset", "fixed", "--rows", "500"}, &sout, &serr)
	}()
	base := waitFor(t, &sout, listenRE, done)

	var out, errb bytes.Buffer
	a := loadtestArgs{Options: load.Options{Concurrency: 5, Duration: time.Second}, preset: "broken", presetSet: true,
		labFlags: labFlags{db: srv.URL(), rows: 500}}
	if err := loadtest(context.Background(), &out, &errb, a); err != nil {
		t.Fatalf("%v\n%s", err, errb.String())
	}
	addr := strings.TrimPrefix(base, "http://")
	for _, want := range []string{"measuring scalelab's API at " + addr + " (pid ", "--preset broken is not used"} {
		if !strings.Contains(errb.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, errb.String())
		}
	}
	if !strings.Contains(out.String(), base+"/feed") {
		t.Errorf("the table does not name the running lab:\n%s", out.String())
	}
	// The stage is the one the served API reports when the lab reads it (lab.Remote), else
	// custom: never the broken lab a run of its own would have measured.
	want := load.StateCustom
	if l, _ := lab.New(lab.Default, lab.Config{}); l != nil {
		if _, remote := l.(lab.Remote); remote {
			want = load.StateFix1
		}
	}
	h, _ := load.OpenDefaultHistory()
	if r, ok := h.Latest(want); !ok || r.Result.Total == 0 || r.Lab != lab.Default {
		t.Fatalf("history: %+v", h.List())
	}
	if _, ok := h.Latest(load.StateBroken); ok {
		t.Fatalf("a broken run was recorded: %+v", h.List())
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if _, ok := findRunningLab(); ok {
		t.Fatal("the stopped serve is still found as the running lab")
	}
}

// While the workshop runs a load test against its API, `scalelab loadtest` in another terminal
// does not load the same API at once (both runs would be wrong): it says who is loading and
// records nothing. Once the workshop's run ends, the same command measures the lab.
func TestLoadtestWaitsForTheWorkshopsRun(t *testing.T) {
	t.Setenv("SCALELAB_HOME", t.TempDir())
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Write([]byte("[]"))
	}))
	defer srv.Close()
	rec, err := running.Write(strings.TrimPrefix(srv.URL, "http://"), "the workshop")
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Remove()
	release, err := running.LockLoad("the workshop")
	if err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	a := loadtestArgs{Options: load.Options{Concurrency: 2, Requests: 10}}
	err = loadtest(context.Background(), &out, &errb, a)
	if !errors.Is(err, running.ErrBusy) || !strings.Contains(err.Error(), "(the workshop, pid") {
		t.Fatalf("loadtest during the workshop's run: %v, want it refused naming the workshop\n%s%s", err, out.String(), errb.String())
	}
	if n := hits.Load(); n > 0 {
		t.Fatalf("%d requests reached the API during the workshop's run", n)
	}
	// --url at the same API is the same lab.
	a.URL = srv.URL + "/feed"
	if err := loadtest(context.Background(), &out, &errb, a); !errors.Is(err, running.ErrBusy) {
		t.Fatalf("loadtest --url at the running lab during its run: %v, want refused", err)
	}
	h, err := load.OpenDefaultHistory()
	if err != nil {
		t.Fatal(err)
	}
	if n := len(h.List()); n != 0 {
		t.Fatalf("%d runs recorded while the workshop's run held the lock", n)
	}
	release()
	a.URL = ""
	if err := loadtest(context.Background(), &out, &errb, a); err != nil {
		t.Fatalf("loadtest after the workshop's run: %v", err)
	}
	if hits.Load() < 10 {
		t.Fatalf("the lab was not measured after the workshop's run: %d requests", hits.Load())
	}
}

// A lab recorded as running whose API does not answer: the run of a lab of its own is said to
// be that, not silently taken for the learner's lab.
func TestLoadtestSaysTheRecordedLabDoesNotAnswer(t *testing.T) {
	t.Setenv("SCALELAB_HOME", t.TempDir())
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	rec, err := running.Write(addr, "the workshop")
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Remove()
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // the lab of its own stops before it starts: only what is said matters here
	var out, errb bytes.Buffer
	loadtest(ctx, &out, &errb, loadtestArgs{Options: load.Options{Concurrency: 2, Requests: 10}, preset: "broken"})
	if !strings.Contains(errb.String(), "the workshop's API at "+addr) || !strings.Contains(errb.String(), "does not answer") {
		t.Fatalf("stderr does not say the recorded lab does not answer:\n%s", errb.String())
	}
}
