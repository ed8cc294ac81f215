package tui

import (
	"reflect"
	"strings"
	"testing"

	"scalelab/content"
	"scalelab/content/worksheet"
	"scalelab/lab/singleserver"
)

// The step checks of the built-in scenario, derived from what each step holds: Step 1 and 5
// their questions, Step 2 a broken run (+ its questions and table), Step 3 a run after Fix 1 and
// one after Fix 2, Step 4 the comparison table.
func TestStepChecks(t *testing.T) {
	sc := content.Builtin()
	c := withLab(&common{scenario: sc, keys: DefaultKeyMap(), sheet: newSheet(&worksheet.Worksheet{}, "", sc.ID)}, singleServer(t))
	want := map[int][]string{
		1: {"answer Q1", "answer Q2", "answer Q3"},
		2: {"answer Q4", "answer Q5", "answer Q6", "fill the results table", "record a load test before the fixes (L)"},
		3: {"record a load test after Fix 1 (L)", "record a load test after Fix 2 (L)"},
		4: {"fill the results table"},
		5: {"answer Q7", "answer Q8", "answer Q9"},
	}
	for n, w := range want {
		i := stepNumbered(sc, n)
		var got []string
		for _, ch := range c.checks(i) {
			got = append(got, ch.what)
			if ch.done {
				t.Errorf("Step %d: %q done on an empty worksheet", n, ch.what)
			}
		}
		if !reflect.DeepEqual(got, w) {
			t.Errorf("Step %d checks:\n got %q\nwant %q", n, got, w)
		}
	}
	for i, st := range sc.Steps {
		// the Go Further sections ask questions and measure too; the others ask nothing
		if st.Number == 0 && !strings.HasPrefix(st.Title, "Go Further") && len(c.checks(i)) != 0 {
			t.Errorf("%q (not a numbered step) has checks: %v", st.Title, c.checks(i))
		}
	}

	// runs and a filled table tick them
	s3, s4 := stepNumbered(sc, 3), stepNumbered(sc, 4)
	c.runs = map[string]bool{singleserver.StageFix1: true}
	if d, tot := c.checkProgress(s3); d != 1 || tot != 2 {
		t.Errorf("Step 3 with a Fix 1 run: %d/%d done, want 1/2", d, tot)
	}
	if next := c.nextLabCheck(s3); next != "record a load test after Fix 2 (L)" {
		t.Errorf("Step 3's next lab check = %q", next)
	}
	c.runs[singleserver.StageFix2] = true
	if d, tot := c.checkProgress(s3); d != 2 || tot != 2 {
		t.Errorf("Step 3 with both runs: %d/%d", d, tot)
	}
	var cmp *content.Table
	for _, tb := range sc.Tables() {
		if tb.Fillable && len(tb.Rows) == 3 {
			cmp = tb
		}
	}
	c.sheet.ws.Tables[cmp.ID] = [][]string{{"Broken (Step 2)", "10%", "1 s", "300"}, {"After Fix 1", "100%", "80 ms", "1,000"}, {"After Fix 2", "", "", ""}}
	if d, _ := c.checkProgress(s4); d != 0 {
		t.Errorf("Step 4 with two of three rows counts as done")
	}
	c.sheet.ws.Tables[cmp.ID][2] = []string{"After Fix 2", "100%", "20 ms", "2,000"}
	if d, tot := c.checkProgress(s4); d != 1 || tot != 1 {
		t.Errorf("Step 4 with three rows: %d/%d", d, tot)
	}
}

// The original seed text (npm commands) gets the same lab checks.
func TestStepChecksOriginal(t *testing.T) {
	sc := seedScenario(t)
	c := withLab(&common{scenario: sc, keys: DefaultKeyMap(), sheet: newSheet(&worksheet.Worksheet{}, "", sc.ID)}, singleServer(t))
	var got []string
	for i := range sc.Steps {
		for _, ch := range c.checks(i) {
			if ch.lab {
				got = append(got, ch.what)
			}
		}
	}
	want := []string{"record a load test before the fixes (L)", "record a load test after Fix 1 (L)", "record a load test after Fix 2 (L)"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("lab checks of the original:\n got %q\nwant %q", got, want)
	}
}
