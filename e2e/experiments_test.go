package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// The two experiments of Scenario 1's "Go further", driven through the workshop's keys, which
// come from the lab's action records: nothing in the runner names them.

// waitRun waits until runs.json in home holds a run filed under state.
func waitRun(t *testing.T, home, state string, d time.Duration) {
	t.Helper()
	re := regexp.MustCompile(`"state":\s*"` + regexp.QuoteMeta(state) + `"`)
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if b, err := os.ReadFile(filepath.Join(home, "runs.json")); err == nil && re.Match(b) {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	b, _ := os.ReadFile(filepath.Join(home, "runs.json"))
	t.Fatalf("no run filed %q in runs.json within %v:\n%s", state, d, b)
}

// logOnFailure prints the workshop's log when the test failed.
func logOnFailure(t *testing.T, home string) {
	t.Cleanup(func() {
		if t.Failed() {
			if b, err := os.ReadFile(filepath.Join(home, "scalelab.log")); err == nil {
				t.Logf("scalelab.log:\n%s", tail(string(b), 60))
			}
		}
	})
}

// The single point of failure, live: a load test, D kills PostgreSQL during it (a SIGKILL of
// the postmaster), the panes show every request failing with the cause and the header says
// it is down; it stays down until B brings it back, the panes recover, and the run is filed
// as an outage run ("During an outage" in runs.json).
func TestOutageExperiment(t *testing.T) {
	if testing.Short() {
		t.Skip("starts PostgreSQL and kills it")
	}
	tt := newTerm(t)
	home := labHome(t)
	logOnFailure(t, home)
	tt.start(120, 40, []string{"SCALELAB_HOME=" + home, "DATABASE_URL="}, binary(t), "--duration", "20s", "--users", "20", "--rows", "2000")
	tt.waitLong(60*time.Second, "PG ✓", "broken", "no index")

	tt.keys("L")
	tt.waitLong(30*time.Second, "load test ", "requests per second")
	tt.keys("D")
	s := tt.waitLong(20*time.Second, "PostgreSQL killed", "database_down", "PostgreSQL is down")
	header := strings.SplitN(s, "\n", 2)[0]
	if !strings.Contains(header, "PostgreSQL killed") || strings.Contains(header, "PG ✓") {
		t.Fatalf("the header does not say PostgreSQL is down: %q", header)
	}
	// it stays down: no supervisor brings it back
	time.Sleep(2 * time.Second)
	if s := tt.screen(); !strings.Contains(strings.SplitN(s, "\n", 2)[0], "PostgreSQL killed") {
		t.Fatalf("PostgreSQL came back without B:\n%s", s)
	}
	tt.keys("B")
	tt.waitLong(30*time.Second, "PG ✓")
	// the run's end is read from the history: the panes say "run ended" only for a while
	waitRun(t, home, "outage", 60*time.Second)

	// Escape and q sent together read as alt+q (a terminal sends ESC before a key with Alt):
	// the text first, then q
	tt.keys("Escape")
	tt.waitStatus("step")
	tt.keys("q")
	tt.waitGoneWithin(30 * time.Second)
}

// The slow query, real: M grows the table to 1,000,000 rows (with its progress), Fix 1 is
// applied with R, a load test is filed "1M rows, no index"; F creates the index, the next one
// "1M rows, with the index"; the experiment's table shows both rows filled.
func TestMillionRowsExperiment(t *testing.T) {
	if testing.Short() {
		t.Skip("starts PostgreSQL and grows a table to a million rows")
	}
	tt := newTerm(t)
	home := labHome(t)
	logOnFailure(t, home)
	tt.start(80, 24, []string{"SCALELAB_HOME=" + home, "DATABASE_URL="}, binary(t), "--duration", "3s", "--users", "20", "--rows", "10000")
	tt.waitLong(60*time.Second, "PG ✓", "broken", "no index")

	tt.keys("M")
	tt.waitLong(60*time.Second, "grown to ")
	tt.waitLong(120*time.Second, "1M rows")
	tt.tickFix1()

	tt.keys("L")
	tt.waitLong(60*time.Second, "load test (1M rows, no index):")
	tt.keys("Escape")
	tt.waitStatus("step")
	waitRun(t, home, "big-noindex", 10*time.Second)

	tt.keys("F")
	tt.waitLong(120*time.Second, "index ✓")
	tt.keys("L")
	tt.waitLong(60*time.Second, "load test (1M rows, with the index):")
	tt.keys("Escape")
	tt.waitStatus("step")
	waitRun(t, home, "big-index", 10*time.Second)

	tt.search("1M rows, with the index")
	row := regexp.MustCompile(`\d+(\.\d+)?%\s+│\s+[\d.]+ m?s\s+│\s+[\d,.]+`)
	s := tt.waitLong(10*time.Second, "1M rows, no index", "1M rows, with the index")
	filled := 0
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, "1M rows, ") && row.MatchString(l) {
			filled++
		}
	}
	if filled != 2 {
		t.Fatalf("the million-posts table shows %d filled rows, want 2:\n%s", filled, s)
	}
	tt.keys("q")
	tt.waitGoneWithin(30 * time.Second)
}

// A scenario naming a lab this build does not have is refused by the binary's open and lint,
// with its line and the labs there are.
func TestUnknownLabRefusedByOpenAndLint(t *testing.T) {
	home := t.TempDir()
	file := filepath.Join(t.TempDir(), "two.md")
	if err := os.WriteFile(file, []byte("# Scenario 2\n\n**Lab:** load-balanced\n\n## Step 1 — Two servers\n\nText.\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"lint", file}, {"open", file}} {
		cmd := exec.Command(binary(t), args...)
		cmd.Env = append(os.Environ(), "SCALELAB_HOME="+home, "DATABASE_URL=")
		out, err := cmd.CombinedOutput()
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
			t.Errorf("scalelab %s: %v, want exit status 1\n%s", args[0], err, out)
		}
		for _, want := range []string{file + ":3:", "**Lab:** load-balanced", `no lab named "load-balanced"`, "(labs: ", "single-server"} {
			if !strings.Contains(string(out), want) {
				t.Errorf("scalelab %s lacks %q:\n%s", args[0], want, out)
			}
		}
	}
}
