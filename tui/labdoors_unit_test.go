package tui

import (
	"testing"

	"scalelab/content"
	"scalelab/lab/feed"
	"scalelab/lab/load"
)

// What R applied comes back as the same knobs: the four fixes are the fixed preset, a preset tag
// is that preset, nothing is broken.
func TestKnobsFromApplied(t *testing.T) {
	sc := content.Builtin()
	all := map[string]bool{}
	for _, task := range sc.Tasks() {
		all[task.ID] = true
	}
	applied := appliedFixes(sc, all)
	if len(applied) != 4 {
		t.Fatalf("applied fixes of all four boxes: %v", applied)
	}
	if k := knobsFromApplied(applied); k != feed.Fixed() {
		t.Errorf("four fixes: %v, want fixed", k)
	}
	if k := knobsFromApplied([]string{"preset:fixed"}); k != feed.Fixed() {
		t.Errorf("preset tag: %v", k)
	}
	if k := knobsFromApplied(nil); k != feed.Broken() {
		t.Errorf("nothing applied: %v", k)
	}
	k := knobsFromApplied([]string{"shared-pool"})
	if !hasFix(k, "shared-pool") || hasFix(k, "no-delay") {
		t.Errorf("one fix: %v", k)
	}
}

// A run is "while down" when every request failed for want of the database or the API.
func TestRanWhileDown(t *testing.T) {
	for _, c := range []struct {
		r    load.Result
		want bool
	}{
		{load.Result{Total: 10, Failed: 10, Errors: map[string]int{"database_down": 10}}, true},
		{load.Result{Total: 10, Failed: 10, Errors: map[string]int{"connection refused": 10}}, true},
		{load.Result{Total: 10, Failed: 10, Errors: map[string]int{"too_many_clients": 10}}, false},
		{load.Result{Total: 10, Failed: 9, Errors: map[string]int{"database_down": 9}}, false},
		{load.Result{}, false},
	} {
		if got := ranWhileDown(&c.r); got != c.want {
			t.Errorf("%+v: %v, want %v", c.r, got, c.want)
		}
	}
}
