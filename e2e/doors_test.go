package e2e

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"scalelab/content"
	"scalelab/lab"
	_ "scalelab/lab/singleserver" // the lab the binary runs, for its records
)

// One lab whichever door the learner uses: the workshop, a second terminal, plain mode, the CLI
// alone. Each test starts PostgreSQL in its own data home and keeps its load runs short.

// labArgs are the workshop's flags for a fast lab: few rows, short runs of few users.
var labArgs = []string{"--duration", "2s", "--users", "5", "--rows", "2000"}

// scalelab runs the binary as a command of another terminal and returns its output.
func scalelab(t *testing.T, home string, args ...string) (stdout, stderr string) {
	t.Helper()
	cmd := exec.Command(binary(t), args...)
	cmd.Env = append(os.Environ(), "SCALELAB_HOME="+home, "DATABASE_URL=")
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("scalelab %s: %v\n%s\n%s", strings.Join(args, " "), err, out.String(), errb.String())
	}
	return out.String(), errb.String()
}

// tickFix1 ticks the four Fix 1 boxes in the workshop and restarts the API with them (R).
func (t *term) tickFix1() {
	t.tb.Helper()
	t.search("Build one shared pool")
	t.keys("Tab")
	t.waitFor("x/space: tick")
	for i, box := range []string{"Build one shared pool", "Give the pool 10", "Stop closing the pool", "Remove the 500 ms"} {
		if i > 0 {
			t.keys("Tab")
		}
		t.keys("x")
		t.waitFor("[x] " + box)
	}
	t.keys("R")
	t.waitLong(30*time.Second, "API restarted with 4 of 4 Fix 1 changes")
	t.waitFor("fixed")
}

// history is the pane with its scrollback (plain mode scrolls).
func (t *term) history() string {
	out, _ := t.tmux("capture-pane", "-p", "-J", "-S", "-5000", "-t", t.name)
	return out
}

// waitHistory waits until every want is in the pane's scrollback.
func (t *term) waitHistory(d time.Duration, want ...string) string {
	t.tb.Helper()
	return t.waitIn(d, "the pane's scrollback", t.history, want...)
}

// waitIn reads what read returns until every want is in it or d has passed (then the test
// fails with the last text read): the one wait the screen and scrollback waits share.
func (t *term) waitIn(d time.Duration, where string, read func() string, want ...string) string {
	t.tb.Helper()
	deadline := time.Now().Add(d)
	var s string
	for time.Now().Before(deadline) {
		s = read()
		ok := true
		for _, w := range want {
			ok = ok && strings.Contains(s, w)
		}
		if ok {
			return s
		}
		time.Sleep(25 * time.Millisecond)
	}
	t.tb.Fatalf("%s never showed %q within %v; last lines:\n%s", where, want, d, tail(s, 40))
	return ""
}

func tail(s string, n int) string {
	l := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(l[max(0, len(l)-n):], "\n")
}

// The workshop runs with Fix 1 applied; `scalelab loadtest` in another terminal measures that
// API (not a broken one of its own), says so, records the run After Fix 1, and the open
// workshop's results show it without a restart.
func TestSecondTerminalMeasuresTheWorkshop(t *testing.T) {
	if testing.Short() {
		t.Skip("starts PostgreSQL")
	}
	tt := newTerm(t)
	home := labHome(t)
	tt.start(100, 30, []string{"SCALELAB_HOME=" + home, "DATABASE_URL="}, append([]string{binary(t)}, labArgs...)...)
	tt.waitLong(60*time.Second, "PG ✓", "broken", "no index")
	tt.tickFix1()

	out, errs := scalelab(t, home, "loadtest", "-z", "2s", "-c", "5")
	if !regexp.MustCompile(`measuring the workshop's API at 127\.0\.0\.1:\d+ \(pid \d+\), stage `).MatchString(errs) {
		t.Fatalf("the second terminal does not say it measured the workshop's API:\n%s", errs)
	}
	if l, err := lab.New(lab.Default, lab.Config{}); err != nil {
		t.Fatal(err)
	} else if _, ok := l.(lab.Remote); !ok {
		t.Skipf("measured the workshop's API, but the %s lab does not read the stage its served API reports (lab.Remote), so the run is filed custom:\n%s", l.Name(), errs)
	}
	if !strings.Contains(errs, "stage After Fix 1") {
		t.Fatalf("the second terminal does not say the workshop's stage:\n%s", errs)
	}
	if !strings.Contains(out, "Lab state: After Fix 1") {
		t.Fatalf("the run is not After Fix 1:\n%s", out)
	}
	tt.keys("r")
	deadline := time.Now().Add(10 * time.Second)
	for sc := tt.screen(); !strings.Contains(sc, "After Fix 1") || strings.Contains(sc, "restart with Fix 1, then run"); sc = tt.screen() {
		if time.Now().After(deadline) {
			t.Fatalf("the open workshop's results never showed the other terminal's run:\n%s", sc)
		}
		time.Sleep(25 * time.Millisecond)
	}
	tt.keys("q")
	tt.waitGoneWithin(30 * time.Second)
	if _, err := os.Stat(filepath.Join(home, "lab.json")); !os.IsNotExist(err) {
		t.Fatalf("lab.json outlives the workshop: %v", err)
	}
}

