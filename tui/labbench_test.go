package tui

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
	"golang.org/x/sys/unix"

	"scalelab/content"
	"scalelab/content/worksheet"
	"scalelab/lab"
	"scalelab/lab/load"
	"scalelab/lab/pg"
	"scalelab/lab/pg/pgtest"
	"scalelab/lab/singleserver"
)

// labDataDir is a private cluster directory for a benchmark: a temp dir every user can
// traverse, so that as root the unprivileged PostgreSQL user keeps the cluster in it.
func labDataDir(b *testing.B) string {
	b.Helper()
	dir, err := os.MkdirTemp("", "scalelab-bench-pg-")
	if err != nil {
		b.Fatal(err)
	}
	os.Chmod(dir, 0o755)
	b.Cleanup(func() { os.RemoveAll(dir) })
	return filepath.Join(dir, "pg")
}

// msgWatch wraps the app: it reports messages to a callback and times Update and View.
type msgWatch struct {
	*App
	on func(tea.Msg)

	mu       sync.Mutex
	timing   bool
	wall     time.Duration // inside Update and View while timing
	cpu      time.Duration // the same as CPU time of the thread that ran them
	updates  int
	views    int
	lockedOS bool
}

func (w *msgWatch) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if w.on != nil {
		w.on(msg)
	}
	t0, c0 := w.start()
	_, cmd := w.App.Update(msg)
	w.stop(t0, c0, true)
	return w, cmd
}

func (w *msgWatch) View() string {
	t0, c0 := w.start()
	s := w.App.View()
	w.stop(t0, c0, false)
	return s
}

func (w *msgWatch) start() (time.Time, time.Duration) {
	w.mu.Lock()
	on := w.timing
	w.mu.Unlock()
	if !on {
		return time.Time{}, 0
	}
	runtime.LockOSThread() // the thread's CPU clock measures this call only
	return time.Now(), threadCPUTime()
}

func (w *msgWatch) stop(t0 time.Time, c0 time.Duration, update bool) {
	if t0.IsZero() {
		return
	}
	c := threadCPUTime() - c0
	runtime.UnlockOSThread()
	d := time.Since(t0)
	w.mu.Lock()
	w.wall += d
	w.cpu += c
	if update {
		w.updates++
	} else {
		w.views++
	}
	w.mu.Unlock()
}

func (w *msgWatch) setTiming(on bool) {
	w.mu.Lock()
	w.timing = on
	w.mu.Unlock()
}

