package e2e

import (
	"net"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Scenario 2 (load balancing) through the real binary, with the real HAProxy.

const scenario2 = "02-load-balancing"

// needHAProxy skips a test of Scenario 2 on a machine without HAProxy, and returns its path.
func needHAProxy(t *testing.T) string {
	t.Helper()
	for _, p := range []string{"/usr/sbin/haproxy", "/usr/local/sbin/haproxy", "/opt/homebrew/sbin/haproxy", "/opt/homebrew/bin/haproxy", "/usr/local/bin/haproxy"} {
		if st, err := os.Stat(p); err == nil && st.Mode()&0o111 != 0 {
			return p
		}
	}
	if p, err := exec.LookPath("haproxy"); err == nil {
		return p
	}
	t.Skip("HAProxy not installed: Scenario 2's tests need it (apt install haproxy, or make haproxy)")
	return ""
}

// haproxyOf lists the haproxy processes of a data home: their argv names its config there.
func haproxyOf(home string) string {
	out, err := exec.Command("pgrep", "-af", "haproxy.*"+regexp.QuoteMeta(home)).CombinedOutput()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

// waitNoHAProxy fails unless the home's haproxy processes are gone within d.
func waitNoHAProxy(t *testing.T, home string, d time.Duration) {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		left := haproxyOf(home)
		if left == "" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("haproxy still runs after scalelab ended:\n%s", left)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// startScenario2 starts the workshop on Scenario 2 with short in-app runs and waits until its
// balancer is up (the header names HAProxy's port and the replicas UP).
func startScenario2(t *testing.T, tt *term, home string, args ...string) string {
	t.Helper()
	t.Cleanup(func() {
		if t.Failed() {
			if b, err := os.ReadFile(home + "/scalelab.log"); err == nil {
				t.Logf("scalelab.log:\n%s", tail(string(b), 60))
			}
		}
	})
	argv := append([]string{binary(t), "--scenario", scenario2, "--duration", "3s", "--users", "20"}, args...)
	tt.start(120, 36, []string{"SCALELAB_HOME=" + home}, argv...)
	return tt.waitLong(90*time.Second, " UP")
}

// Scenario 2 walked with short runs: the run with sessions in memory (L), Fix A ticked and
// applied (R) and measured, measured again with a replica killed under load (K), then the
// Step 5 table shows the three rows, and `scalelab export` (no
// scenario named: the one last worked in) carries them.
func TestScenario2Walk(t *testing.T) {
	if testing.Short() {
		t.Skip("the walk starts PostgreSQL, HAProxy and its replicas and runs two load tests")
	}
	needHAProxy(t)
	tt := newTerm(t)
	home := labHome(t)
	startScenario2(t, tt, home, "--addr", "127.0.0.1:0")

	tt.keys("L")
	tt.waitLong(60*time.Second, "load test (Sessions in memory):")
	tt.keys("Escape")
	tt.waitStatus("step")

	tt.search("Make HAProxy send each user back")
	tt.keys("Tab")
	tt.waitFor("x/space: tick")
	tt.keys("x")
	tt.waitFor("[x] Make HAProxy send each user back")
	tt.keys("R")
	tt.waitLong(60*time.Second, "running with sessions in memory · sticky sessions") // the restart's outcome
	tt.keys("L")
	tt.waitLong(60*time.Second, "load test (Fix A: sticky sessions):")
	tt.keys("Escape")
	tt.waitStatus("step")
	// a replica killed under load (K while the run goes)
	tt.keys("L")
	tt.keys("K") // the run is 3 s, its logins first: K lands in it
	tt.waitLong(60*time.Second, "load test (Fix A, a replica killed):")
	tt.keys("Escape")
	tt.waitStatus("step")

	tt.search("Your runs side by side")
	row := regexp.MustCompile(`\d+(\.\d+)?%\s+│`)
	s := tt.waitLong(10*time.Second, "Sessions in memory", "Fix A: sticky sessions", "Fix A, a replica killed")
	filled := map[string]bool{}
	for _, l := range strings.Split(s, "\n") {
		for _, title := range []string{"Sessions in memory", "Fix A: sticky sessions", "Fix A, a replica killed"} {
			if strings.Contains(l, "│ "+title) && row.MatchString(l) {
				filled[title] = true
			}
		}
	}
	if len(filled) != 3 {
		t.Fatalf("the Step 5 table shows %d of the 3 measured rows:\n%s", len(filled), s)
	}

	tt.keys("q")
	tt.waitGoneWithin(30 * time.Second)
	waitNoHAProxy(t, home, 15*time.Second)

	cmd := exec.Command(binary(t), "export")
	cmd.Env = append(os.Environ(), "SCALELAB_HOME="+home)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("scalelab export: %v", err)
	}
	mdRow := regexp.MustCompile(`^\|\s*(Sessions in memory|Fix A: sticky sessions|Fix A, a replica killed)\s*\|\s*\d+(\.\d+)?%\s*\|`)
	exported := 0
	for _, l := range strings.Split(string(out), "\n") {
		if mdRow.MatchString(l) {
			exported++
		}
	}
	if exported != 3 {
		t.Fatalf("export carries %d filled rows of Step 5's table, want 3:\n%s", exported, out)
	}
}

// SIGTERM, and kill -9, of the workshop on Scenario 2 leave no haproxy behind.
func TestScenario2LeavesNoHAProxy(t *testing.T) {
	needHAProxy(t)
	for _, sig := range []int{15, 9} {
		t.Run(map[int]string{15: "SIGTERM", 9: "SIGKILL"}[sig], func(t *testing.T) {
			tt := newTerm(t)
			home := labHome(t)
			startScenario2(t, tt, home, "--addr", "127.0.0.1:0")
			if haproxyOf(home) == "" {
				t.Fatalf("no haproxy of this home while the lab is up")
			}
			if err := syscallKill(tt.pid(), sig); err != nil {
				t.Fatal(err)
			}
			tt.waitGoneWithin(30 * time.Second)
			waitNoHAProxy(t, home, 15*time.Second)
		})
	}
}

// haproxyPortRE reads HAProxy's port in the header, long ("HAProxy :3001 · 3 replicas") or
// short (":3001 · 3/3 UP").
var haproxyPortRE = regexp.MustCompile(`(?:HAProxy )?:(\d+) · \d+(?: replicas|/\d+ UP)`)

// With its port taken, Scenario 2's balancer listens on the next free port, and the header
// shows it. The port is one this test holds (3000, the default, may be another lab's here).
func TestScenario2BusyPort(t *testing.T) {
	needHAProxy(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	busy := ln.Addr().(*net.TCPAddr).Port
	tt := newTerm(t)
	home := labHome(t)
	s := startScenario2(t, tt, home, "--addr", "127.0.0.1:"+strconv.Itoa(busy))
	m := haproxyPortRE.FindStringSubmatch(s)
	if m == nil {
		t.Fatalf("no HAProxy port in the header:\n%s", s)
	}
	if port, _ := strconv.Atoi(m[1]); port == busy || port == 0 {
		t.Fatalf("HAProxy listens on :%d with :%d busy:\n%s", port, busy, s)
	}
	tt.keys("q")
	tt.waitGoneWithin(30 * time.Second)
	waitNoHAProxy(t, home, 15*time.Second)
}

// Without HAProxy (hidden from PATH and from its install place, in a mount namespace of its
// own), Scenario 2 says what to install, and Scenario 1 still runs.
func TestScenario2WithoutHAProxy(t *testing.T) {
	bin := needHAProxy(t)
	if os.Geteuid() != 0 {
		t.Skip("hiding the installed haproxy takes a mount namespace: run as root")
	}
	if _, err := exec.LookPath("unshare"); err != nil {
		t.Skip("unshare (util-linux) not installed")
	}
	if out, err := exec.Command("unshare", "-m", "true").CombinedOutput(); err != nil {
		t.Skipf("no mount namespace here: %v %s", err, out)
	}
	hide := "mount --bind /dev/null " + bin + " && exec \"$0\" \"$@\""
	path := "PATH=/usr/local/go/bin:/usr/bin:/bin" // no sbin: no haproxy on PATH
	for _, c := range []struct {
		args []string
		want []string
	}{
		{[]string{"--scenario", scenario2}, []string{"HAProxy not found: install haproxy (apt install haproxy / brew install haproxy)"}},
		{nil, []string{"API 127.0.0.1:", "broken"}},
	} {
		tt := newTerm(t)
		home := labHome(t)
		argv := append([]string{"unshare", "-m", "sh", "-c", hide, binary(t), "--addr", "127.0.0.1:0"}, c.args...)
		tt.start(200, 36, []string{"SCALELAB_HOME=" + home, path}, argv...)
		tt.waitLong(90*time.Second, c.want...)
		tt.keys("q")
		tt.waitGoneWithin(30 * time.Second)
	}
}
