package singleserver

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"scalelab/lab/feed"
	"scalelab/lab/load"
	"scalelab/lab/pg/pgtest"
	"scalelab/lab/posts"
)

// TestLoadTestRecordsTheStage: each run is recorded with the stage the lab was in, and its
// failures are explained by the API's telemetry.
func TestLoadTestRecordsTheStage(t *testing.T) {
	ctx := context.Background()
	l, err := Start(ctx, Config{DBURL: pgtest.NewDatabase(t), Rows: 2_000, Knobs: feed.Fixed()})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	h, err := load.OpenHistory(filepath.Join(t.TempDir(), "runs.json"))
	if err != nil {
		t.Fatal(err)
	}
	opt := load.Options{Concurrency: 5, Requests: 100}
	fix1, err := l.LoadTest(ctx, h, opt, nil)
	if err != nil {
		t.Fatal(err)
	}
	if fix1.ID != 1 || fix1.State != load.StateFix1 || fix1.Rows != 2_000 || fix1.Result.Succeeded != 100 ||
		fix1.Options.URL != l.FeedURL() || fix1.Options.Duration != 0 || fix1.Options.Timeout != load.DefaultTimeout {
		t.Fatalf("fix1 record %+v, result %+v", fix1, fix1.Result)
	}
	if _, err := l.ApplyIndex(ctx); err != nil {
		t.Fatal(err)
	}
	if fix2, err := l.LoadTest(ctx, h, opt, nil); err != nil || fix2.State != load.StateFix2 || fix2.Result.State != load.StateFix2 {
		t.Fatalf("fix2: %v %+v", err, fix2)
	}
	// The broken knobs with the index are neither the scenario's start nor a fix.
	if err := l.SetKnobs(ctx, feed.Broken()); err != nil {
		t.Fatal(err)
	}
	custom, err := l.LoadTest(ctx, h, load.Options{Concurrency: 2, Requests: 4}, nil)
	if err != nil || custom.State != load.StateCustom {
		t.Fatalf("custom: %v %+v", err, custom)
	}
	if got := len(h.List()); got != 3 {
		t.Fatalf("%d runs in the history, want 3", got)
	}

	// A cancelled run returns what it measured and is not recorded.
	cctx, cancel := context.WithCancel(ctx)
	rec, err := l.LoadTest(cctx, h, load.Options{Concurrency: 2, Duration: time.Hour}, func(p load.Progress) { cancel() })
	if !errors.Is(err, context.Canceled) || rec == nil || rec.Result.Ended != load.EndedCancelled {
		t.Fatalf("cancelled run: %v %+v", err, rec)
	}
	if got := len(h.List()); got != 3 {
		t.Fatalf("a cancelled run was recorded: %d runs", got)
	}
}

// TestLoadTestDuringAFixIsMixed: a run during which the stage changed mixes two stages, so it
// is recorded as mixed, never under the stage it started in (its numbers would fill that
// stage's row of the comparison table).
func TestLoadTestDuringAFixIsMixed(t *testing.T) {
	ctx := context.Background()
	l, err := Start(ctx, Config{DBURL: pgtest.NewDatabase(t), Rows: 2_000, Knobs: feed.Fixed()})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	h, err := load.OpenHistory(filepath.Join(t.TempDir(), "runs.json"))
	if err != nil {
		t.Fatal(err)
	}
	// during runs a load whose progress callback calls change once requests are flowing; the
	// callback runs inside load.Run, so the change happens before the run ends.
	during := func(change func() error) *load.Record {
		t.Helper()
		var once sync.Once
		var changeErr error
		rec, err := l.LoadTest(ctx, h, load.Options{Concurrency: 2, Duration: 500 * time.Millisecond}, func(p load.Progress) {
			if p.Requests > 0 {
				once.Do(func() {
					done := make(chan error, 1)
					go func() { done <- change() }() // like the TUI: another goroutine
					changeErr = <-done
				})
			}
		})
		if err != nil || changeErr != nil {
			t.Fatalf("run: %v; change: %v", err, changeErr)
		}
		return rec
	}

	// Fix 2 applied (by anyone, here straight on the table) during a Fix 1 run.
	rec := during(func() error { _, err := posts.CreateIndex(ctx, l.DB()); return err })
	if rec.State != load.StateMixed || rec.Result.State != load.StateMixed {
		t.Fatalf("run during which the index was created recorded as %q (result %q)", rec.State, rec.Result.State)
	}
	if got := h.List(); len(got) != 1 || got[0].State != load.StateMixed {
		t.Fatalf("history %+v", got)
	}
	// Knobs changed and changed back during a Fix 2 run: the ends agree, the run is still mixed.
	rec = during(func() error {
		if err := l.SetKnobs(ctx, feed.Broken()); err != nil {
			return err
		}
		return l.SetKnobs(ctx, feed.Fixed())
	})
	if rec.State != load.StateMixed {
		t.Fatalf("run during which the knobs changed recorded as %q", rec.State)
	}
	// A run left alone keeps its stage.
	rec, err = l.LoadTest(ctx, h, load.Options{Concurrency: 2, Requests: 20}, nil)
	if err != nil || rec.State != load.StateFix2 {
		t.Fatalf("plain run after the changes: %v %+v", err, rec)
	}
}

// TestLoadTestDuringAnOutage: PostgreSQL killed (kill -9, as a crash) in the middle of a run:
// the supervisor brings it back, and the run is filed as an outage, not as the stage it began
// in. A run started while the database is deliberately down is an outage too.
func TestLoadTestDuringAnOutage(t *testing.T) {
	if pgtest.ExternalURL() != "" {
		t.Skip("tests use an external server")
	}
	dir := clusterDir(t)
	ctx := context.Background()
	l, err := Start(ctx, Config{DataDir: filepath.Join(dir, "pg"), Rows: 500, Knobs: feed.Fixed()})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	h, err := load.OpenHistory(filepath.Join(t.TempDir(), "runs.json"))
	if err != nil {
		t.Fatal(err)
	}
	pid := l.PG().Info().PID
	var once sync.Once
	rec, err := l.LoadTest(ctx, h, load.Options{Concurrency: 2, Duration: 1500 * time.Millisecond}, func(p load.Progress) {
		if p.Requests > 0 {
			once.Do(func() { syscall.Kill(pid, syscall.SIGKILL) })
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if rec.State != load.StateOutage || StageTitle(rec.State) != "During an outage" {
		t.Fatalf("run across a kill -9 of PostgreSQL recorded as %q", rec.State)
	}
	if got := h.List(); len(got) != 1 || got[0].State != load.StateOutage {
		t.Fatalf("history %+v", got)
	}

	if err := l.PG().Kill(ctx); err != nil {
		t.Fatal(err)
	}
	rec, err = l.LoadTest(ctx, h, load.Options{Concurrency: 2, Requests: 10}, nil)
	if err != nil || rec.State != load.StateOutage {
		t.Fatalf("run while the database is down: %v %+v", err, rec)
	}
	if err := l.PG().Start(ctx); err != nil {
		t.Fatal(err)
	}
	// Back up, left alone: the stage again.
	var st State
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if st = l.State(ctx); st.PGUp {
			break
		}
	}
	rec, err = l.LoadTest(ctx, h, load.Options{Concurrency: 2, Requests: 20}, nil)
	if err != nil || rec.State != load.StateFix1 {
		t.Fatalf("run after the database came back: %v %+v (state %+v)", err, rec, st)
	}
}
