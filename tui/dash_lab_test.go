package tui

import (
	"bytes"
	"context"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/exp/teatest"
	"github.com/muesli/termenv"
	"golang.org/x/sys/unix"

	"scalelab/lab"
	"scalelab/lab/load"
	"scalelab/lab/numfmt"
	"scalelab/lab/pg"
	"scalelab/lab/pg/pgtest"
	"scalelab/lab/singleserver"
)

// dashHost runs the dashboard as a whole program (the app wires it as a screen; this is the
// same contract: size, messages in, View out).
type dashHost struct{ d *dashboard }

func (h dashHost) Init() tea.Cmd { return h.d.Init() }
func (h dashHost) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		h.d.SetSize(msg.Width, msg.Height)
	case tea.KeyMsg:
		if msg.String() == "q" {
			return h, tea.Quit
		}
	}
	return h, h.d.Update(msg)
}
func (h dashHost) View() string { return h.d.View() }

// TestDashboardRealLab: a real lab (its own PostgreSQL, the broken API), a short 100-user load
// test, and a poller that builds LabSamples from the lab's own Snapshot and Stats 4 times a
// second, as the workshop's poller does. The dashboard draws the run live, then the finished
// run's numbers and causes.
func TestDashboardRealLab(t *testing.T) {
	if testing.Short() {
		t.Skip("starts PostgreSQL and runs a load test")
	}
	t.Setenv("SCALELAB_HOME", t.TempDir())
	ctx := context.Background()
	srv := pgtest.OwnServer(t, pg.Options{MaxConnections: singleserver.DefaultMaxConnections})
	l, err := lab.New(lab.Default, lab.Config{DBURL: srv.URL(), Rows: 2_000})
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer l.Close()

	d := newTestDashboard(t)
	tm := teatest.NewTestModel(t, dashHost{d}, teatest.WithInitialTermSize(120, 37))

	var mu sync.Mutex
	var prog *load.Progress
	var last *load.Result
	opt := load.Options{Concurrency: 100, Duration: 3 * time.Second, Timeout: 2 * time.Second}
	sample := func() LabSample {
		mu.Lock()
		defer mu.Unlock()
		return LabSample{Sample: l.Sample(ctx), Run: prog, RunTotal: opt.Duration, LastRun: last}
	}

	stop := make(chan struct{})
	polled := make(chan struct{})
	go func() { // the poller
		defer close(polled)
		tick := time.NewTicker(250 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				tm.Send(labSampleMsg{sample()})
			}
		}
	}()
	rec, err := l.LoadTest(ctx, nil, opt, func(p load.Progress) {
		mu.Lock()
		prog = &p
		mu.Unlock()
	})
	if err != nil {
		t.Fatal(err)
	}
	close(stop)
	<-polled
	res := rec.Result
	mu.Lock()
	prog, last = nil, res
	mu.Unlock()
	final := sample()
	tm.Send(labSampleMsg{final})

	// the finished run's numbers, then quit
	rate := numfmt.Pct(res.SuccessRate)
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
		return bytes.Contains(b, []byte("last run")) && bytes.Contains(b, []byte(numfmt.Int(res.Total)+" requests"))
	}, teatest.WithDuration(10*time.Second), teatest.WithCheckInterval(20*time.Millisecond))
	tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("q")})
	tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))

	v := d.View()
	checkFrame(t, v, 120, 37)
	p99, _ := numfmt.Latency(res.P99)
	for _, num := range []string{rate, p99, numfmt.RPS(res.RPS)} {
		tall, _, _ := tallLines(num) // 120x37: the 5-row digits
		for _, row := range tall {
			mustContain(t, v, row)
		}
	}
	mustContain(t, v, "success rate · last run", "no load test running · last run", numfmt.Int(res.Total)+" requests",
		"per-request pools (broken)", "requests per second", "latency per second")
	if res.Failed > 0 {
		top := res.SortedErrors()[0]
		if len(res.ServerErrors) > 0 {
			top.Cause, top.Count = "", 0
			for c, n := range res.ServerErrors {
				if n > top.Count || (n == top.Count && c < top.Cause) {
					top.Cause, top.Count = c, n
				}
			}
		}
		mustContain(t, v, numfmt.Int(res.Failed)+" failed, by cause · last run", top.Cause, numfmt.Int(top.Count))
	}
	if d.secs.len() == 0 || !strings.Contains(v, "█") {
		t.Fatalf("no request series drawn:\n%s", v)
	}
	t.Logf("%d requests, %.1f%% ok, p99 %v, %v failed %v\n%s", res.Total, res.SuccessRate, res.P99, res.Failed, res.ServerErrors, v)
}

