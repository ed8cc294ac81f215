package server

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"scalelab/class/room"
	"scalelab/lab/load"
	"scalelab/lab/pg/pgtest"
)

// benchServerEnv makes the test binary a class server (text only) for the benchmarks: its
// memory and CPU are then the server's alone, not the SSH clients'.
const benchServerEnv = "SCALELAB_CLASS_BENCH_SERVER"

// benchLabEnv set gives the bench server's learners their labs.
const benchLabEnv = "SCALELAB_CLASS_BENCH_LAB"

func TestMain(m *testing.M) {
	if dir := os.Getenv(benchServerEnv); dir != "" {
		os.Exit(serveForBench(dir))
	}
	// the labs' tests as root make a system user per cluster: pgtest.Main removes them
	pgtest.Main(m)
}

// serveForBench runs a text-only class server on dir (keys from dir/keys) until SIGTERM,
// printing its address.
func serveForBench(dir string) int {
	cfg := Config{Dir: filepath.Join(dir, "class"), Addr: "127.0.0.1:0", MetricsAddr: MetricsOff, NoLab: os.Getenv(benchLabEnv) == "",
		KeysFile: filepath.Join(dir, "keys"), Logf: func(string, ...any) {}}
	if !cfg.NoLab {
		cfg.Duration, cfg.Users = 2*time.Second, 10 // the benchmarks' load tests are short
	}
	s, err := New(cfg)
	if err != nil {
		fmt.Println("ERR", err)
		return 1
	}
	if prof := os.Getenv("SCALELAB_CLASS_BENCH_PROF"); prof != "" {
		if f, err := os.Create(prof); err == nil {
			pprof.StartCPUProfile(f)
			defer pprof.StopCPUProfile()
		}
	}
	fmt.Println("ADDR", s.Addr())
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	if err := s.Run(ctx); err != nil {
		return 1
	}
	return 0
}

// benchServer is a class server in a child process with n learners' keys allowed.
type benchServer struct {
	cmd  *exec.Cmd
	dir  string
	addr string
	keys []gossh.Signer
}

func startBenchServer(b *testing.B, n int, env ...string) *benchServer {
	b.Helper()
	dir := b.TempDir()
	bs := &benchServer{}
	var auth []byte
	for range n {
		k := newKey(b)
		bs.keys = append(bs.keys, k)
		auth = append(auth, gossh.MarshalAuthorizedKey(k.PublicKey())...)
	}
	if err := os.WriteFile(filepath.Join(dir, "keys"), auth, 0o600); err != nil {
		b.Fatal(err)
	}
	bs.cmd = exec.Command(os.Args[0], "-test.run=^$")
	bs.cmd.Env = append(append(os.Environ(), benchServerEnv+"="+dir), env...)
	bs.dir = dir
	out, err := bs.cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := bs.cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		bs.cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { bs.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			bs.cmd.Process.Kill()
		}
	})
	line, err := bufio.NewReader(out).ReadString('\n')
	if !strings.HasPrefix(line, "ADDR ") {
		b.Fatalf("the bench server said %q (%v)", line, err)
	}
	bs.addr = strings.TrimSpace(strings.TrimPrefix(line, "ADDR "))
	return bs
}

// rss is the child's resident memory in bytes (/proc/PID/status VmRSS).
func (bs *benchServer) rss(b *testing.B) float64 {
	b.Helper()
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", bs.cmd.Process.Pid))
	if err != nil {
		b.Skipf("no /proc here: %v", err)
	}
	for _, l := range strings.Split(string(data), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, _ := strconv.ParseFloat(f[1], 64)
			return kb * 1024
		}
	}
	b.Fatal("no VmRSS")
	return 0
}

// treeRSS is the resident memory of the child and every process under it (the learners'
// PostgreSQL servers and their backends), in bytes.
func (bs *benchServer) treeRSS(b *testing.B) float64 {
	b.Helper()
	parent := map[int]int{}
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, p := range stats {
		data, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		i := strings.LastIndexByte(string(data), ')')
		f := strings.Fields(string(data[i+2:]))
		pid, _ := strconv.Atoi(filepath.Base(filepath.Dir(p)))
		ppid, _ := strconv.Atoi(f[1])
		parent[pid] = ppid
	}
	root := bs.cmd.Process.Pid
	total := 0.0
	for pid := range parent {
		for p := pid; p > 1; p = parent[p] {
			if p == root {
				total += rssOf(pid)
				break
			}
		}
	}
	return total
}

