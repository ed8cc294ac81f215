package load

import (
	"os"
	"path/filepath"
	"reflect"
	"sync"
	"testing"
	"time"
)

func sampleResult() *Result {
	return &Result{Total: 100, Succeeded: 40, Failed: 60, SuccessRate: 40, Avg: 12345 * time.Microsecond,
		P50: 10 * time.Millisecond, P99: 150 * time.Millisecond, RPS: 512.5, Elapsed: 30 * time.Second,
		StatusCodes: map[int]int{200: 40, 503: 60}, Errors: map[string]int{"connect_timeout": 60}, Ended: EndedTime}
}

func TestHistoryKeepsRunsAcrossRestarts(t *testing.T) {
	path := filepath.Join(t.TempDir(), "runs.json")
	h, err := OpenHistory(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(h.List()) != 0 {
		t.Fatal("a new history is not empty")
	}
	opt := Options{URL: "http://127.0.0.1:3000/feed", Concurrency: 100, Duration: 30 * time.Second}
	for _, st := range []string{StateBroken, StateFix1, StateBroken, StateFix2} {
		if _, err := h.Add(Record{Options: opt, State: st, Rows: 10000, Result: sampleResult()}); err != nil {
			t.Fatal(err)
		}
	}
	again, err := OpenHistory(path) // as after a restart
	if err != nil {
		t.Fatal(err)
	}
	recs := again.List()
	if len(recs) != 4 || recs[0].ID != 1 || recs[3].ID != 4 || recs[3].State != StateFix2 {
		t.Fatalf("records %+v", recs)
	}
	latest, ok := again.Latest(StateBroken)
	if !ok || latest.ID != 3 || latest.Rows != 10000 || latest.Options != opt {
		t.Fatalf("latest broken %+v", latest)
	}
	got, want := latest.Result, sampleResult()
	want.State = StateBroken
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("result after a round trip\n got %+v\nwant %+v", got, want)
	}
	if _, ok := again.Latest(StateCustom); ok {
		t.Fatal("a custom run that never happened")
	}
	if m := again.LatestByState(); len(m) != 3 || m[StateFix1].ID != 2 {
		t.Fatalf("latest by state %+v", m)
	}
	if leftovers, _ := filepath.Glob(path + ".tmp-*"); len(leftovers) != 0 {
		t.Fatalf("temporary files left: %v", leftovers)
	}
}

func TestHistoryTwoWritersLoseNothing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "runs.json")
	a, _ := OpenHistory(path)
	b, _ := OpenHistory(path) // a second process, opened before a wrote anything
	var wg sync.WaitGroup
	for _, h := range []*History{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 10; i++ {
				if _, err := h.Add(Record{State: StateFix1, Result: sampleResult()}); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	c, _ := OpenHistory(path)
	recs := c.List()
	seen := map[int]bool{}
	for _, r := range recs {
		seen[r.ID] = true
	}
	if len(recs) != 20 || len(seen) != 20 {
		t.Fatalf("%d records, %d distinct ids, want 20", len(recs), len(seen))
	}
}

func TestHistoryUnreadableFileIsMovedAside(t *testing.T) {
	path := filepath.Join(t.TempDir(), "runs.json")
	if err := os.WriteFile(path, []byte("{not json"), 0o644); err != nil {
		t.Fatal(err)
	}
	h, err := OpenHistory(path)
	if err != nil {
		t.Fatal(err)
	}
	if h.Recovered == "" || len(h.List()) != 0 {
		t.Fatalf("recovered %q, %d records", h.Recovered, len(h.List()))
	}
	if b, err := os.ReadFile(h.Recovered); err != nil || string(b) != "{not json" {
		t.Fatalf("the broken file was not kept: %v", err)
	}
	if _, err := h.Add(Record{Result: sampleResult()}); err != nil {
		t.Fatal(err)
	}
	if r, ok := h.Latest(StateCustom); !ok || r.ID != 1 {
		t.Fatalf("after recovery %+v", r)
	}
}

func TestHistoryKeepsTheNewestRuns(t *testing.T) {
	path := filepath.Join(t.TempDir(), "runs.json")
	h, _ := OpenHistory(path)
	defer func(n int) { maxRecords = n }(maxRecords)
	maxRecords = 20
	for i := 0; i < maxRecords+3; i++ {
		if _, err := h.Add(Record{Result: &Result{Total: i}}); err != nil {
			t.Fatal(err)
		}
	}
	recs := h.List()
	if len(recs) != maxRecords || recs[0].ID != 4 || recs[len(recs)-1].ID != maxRecords+3 {
		t.Fatalf("%d records, first id %d", len(recs), recs[0].ID)
	}
}