func threadCPUTime() time.Duration {
	var ru unix.Rusage
	if unix.Getrusage(unix.RUSAGE_THREAD, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func processCPUTime() time.Duration {
	var ru unix.Rusage
	if unix.Getrusage(unix.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// peakRSS is the process's peak resident set (VmHWM), in bytes.
func peakRSS() int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// countWriter is the program's terminal: it counts what was written.
type countWriter struct {
	mu sync.Mutex
	n  int64
	b  bytes.Buffer // only until the first frames are seen
}

func (c *countWriter) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n += int64(len(p))
	if c.b.Len() < 1<<20 {
		c.b.Write(p)
	}
	return len(p), nil
}

func (c *countWriter) contains(s string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return bytes.Contains(c.b.Bytes(), []byte(s))
}

// BenchmarkStartupWithLab: the workshop as the binary starts it, with the lab: from nothing
// (scenario not parsed) to the first frame and to glamour's rendering, while the lab starts in
// the background — the first iteration runs initdb, the private PostgreSQL starts, the posts
// are seeded — against a trivial bubbletea program's first frame in the same run. Also reported:
// when the lab was up (its state line in the header). Target: the rendered first screen in
// under 300 ms; the lab may take longer, the text does not wait for it.
func BenchmarkStartupWithLab(b *testing.B) {
	src, err := content.Files.ReadFile(content.BuiltinFile)
	if err != nil {
		b.Fatal(err)
	}
	home := b.TempDir()
	b.Setenv("SCALELAB_HOME", home)
	dataDir := labDataDir(b)
	var ref, first, full, labUp time.Duration
	for i := 0; i < b.N; i++ {
		ref += trivialFirstFrame(b)

		t0 := time.Now()
		sc, ws, path := loadWorkshop(b, src, home)
		ctl := NewLabController(LabOptions{Scenario: sc, Lab: realLab(b, lab.Config{DataDir: dataDir, Addr: "127.0.0.1:0"})})
		rendered, up := make(chan struct{}), make(chan time.Time, 1)
		var once sync.Once
		w := &msgWatch{App: New(Options{Scenario: sc, Worksheet: ws, WorksheetPath: path, Lab: ctl, ColorProfile: termenv.ANSI256})}
		w.on = func(msg tea.Msg) {
			switch m := msg.(type) {
			case renderedMsg:
				once.Do(func() { close(rendered) })
			case LabStatusMsg:
				if !m.Busy {
					select {
					case up <- time.Now():
					default:
					}
				}
			}
		}
		out := &syncBuf{}
		p := runProgram(b, w, out)
		first += waitOut(b, out, sc.Steps[0].Title).Sub(t0)
		select {
		case <-rendered:
		case <-time.After(10 * time.Second):
			b.Fatal("glamour rendering never arrived")
		}
		time.Sleep(time.Second / 60) // the next frame after the rendering
		full += time.Since(t0)
		select {
		case at := <-up:
			labUp += at.Sub(t0)
		case <-time.After(60 * time.Second):
			b.Fatal("the lab never came up")
		}
		p.Kill()
		p.Wait()
		if err := ctl.Close(); err != nil {
			b.Fatal(err)
		}
	}
	n := float64(b.N)
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 / n }
	b.ReportMetric(ms(ref), "ref-ms")
	b.ReportMetric(ms(first), "first-frame-ms")
	b.ReportMetric(ms(full), "rendered-ms")
	b.ReportMetric(float64(full)/float64(ref), "rendered/ref")
	b.ReportMetric(ms(labUp), "lab-up-ms")
	if ms(full) > 300 {
		b.Errorf("start-up to the rendered first screen took %.1f ms with the lab starting, target < 300 ms", ms(full))
	}
}

// BenchmarkAppDuringRun: the whole app (the real App model in a tea.Program writing to a
// counting terminal at 120x40) with a real lab, the live panes open full-screen (d) during a
// 100-user, 10 s load test started with L. Measured during the run: the time spent in the app's
// Update and View (wall and the CPU time of the thread that ran them) as a share of one core, and
// against the process's own CPU for the same run (the load generator, the API and the app:
// getrusage); the process's peak RSS (VmHWM) and the heap after the run.
// Targets: rendering under 10% of one core, memory under 200 MB.
func BenchmarkAppDuringRun(b *testing.B) {
	lipgloss.SetColorProfile(termenv.TrueColor) // a real terminal's escape sequences
	defer lipgloss.SetColorProfile(termenv.Ascii)
	home := b.TempDir()
	b.Setenv("SCALELAB_HOME", home)
	srv := pgtest.OwnServer(b, pg.Options{DataDir: labDataDir(b), MaxConnections: singleserver.DefaultMaxConnections})
	hist, err := load.OpenHistory(filepath.Join(home, "runs.json"))
	if err != nil {
		b.Fatal(err)
	}
	sc := content.Builtin()
	var wall, inApp, appCPU, procCPU time.Duration
	var updates, views int
	var written int64
	for i := 0; i < b.N; i++ {
		ctl := NewLabController(LabOptions{Scenario: sc, History: hist,
			Lab:   realLab(b, lab.Config{DBURL: srv.URL(), Addr: "127.0.0.1:0", Rows: 10_000}),
			Users: 100, Duration: 10 * time.Second})
		up, done := make(chan struct{}), make(chan ActionDoneMsg, 1)
		var upOnce sync.Once
		w := &msgWatch{App: New(Options{Scenario: sc, Worksheet: &worksheet.Worksheet{}, Lab: ctl, History: hist, ColorProfile: termenv.TrueColor})}
		w.on = func(msg tea.Msg) {
			switch m := msg.(type) {
			case LabStatusMsg:
				if !m.Busy && strings.Contains(m.Text, "API") {
					upOnce.Do(func() { close(up) })
				}
			case ActionDoneMsg:
				if m.Action.Name == content.ActionLoadTest {
					done <- m
				}
			}
		}
		out := &countWriter{}
		p := tea.NewProgram(w, tea.WithInput(bytes.NewReader(nil)), tea.WithOutput(out), tea.WithoutSignals())
		go p.Run()
		p.Send(tea.WindowSizeMsg{Width: 120, Height: 40})
		select {
		case <-up:
		case <-time.After(60 * time.Second):
			b.Fatal("the lab never came up")
		}
		p.Send(keyMsg("d"))
		w.setTiming(true)
		w0, c0, t0 := out.n, processCPUTime(), time.Now()
		p.Send(keyMsg("L"))
		var d ActionDoneMsg
		select {
		case d = <-done:
		case <-time.After(60 * time.Second):
			b.Fatal("the load test never ended")
		}
		wall += time.Since(t0)
		procCPU += processCPUTime() - c0
		w.setTiming(false)
		if d.Err != nil {
			b.Fatal(d.Err)
		}
		w.mu.Lock()
		inApp += w.wall
		appCPU += w.cpu
		updates += w.updates
		views += w.views
		w.mu.Unlock()
		out.mu.Lock()
		written += out.n - w0
		out.mu.Unlock()
		if !out.contains("success rate") {
			b.Fatal("the live panes were never drawn")
		}
		p.Kill()
		p.Wait()
		if err := ctl.Close(); err != nil {
			b.Fatal(err)
		}
	}
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	rss := peakRSS()
	pct := func(d time.Duration) float64 { return float64(d) / float64(wall) * 100 }
	b.ReportMetric(pct(inApp), "app-wall-%core")
	b.ReportMetric(pct(appCPU), "app-cpu-%core")
	b.ReportMetric(pct(procCPU), "process-cpu-%core")
	b.ReportMetric(float64(appCPU)/float64(max(1, procCPU)), "app/process-cpu")
	b.ReportMetric(float64(updates)/wall.Seconds(), "updates/s")
	b.ReportMetric(float64(views)/wall.Seconds(), "views/s")
	b.ReportMetric(float64(written)/wall.Seconds()/1024, "out-KiB/s")
	b.ReportMetric(float64(rss)/(1<<20), "peak-rss-MB")
	b.ReportMetric(float64(ms.HeapInuse)/(1<<20), "heap-MB")
	if pct(appCPU) > 10 {
		b.Errorf("the app's Update+View used %.1f%% of a core during the run, target < 10%%", pct(appCPU))
	}
	if rss > 200<<20 {
		b.Errorf("peak RSS %d MB, target < 200 MB", rss>>20)
	}
}