// Fix 1 applied, quit, start again: the API comes back fixed (the header says so) and the next
// run is After Fix 1, not Custom.
func TestResumeAfterFix1(t *testing.T) {
	if testing.Short() {
		t.Skip("starts PostgreSQL")
	}
	tt := newTerm(t)
	home := labHome(t)
	env := []string{"SCALELAB_HOME=" + home, "DATABASE_URL="}
	argv := append([]string{binary(t)}, labArgs...)
	tt.start(100, 30, env, argv...)
	tt.waitLong(60*time.Second, "PG ✓", "broken")
	tt.tickFix1()
	tt.keys("q")
	tt.waitGoneWithin(30 * time.Second)

	tt.start(100, 30, env, argv...)
	s := tt.waitLong(60*time.Second, "PG ✓", "fixed")
	if strings.Contains(s, "broken") && !strings.Contains(s, "fixed") {
		t.Fatalf("the API came back broken:\n%s", s)
	}
	tt.keys("L")
	tt.waitLong(30*time.Second, "load test (After Fix 1):")
	tt.keys("q")
	tt.waitGoneWithin(30 * time.Second)
}

// Three CLI runs (broken, fixed, fixed with the index) and export: the Step 2 table and the
// three rows of the Step 4 table hold those runs.
func TestCLIRunsThenExport(t *testing.T) {
	if testing.Short() {
		t.Skip("starts PostgreSQL three times")
	}
	home := labHome(t)
	short := []string{"-z", "2s", "-c", "5", "--rows", "2000"}
	scalelab(t, home, append([]string{"loadtest", "--preset", "broken"}, short...)...)
	scalelab(t, home, append([]string{"loadtest", "--preset", "fixed"}, short...)...)
	scalelab(t, home, "apply-fix")
	out, _ := scalelab(t, home, append([]string{"loadtest", "--preset", "fixed"}, short...)...)
	if !strings.Contains(out, "Lab state: After Fix 2") {
		t.Fatalf("the third run is not After Fix 2:\n%s", out)
	}
	md, log := scalelab(t, home, "export")
	for _, row := range []string{"Broken", "After Fix 1", "After Fix 2"} {
		re := regexp.MustCompile(`(?m)^\| ` + row + `[^|]*\|\s*[0-9.]+%\s*\|`)
		if !re.MatchString(md) {
			t.Errorf("the Step 4 row %q is not filled:\n%s", row, md)
		}
	}
	if !regexp.MustCompile(`(?m)^\| Success rate\s*\|\s*[0-9.]+%`).MatchString(md) {
		t.Errorf("the Step 2 table is not filled:\n%s", md)
	}
	if !strings.Contains(log, "result cells") {
		t.Errorf("export's note: %s", log)
	}
}

