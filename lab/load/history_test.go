package load

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
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

// runs.json and its directory are private; an existing file is tightened when written.
func TestHistoryFilesPrivate(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "home")
	path := filepath.Join(dir, "runs.json")
	h, err := OpenHistory(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.Add(Record{Result: sampleResult()}); err != nil {
		t.Fatal(err)
	}
	for p, want := range map[string]os.FileMode{dir: 0o700, path: 0o600} {
		if fi, err := os.Stat(p); err != nil || fi.Mode().Perm() != want {
			t.Errorf("%s: mode %v (%v), want %v", p, fi.Mode().Perm(), err, want)
		}
	}
	os.Chmod(path, 0o644)
	if _, err := h.Add(Record{Result: sampleResult()}); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("rewritten runs.json is %v", fi.Mode().Perm())
	}
}

// Two unreadable histories moved aside in the same second keep two backups.
func TestHistoryBackupsNeverOverwritten(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "runs.json")
	var backups []string
	for _, body := range []string{"{first broken", "{second broken"} {
		os.WriteFile(path, []byte(body), 0o600)
		h, err := OpenHistory(path)
		if err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(h.Recovered)
		if err != nil || string(b) != body {
			t.Fatalf("backup %s holds %q (%v), want %q", h.Recovered, b, err, body)
		}
		backups = append(backups, h.Recovered)
	}
	if backups[0] == backups[1] {
		t.Fatalf("one backup name for two files: %s", backups[0])
	}
	if b, _ := os.ReadFile(backups[0]); string(b) != "{first broken" {
		t.Errorf("the first backup was overwritten: %q", b)
	}
}

// Fields a newer scalelab wrote (top level and inside a run) survive an Add; a newer format
// is refused and left untouched.
func TestHistoryUnknownFieldsAndNewerVersion(t *testing.T) {
	path := filepath.Join(t.TempDir(), "runs.json")
	old := `{"version":1,"classroom":{"room":"b12"},"runs":[{"id":7,"at":"2026-01-02T03:04:05Z","state":"broken","label":"postgres-down","result":{"total":5,"future_metric":42}}]}`
	os.WriteFile(path, []byte(old), 0o600)
	h, err := OpenHistory(path)
	if err != nil {
		t.Fatal(err)
	}
	r, err := h.Add(Record{Result: sampleResult()})
	if err != nil || r.ID != 8 {
		t.Fatalf("add: %+v %v", r, err)
	}
	b, _ := os.ReadFile(path)
	var compact bytes.Buffer
	json.Compact(&compact, b)
	for _, want := range []string{`"classroom":{"room":"b12"}`, `"label":"postgres-down"`, `"future_metric":42`} {
		if !strings.Contains(compact.String(), want) {
			t.Errorf("runs.json lost %s:\n%s", want, b)
		}
	}
	if again, err := OpenHistory(path); err != nil || len(again.List()) != 2 {
		t.Fatalf("reopen: %v", err)
	}

	newer := `{"version":2,"runs":[]}`
	os.WriteFile(path, []byte(newer), 0o600)
	_, err = OpenHistory(path)
	var ne *NewerHistoryError
	if !errors.As(err, &ne) || ne.Version != 2 || !strings.Contains(err.Error(), "upgrade scalelab") {
		t.Fatalf("newer history: %v", err)
	}
	if b, _ := os.ReadFile(path); string(b) != newer {
		t.Errorf("a newer history was changed: %s", b)
	}
	if left, _ := filepath.Glob(path + ".broken-*"); len(left) != 0 {
		t.Errorf("a newer history was moved aside as broken: %v", left)
	}
}

// TestLatestFor: the newest run of each state among one scenario's runs in one lab; runs
// recorded before runs kept their scenario and lab (a runs.json of then) count as Scenario 1's
// in its lab; LatestByState has every state, whatever the scenario.
func TestLatestFor(t *testing.T) {
	path := filepath.Join(t.TempDir(), "runs.json")
	early := `{"version":1,"runs":[{"id":1,"at":"2026-01-02T03:04:05Z","state":"broken","result":{"total":5}},` +
		`{"id":2,"at":"2026-01-02T03:05:05Z","state":"fix1","result":{"total":6}}]}`
	if err := os.WriteFile(path, []byte(early), 0o600); err != nil {
		t.Fatal(err)
	}
	h, err := OpenHistory(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []Record{
		{State: StateFix1, Scenario: "01-single-server", Lab: "single-server"},          // 3
		{State: StateOutage, Scenario: "01-single-server", Lab: "single-server"},        // 4
		{State: StateFix1, Scenario: "02-load-balancing", Lab: "two-servers"},           // 5
		{State: StateBroken, Scenario: "01-single-server", Lab: "two-servers"},          // 6
		{State: StateFix1, Scenario: "scenario-01-single-server", Lab: "single-server"}, // 7
	} {
		r.Result = sampleResult()
		if _, err := h.Add(r); err != nil {
			t.Fatal(err)
		}
	}
	ids := func(m map[string]Record) map[string]int {
		out := map[string]int{}
		for st, r := range m {
			out[st] = r.ID
		}
		return out
	}
	for _, c := range []struct {
		scenario, lab string
		want          map[string]int
	}{
		{"01-single-server", "single-server", map[string]int{StateBroken: 1, StateFix1: 3, StateOutage: 4}},
		{"", "", map[string]int{StateBroken: 1, StateFix1: 3, StateOutage: 4}},
		{"02-load-balancing", "two-servers", map[string]int{StateFix1: 5}},
		{"01-single-server", "two-servers", map[string]int{StateBroken: 6}},
		{"scenario-01-single-server", "", map[string]int{StateFix1: 7}},
		{"03-none", "single-server", map[string]int{}},
	} {
		if got := ids(h.LatestFor(c.scenario, c.lab)); !reflect.DeepEqual(got, c.want) {
			t.Errorf("LatestFor(%q, %q) = %v, want %v", c.scenario, c.lab, got, c.want)
		}
	}
	if got, want := ids(h.LatestByState()), map[string]int{StateBroken: 6, StateFix1: 7, StateOutage: 4}; !reflect.DeepEqual(got, want) {
		t.Errorf("LatestByState = %v, want %v", got, want)
	}
}

// How many load tests ran beside a run is added to it once known, and kept in the file.
func TestSetBesideKept(t *testing.T) {
	path := filepath.Join(t.TempDir(), "runs.json")
	h, err := OpenHistory(path)
	if err != nil {
		t.Fatal(err)
	}
	rec, err := h.Add(Record{State: "broken", Result: &Result{Total: 10, Succeeded: 10, SuccessRate: 100}})
	if err != nil {
		t.Fatal(err)
	}
	got, err := h.SetBeside(rec.ID, 2)
	if err != nil || got.Beside != 2 || got.ID != rec.ID {
		t.Fatalf("SetBeside = %+v, %v", got, err)
	}
	again, err := OpenHistory(path)
	if err != nil {
		t.Fatal(err)
	}
	if recs := again.List(); len(recs) != 1 || recs[0].Beside != 2 || recs[0].Result.Total != 10 {
		t.Fatalf("after reopening: %+v", recs)
	}
	if _, err := h.SetBeside(99, 1); err == nil {
		t.Fatal("SetBeside of a run that does not exist succeeded")
	}
}