func rssOf(pid int) float64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(data), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, _ := strconv.ParseFloat(f[1], 64)
			return kb * 1024
		}
	}
	return 0
}

// cpuSeconds is the child's user+system CPU time (/proc/PID/stat).
func (bs *benchServer) cpuSeconds(b *testing.B) float64 {
	b.Helper()
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", bs.cmd.Process.Pid))
	if err != nil {
		b.Skipf("no /proc here: %v", err)
	}
	// the fields after the command's ")" : state is field 3, utime 14, stime 15
	f := strings.Fields(string(data[strings.LastIndexByte(string(data), ')')+2:]))
	ut, _ := strconv.ParseFloat(f[11], 64)
	st, _ := strconv.ParseFloat(f[12], 64)
	return (ut + st) / 100 // USER_HZ is 100 on Linux
}

// joinAll connects every learner and waits until each sees the first step.
func (bs *benchServer) joinAll(b *testing.B) []*screen {
	b.Helper()
	var scs []*screen
	for i, k := range bs.keys {
		c, err := dial(bs.addr, fmt.Sprintf("learner%02d", i), gossh.PublicKeys(k))
		if err != nil {
			b.Fatal(err)
		}
		scs = append(scs, openScreen(b, c))
	}
	for _, sc := range scs {
		sc.waitFor(60*time.Second, firstStep)
	}
	return scs
}

// settle lets the child's memory settle after the learners' first screens.
func settle() { time.Sleep(2 * time.Second) }

// BenchmarkMemoryPerIdleLearner: the class server's resident memory with 10 learners
// connected and idle in text-only sessions, against the same server with none, per learner
// (target < 30 MB); the ratio is the learner's share against the empty server.
func BenchmarkMemoryPerIdleLearner(b *testing.B) {
	const n = 10
	for range b.N {
		bs := startBenchServer(b, n)
		settle()
		base := bs.rss(b)
		scs := bs.joinAll(b)
		settle()
		with := bs.rss(b)
		per := (with - base) / n
		b.ReportMetric(base/(1<<20), "MB-server-empty")
		b.ReportMetric(per/(1<<20), "MB/learner")
		b.ReportMetric(per/base, "learner/empty-server")
		for _, sc := range scs {
			sc.close()
		}
	}
}

// BenchmarkIdleCPUTenLearners: the class server's CPU over 10 s with 10 learners connected and
// idle, as % of one core (target < 5 %), against the same 10 s with none connected.
func BenchmarkIdleCPUTenLearners(b *testing.B) {
	const n, span = 10, 10 * time.Second
	for range b.N {
		bs := startBenchServer(b, n)
		settle()
		c0 := bs.cpuSeconds(b)
		time.Sleep(span)
		empty := (bs.cpuSeconds(b) - c0) / span.Seconds() * 100
		scs := bs.joinAll(b)
		settle()
		c1 := bs.cpuSeconds(b)
		time.Sleep(span)
		idle := (bs.cpuSeconds(b) - c1) / span.Seconds() * 100
		b.ReportMetric(idle, "%core-10-idle")
		b.ReportMetric(empty, "%core-empty")
		b.ReportMetric(idle-empty, "%core-added")
		for _, sc := range scs {
			sc.close()
		}
	}
}