// Plain mode in a real terminal: it starts the lab, resumes at the saved step, runs the load test
// as a numbered choice and prints the CLI's table, ticks a Fix 1 box, and says the Stuck? hint
// of a box ticked but not applied (the API was not restarted) as soon as it holds.
func TestPlainModeRunsTheLab(t *testing.T) {
	if testing.Short() {
		t.Skip("starts PostgreSQL")
	}
	home := labHome(t)
	sc := content.Builtin()
	step2 := -1
	for i, st := range sc.Steps {
		if st.Number == 2 {
			step2 = i
		}
	}
	ws, _ := json.Marshal(map[string]any{"version": 1, "scenario": sc.ID, "step": step2})
	if err := os.MkdirAll(filepath.Join(home, "worksheets"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(home, "worksheets", sc.ID+".json"), ws, 0o600); err != nil {
		t.Fatal(err)
	}
	tt := newTerm(t)
	tt.start(90, 40, []string{"SCALELAB_HOME=" + home, "DATABASE_URL="}, append([]string{binary(t), "--plain"}, labArgs...)...)
	tt.waitHistory(60*time.Second, "Starting the lab", "Lab ready:", "Resuming at Step 2")
	// Step 2's three questions, skipped; then its choices
	for i := 0; i < 3; i++ {
		tt.waitHistory(10*time.Second, "Question "+[]string{"4", "5", "6"}[i]+" of 15")
		tt.keys("Enter")
	}
	s := tt.waitHistory(10*time.Second, "1) run a load test against the feed API")
	if regexp.MustCompile(`(?i)\bpress [A-Z]\b|\bpress ` + "`" + `|\bpanes?\b`).MatchString(s) {
		t.Errorf("plain mode tells the reader to press a key or look at a pane:\n%s", s)
	}
	tt.text("1")
	tt.keys("Enter")
	tt.waitHistory(30*time.Second, "Lab state: Broken", "Success rate", "Errors by cause")
	tt.keys("Enter") // on to Step 3
	tt.waitHistory(10*time.Second, "1) tick [ ] Build one shared pool")
	tt.text("1")
	tt.keys("Enter")
	tt.waitHistory(10*time.Second, "Ticked: Build one shared pool", "Stuck?", "restart the API")
	// The hint is printed as the tick is saved: wait for the file rather than read it at once.
	path := filepath.Join(home, "worksheets", sc.ID+".json")
	var b []byte
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		b, _ = os.ReadFile(path)
		if strings.Contains(string(b), `"shared-pool": true`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the tick is not saved within 10 s:\n%s", b)
		}
	}
	tt.keys("C-c")
	tt.waitGoneWithin(30 * time.Second)
}

// While the workshop's load test runs, `scalelab loadtest` in another terminal does not load the
// same lab at once (each run would measure the other's load too): it exits saying the workshop
// is loading. After the workshop's run it measures the workshop's API as usual.
func TestSecondTerminalWaitsForTheWorkshopsRun(t *testing.T) {
	if testing.Short() {
		t.Skip("starts PostgreSQL")
	}
	tt := newTerm(t)
	home := labHome(t)
	tt.start(100, 30, []string{"SCALELAB_HOME=" + home, "DATABASE_URL="}, binary(t), "--duration", "8s", "--users", "5", "--rows", "2000")
	tt.waitLong(60*time.Second, "PG ✓", "broken", "no index")
	tt.keys("L")
	lock := filepath.Join(home, "load.lock")
	tt.waitIn(20*time.Second, "the load lock", func() string { b, _ := os.ReadFile(lock); return string(b) }, "the workshop")
	cmd := exec.Command(binary(t), "loadtest", "-z", "2s", "-c", "5")
	cmd.Env = append(os.Environ(), "SCALELAB_HOME="+home, "DATABASE_URL=")
	out, err := cmd.CombinedOutput()
	if err == nil || !regexp.MustCompile(`a load test is running already \(the workshop, pid \d+`).Match(out) {
		t.Fatalf("loadtest during the workshop's run: %v, want it refused naming the workshop\n%s", err, out)
	}
	if strings.Contains(string(out), "Lab state:") {
		t.Fatalf("a run was made during the workshop's:\n%s", out)
	}
	tt.waitLong(30*time.Second, "load test (Broken):")
	if _, errs := scalelab(t, home, "loadtest", "-z", "2s", "-c", "5"); !strings.Contains(errs, "measuring the workshop's API") {
		t.Fatalf("after the workshop's run, loadtest did not measure it:\n%s", errs)
	}
	tt.keys("q")
	tt.waitGoneWithin(30 * time.Second)
}