// threadCPU is the CPU time the calling OS thread has used (user + system).
func threadCPU() time.Duration {
	var ru unix.Rusage
	if err := unix.Getrusage(unix.RUSAGE_THREAD, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkDashboardDuringRun: the dashboard's real cost during a real 100-user load test on the
// broken API (5 s): a poller builds a LabSample 4 times a second from the lab, and the render
// loop draws the 120x37 dashboard 10 times a second, on a locked OS thread whose CPU time is
// measured (so the load generator, the API and PostgreSQL, busy on the same 2 cores, are not
// counted). Colours as in a true-colour terminal. Reported: render CPU as % of one core (target < 10%), per-frame CPU, the poller's
// CPU (Snapshot + Stats, the lead's side) as % of one core, and the heap after the run.
func BenchmarkDashboardDuringRun(b *testing.B) {
	lipgloss.SetColorProfile(termenv.TrueColor) // a real terminal's escape sequences
	defer lipgloss.SetColorProfile(termenv.Ascii)
	b.Setenv("SCALELAB_HOME", b.TempDir())
	ctx := context.Background()
	srv := pgtest.OwnServer(b, pg.Options{MaxConnections: singleserver.DefaultMaxConnections})
	l, err := lab.New(lab.Default, lab.Config{DBURL: srv.URL(), Rows: 2_000})
	if err != nil {
		b.Fatal(err)
	}
	if err := l.Start(ctx); err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	b.ResetTimer()
	var renderCPU, pollCPU, wall time.Duration
	var frames, sampled int
	var sampleCPU time.Duration
	for i := 0; i < b.N; i++ {
		d := newTestDashboard(b)
		d.SetSize(120, 37)
		opt := load.Options{Concurrency: 100, Duration: 5 * time.Second, Timeout: 2 * time.Second}
		var mu sync.Mutex
		var prog *load.Progress
		samples := make(chan LabSample, 4)
		done := make(chan struct{})
		var wg sync.WaitGroup
		wg.Add(2)
		go func() { // the poller, 4 Hz
			defer wg.Done()
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			tick := time.NewTicker(250 * time.Millisecond)
			defer tick.Stop()
			for {
				select {
				case <-done:
					return
				case <-tick.C:
					c0 := threadCPU()
					mu.Lock()
					p := prog
					mu.Unlock()
					s := LabSample{Sample: l.Sample(ctx), Run: p, RunTotal: opt.Duration}
					pollCPU += threadCPU() - c0
					select {
					case samples <- s:
					default:
					}
				}
			}
		}()
		go func() { // the render loop, 10 fps
			defer wg.Done()
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			tick := time.NewTicker(100 * time.Millisecond)
			defer tick.Stop()
			for {
				select {
				case <-done:
					return
				case s := <-samples:
					c0 := threadCPU()
					d.Update(labSampleMsg{s})
					_ = d.View()
					c := threadCPU() - c0
					renderCPU += c
					sampleCPU += c
					frames++
					sampled++
				case <-tick.C:
					c0 := threadCPU()
					_ = d.View()
					renderCPU += threadCPU() - c0
					frames++
				}
			}
		}()
		t0 := time.Now()
		_, err := l.LoadTest(ctx, nil, opt, func(p load.Progress) {
			mu.Lock()
			prog = &p
			mu.Unlock()
		})
		wall += time.Since(t0)
		close(done)
		wg.Wait()
		if err != nil {
			b.Fatal(err)
		}
		if d.secs.len() == 0 {
			b.Fatal("the dashboard saw no requests")
		}
	}
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(renderCPU)/float64(wall)*100, "render-cpu%")
	b.ReportMetric(float64(renderCPU.Microseconds())/float64(max(1, frames)), "render-µs/frame")
	b.ReportMetric(float64(sampleCPU.Microseconds())/float64(max(1, sampled)), "sample-frame-µs")
	b.ReportMetric(float64(frames)/wall.Seconds(), "frames/s")
	b.ReportMetric(float64(pollCPU)/float64(wall)*100, "poll-cpu%")
	b.ReportMetric(float64(ms.HeapInuse)/(1<<20), "heap-MB")
	if float64(renderCPU)/float64(wall) > 0.10 {
		b.Errorf("rendering used %.1f%% of a core during the run, target < 10%%", float64(renderCPU)/float64(wall)*100)
	}
}