// BenchmarkMemoryPerLearnerLab: the class server and everything under it (each learner's
// PostgreSQL and its backends; the API runs in the server) with 2 learners whose labs are up,
// against the same server with none, per learner; the ratio is against an idle text-only
// learner's share measured in the same run.
func BenchmarkMemoryPerLearnerLab(b *testing.B) {
	if _, err := exec.LookPath("initdb"); err != nil {
		b.Skip("PostgreSQL is not installed")
	}
	const n = 2
	for range b.N {
		text := startBenchServer(b, n)
		settle()
		tBase := text.treeRSS(b)
		scs := text.joinAll(b)
		settle()
		textPer := (text.treeRSS(b) - tBase) / n
		for _, sc := range scs {
			sc.close()
		}

		var labDir string // the clusters are removed once the server has stopped them (cleanups run last first)
		b.Cleanup(func() {
			learners, _ := filepath.Glob(filepath.Join(labDir, "class", LearnersDir, "*"))
			removeRootClusters(learners...)
		})
		bs := startBenchServer(b, n, benchLabEnv+"=1")
		labDir = bs.dir
		settle()
		base := bs.treeRSS(b)
		scs = bs.joinAll(b)
		for _, sc := range scs {
			sc.waitFor(3*time.Minute, "PG ✓")
		}
		settle()
		per := (bs.treeRSS(b) - base) / n
		b.ReportMetric(per/(1<<20), "MB/learner-with-lab")
		b.ReportMetric(textPer/(1<<20), "MB/learner-text")
		b.ReportMetric(per/textPer, "lab/text")
		for _, sc := range scs {
			sc.close()
		}
	}
}

// BenchmarkTenLearnersWithLabs: 10 learners connected with their labs up (a PostgreSQL each):
// the server's CPU over 10 s while they are idle, as % of one core (target < 5 %), against the
// same server with none connected; then the delay from a learner's run being recorded (the
// run's At in their history, written as it ends) to a board's Wait on the control socket
// returning it (target < 1 s), against one Snapshot round trip on the same socket.
func BenchmarkTenLearnersWithLabs(b *testing.B) {
	if _, err := exec.LookPath("initdb"); err != nil {
		if m, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb"); len(m) == 0 {
			b.Skip("PostgreSQL is not installed")
		}
	}
	const n, span, runs = 10, 10 * time.Second, 3
	for range b.N {
		var dir string
		b.Cleanup(func() {
			learners, _ := filepath.Glob(filepath.Join(dir, "class", LearnersDir, "*"))
			removeRootClusters(learners...)
		})
		bs := startBenchServer(b, n, benchLabEnv+"=1")
		dir = bs.dir
		settle()
		c0 := bs.cpuSeconds(b)
		time.Sleep(span)
		empty := (bs.cpuSeconds(b) - c0) / span.Seconds() * 100
		scs := bs.joinAll(b)
		for _, sc := range scs {
			sc.waitFor(5*time.Minute, "PG ✓")
		}
		settle()
		c1 := bs.cpuSeconds(b)
		time.Sleep(span)
		idle := (bs.cpuSeconds(b) - c1) / span.Seconds() * 100

		c := room.Dial(filepath.Join(bs.dir, "class", SocketFile))
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		t0 := time.Now()
		snap, err := c.Snapshot(ctx)
		if err != nil {
			b.Fatal(err)
		}
		roundTrip := time.Since(t0)
		var worst, sum time.Duration
		for i := range runs {
			name := fmt.Sprintf("learner%02d", i)
			id := LearnerID(name, bs.keys[i].PublicKey())
			scs[i].send("L")
			var seen time.Time
			for seen.IsZero() {
				if snap, err = c.Wait(ctx, snap.Version); err != nil {
					b.Fatal(err)
				}
				for _, l := range snap.Learners {
					if l.ID == id && len(l.Runs) > 0 {
						seen = time.Now()
					}
				}
			}
			h, err := load.OpenHistory(filepath.Join(bs.dir, "class", LearnersDir, id, load.HistoryFile))
			if err != nil || len(h.List()) == 0 {
				b.Fatalf("%s's history: %v", name, err)
			}
			d := seen.Sub(h.List()[0].At)
			sum += d
			worst = max(worst, d)
		}
		cancel()
		c.Close()
		b.ReportMetric(idle, "%core-10-labs-idle")
		b.ReportMetric(empty, "%core-empty")
		b.ReportMetric(float64(sum.Microseconds())/runs/1000, "ms-run-to-board")
		b.ReportMetric(float64(worst.Microseconds())/1000, "ms-run-to-board-worst")
		b.ReportMetric(float64(sum)/runs/float64(roundTrip), "board/round-trip")
		for _, sc := range scs {
			sc.close()
		}
	}
}
