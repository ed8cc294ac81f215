package tui

import (
	"bytes"
	"errors"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/muesli/termenv"

	"scalelab/content"
	"scalelab/content/worksheet"
)

// syncBuf is an output the program writes to while the benchmark watches it.
type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuf) contains(x string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return bytes.Contains(s.b.Bytes(), []byte(x))
}

// waitOut polls the output for text (up to 10 s) and returns when it appeared.
func waitOut(b testing.TB, out *syncBuf, text string) time.Time {
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if out.contains(text) {
			return time.Now()
		}
		time.Sleep(200 * time.Microsecond)
	}
	b.Fatalf("never drew %q", text)
	return time.Time{}
}

// renderWatch wraps the app to note when glamour's rendering of the first step arrived.
type renderWatch struct {
	*App
	once     sync.Once
	rendered chan struct{}
}

func (w *renderWatch) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if _, ok := msg.(renderedMsg); ok {
		defer w.once.Do(func() { close(w.rendered) })
	}
	_, cmd := w.App.Update(msg)
	return w, cmd
}

type trivial struct{}

func (trivial) Init() tea.Cmd                       { return nil }
func (trivial) Update(tea.Msg) (tea.Model, tea.Cmd) { return trivial{}, nil }
func (trivial) View() string                        { return "hello, first frame" }

func runProgram(b *testing.B, m tea.Model, out *syncBuf) *tea.Program {
	p := tea.NewProgram(m, tea.WithInput(bytes.NewReader(nil)), tea.WithOutput(out), tea.WithoutSignals())
	go func() {
		if _, err := p.Run(); err != nil && !errors.Is(err, tea.ErrProgramKilled) {
			b.Error(err)
		}
	}()
	p.Send(tea.WindowSizeMsg{Width: 80, Height: 24})
	return p
}

// BenchmarkStartup: from nothing (scenario not parsed, worksheet not loaded) to the first frame
// showing the step, and to the frame with glamour's rendering, against a trivial bubbletea
// program's first frame measured in the same run. Target: under 300 ms.
func BenchmarkStartup(b *testing.B) {
	src, err := content.Files.ReadFile(content.BuiltinFile)
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	var ref, first, full time.Duration
	for i := 0; i < b.N; i++ {
		ref += trivialFirstFrame(b)

		// the workshop
		t0 := time.Now()
		sc, ws, path := loadWorkshop(b, src, dir)
		w := &renderWatch{App: New(Options{Scenario: sc, Worksheet: ws, WorksheetPath: path, ColorProfile: termenv.ANSI256}), rendered: make(chan struct{})}
		out := &syncBuf{}
		p := runProgram(b, w, out)
		first += waitOut(b, out, sc.Steps[0].Title).Sub(t0)
		select {
		case <-w.rendered:
		case <-time.After(10 * time.Second):
			b.Fatal("glamour rendering never arrived")
		}
		// the next frame after the rendering (the renderer draws at most every 1/60 s)
		time.Sleep(time.Second / 60)
		full += time.Since(t0)
		p.Kill()
		p.Wait()
	}
	n := float64(b.N)
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 / n }
	b.ReportMetric(ms(ref), "ref-ms")
	b.ReportMetric(ms(first), "first-frame-ms")
	b.ReportMetric(ms(full), "rendered-ms")
	b.ReportMetric(float64(full)/float64(ref), "rendered/ref")
	if ms(full) > 300 {
		b.Errorf("start-up to the rendered first screen took %.1f ms, target < 300 ms", ms(full))
	}
}

// trivialFirstFrame is the reference of the start-up benchmarks: how long a trivial bubbletea
// program takes to show its first frame, measured in the same run.
func trivialFirstFrame(b *testing.B) time.Duration {
	b.Helper()
	t0 := time.Now()
	out := &syncBuf{}
	p := runProgram(b, trivial{}, out)
	d := waitOut(b, out, "hello, first frame").Sub(t0)
	p.Kill()
	p.Wait()
	return d
}

// loadWorkshop does what the workshop does before its first frame: parse the scenario and load
// the worksheet (from dir).
func loadWorkshop(b *testing.B, src []byte, dir string) (*content.Scenario, *worksheet.Worksheet, string) {
	b.Helper()
	sc, err := content.Parse(content.BuiltinFile, src)
	if err != nil {
		b.Fatal(err)
	}
	path := worksheet.PathFor(dir, sc.ID)
	ws, err := worksheet.Load(path)
	if err != nil {
		b.Fatal(err)
	}
	return sc, ws, path
}
