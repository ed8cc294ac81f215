package e2e

import (
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"
)

// The whole scenario in the real binary with short runs, at 80x24: the broken run (L), the four
// Fix 1 boxes ticked and the API restarted (R), a run, the index (F), a run; the Step 4 table
// shows three filled rows; quit stops PostgreSQL; `scalelab export` carries the three rows.
func TestScenarioWalkthrough(t *testing.T) {
	if testing.Short() {
		t.Skip("the walkthrough starts PostgreSQL and runs three load tests")
	}
	tt := newTerm(t)
	bin := binary(t)
	home := labHome(t)
	env := []string{"SCALELAB_HOME=" + home}
	t.Cleanup(func() {
		if t.Failed() {
			if b, err := os.ReadFile(home + "/scalelab.log"); err == nil {
				t.Logf("scalelab.log:\n%s", b)
			}
		}
	})

	// the API on 127.0.0.1:3000 as in the scenario, or the next free port
	tt.start(80, 24, env, bin, "--duration", "3s", "--users", "50", "--rows", "10000")
	tt.waitLong(60*time.Second, "PG ✓", "broken", "no index")

	// Step 2: the broken run, from anywhere with L (the live panes open for it at 80x24)
	tt.keys("L")
	tt.waitLong(30*time.Second, "load test (Broken):")
	tt.keys("Escape") // the panes keep the run's last picture until the learner leaves them
	tt.waitStatus("step")

	// Step 3: find the boxes, tick all four, restart the API with them
	tt.search("Build one shared pool")
	tt.keys("Tab")
	tt.waitFor("x/space: tick")
	for i, box := range []string{"Build one shared pool", "Give the pool 10", "Stop closing the pool", "Remove the 500 ms"} {
		if i > 0 {
			tt.keys("Tab")
		}
		tt.keys("x")
		tt.waitFor("[x] " + box) // each tick is drawn before the next key
	}
	tt.keys("R")
	tt.waitLong(30*time.Second, "API restarted with 4 of 4 Fix 1 changes")
	tt.waitFor("fixed")
	tt.keys("L")
	tt.waitLong(30*time.Second, "load test (After Fix 1):")

	// Fix 2: the index, then the last run
	tt.keys("F")
	tt.waitLong(60*time.Second, "index ✓")
	tt.keys("L")
	tt.waitLong(30*time.Second, "load test (After Fix 2):")
	tt.keys("Escape")
	tt.waitStatus("step")

	// Step 4: the comparison table, three rows with numbers
	tt.search("Your three runs")
	row := regexp.MustCompile(`\d+(\.\d+)?%\s+│\s+[\d.]+ m?s\s+│\s+[\d,.]+`)
	s := tt.waitLong(10*time.Second, "Broken (Step 2)", "After Fix 1", "After Fix 2")
	filled := 0
	for _, l := range strings.Split(s, "\n") {
		if (strings.Contains(l, "Broken (Step 2)") || strings.Contains(l, "After Fix")) && row.MatchString(l) {
			filled++
		}
	}
	if filled != 3 {
		t.Fatalf("the Step 4 table shows %d filled rows, want 3:\n%s", filled, s)
	}

	tt.keys("q")
	tt.waitGoneWithin(30 * time.Second)
	if out, err := exec.Command("pgrep", "-f", "postgres -D "+home).CombinedOutput(); err == nil {
		t.Fatalf("PostgreSQL still runs after quit:\n%s", out)
	}

	cmd := exec.Command(bin, "export")
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("scalelab export: %v", err)
	}
	exported := 0
	mdRow := regexp.MustCompile(`^\|\s*(Broken \(Step 2\)|After Fix 1 \(pooling\)|After Fix 2 \(index\))\s*\|\s*\d+(\.\d+)?%\s*\|\s*[\d.]+ m?s\s*\|\s*[\d,.]+\s*\|`)
	for _, l := range strings.Split(string(out), "\n") {
		if mdRow.MatchString(l) {
			exported++
		}
	}
	if exported != 3 {
		t.Fatalf("export carries %d filled rows of the comparison table, want 3:\n%s", exported, out)
	}
}

// labHome is a data home for a test that starts the lab: a temp dir every user can traverse, so
// that when the tests run as root the unprivileged PostgreSQL user keeps its cluster in it (under
// a 0700 t.TempDir() lab/pg would move it to the machine's shared /var/lib/scalelab/pg, state and
// all). Removed at the end, cluster included.
func labHome(t testing.TB) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "scalelab-e2e-home-")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

// search finds text with / (across steps) and waits until it is on screen.
func (t *term) search(text string) {
	t.tb.Helper()
	t.keys("/")
	t.waitFor("/")
	t.text(text)
	t.keys("Enter")
	t.waitFor(text)
}

// waitLong is waitFor with its own deadline (lab start, load runs).
func (t *term) waitLong(d time.Duration, want ...string) string {
	t.tb.Helper()
	return t.waitIn(d, "the screen", t.screen, want...)
}

// waitGoneWithin waits until the program exited (the lab stops first).
func (t *term) waitGoneWithin(d time.Duration) {
	t.tb.Helper()
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if _, err := t.tmux("has-session", "-t", t.name); err != nil {
			return
		}
		time.Sleep(25 * time.Millisecond)
	}
	t.tb.Fatalf("the program did not exit within %v; screen:\n%s", d, t.screen())
}

// SIGTERM, and SIGHUP (the terminal closed), end the workshop with the lab up: answers saved,
// PostgreSQL and the API stopped, nothing left behind.
func TestLabStopsOnSignals(t *testing.T) {
	for _, sig := range []int{15, 1} {
		t.Run(map[int]string{15: "SIGTERM", 1: "SIGHUP"}[sig], func(t *testing.T) {
			tt := newTerm(t)
			bin := binary(t)
			home := labHome(t)
			tt.start(80, 24, []string{"SCALELAB_HOME=" + home}, bin, "--addr", "127.0.0.1:0")
			tt.waitLong(60*time.Second, "PG ✓")
			if out, err := exec.Command("pgrep", "-f", "postgres -D "+home).CombinedOutput(); err != nil {
				t.Fatalf("no PostgreSQL of this home while the lab is up: %v %s", err, out)
			}
			if err := syscallKill(tt.pid(), sig); err != nil {
				t.Fatal(err)
			}
			tt.waitGoneWithin(30 * time.Second)
			deadline := time.Now().Add(15 * time.Second)
			for {
				out, err := exec.Command("pgrep", "-af", "postgres -D "+home).CombinedOutput()
				if err != nil {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("PostgreSQL still runs after the signal:\n%s", out)
				}
				time.Sleep(50 * time.Millisecond)
			}
		})
	}
}
