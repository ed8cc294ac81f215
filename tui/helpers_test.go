package tui

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/exp/teatest"
	"github.com/muesli/termenv"

	"scalelab/content"
	"scalelab/content/worksheet"
	"scalelab/lab"
	"scalelab/lab/pg/pgtest"
	_ "scalelab/lab/singleserver" // the real lab, for the tests that use Scenario 1's
)

func TestMain(m *testing.M) {
	// Fixed colour profile: goldens and output checks see text, not escape codes.
	lipgloss.SetColorProfile(termenv.Ascii)
	pgtest.Main(m) // the lab tests' PostgreSQL: started on first use, stopped at the end
}

// testScenario is a small scenario of the seed's form (tui/testdata/workshop.md), stable for goldens.
func testScenario(t testing.TB) *content.Scenario {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("testdata", "workshop.md"))
	if err != nil {
		t.Fatal(err)
	}
	sc, err := content.Parse("workshop.md", src)
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

// testHome makes HOME and SCALELAB_HOME a temp dir, so paths print as ~/... in goldens.
func testHome(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("HOME", dir)
	t.Setenv("SCALELAB_HOME", dir)
	return dir
}

func newTestApp(t testing.TB, path string, opts ...func(*Options)) *App {
	t.Helper()
	sc := testScenario(t)
	var ws *worksheet.Worksheet
	if path != "" {
		var err error
		if ws, err = worksheet.Load(path); err != nil {
			t.Fatal(err)
		}
	}
	o := Options{Scenario: sc, Worksheet: ws, WorksheetPath: path, GlamourStyle: "dark", ColorProfile: termenv.Ascii}
	for _, f := range opts {
		f(&o)
	}
	return New(o)
}

func start(t *testing.T, a *App, w, h int) *teatest.TestModel {
	t.Helper()
	return teatest.NewTestModel(t, a, teatest.WithInitialTermSize(w, h))
}

// watchRenders reports every glamour rendering the app receives (step numbers), so a test can
// wait until a step is drawn by glamour and not by the stand-in before taking a golden frame.
func watchRenders(a *App) <-chan int {
	ch := make(chan int, 64)
	a.observe = func(msg tea.Msg) {
		if m, ok := msg.(renderedMsg); ok {
			select {
			case ch <- m.key.step:
			default:
			}
		}
	}
	return ch
}

func waitRendered(t *testing.T, ch <-chan int, step int) {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case s := <-ch:
			if s == step {
				return
			}
		case <-timeout:
			t.Fatalf("step %d was never rendered", step)
		}
	}
}

// waitText waits until the program has drawn all of the given strings (since the last wait).
func waitText(t *testing.T, tm *teatest.TestModel, want ...string) {
	t.Helper()
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
		for _, w := range want {
			if !bytes.Contains(b, []byte(w)) {
				return false
			}
		}
		return true
	}, teatest.WithDuration(5*time.Second), teatest.WithCheckInterval(10*time.Millisecond))
}

func keyMsg(s string) tea.KeyMsg {
	switch s {
	case "tab":
		return tea.KeyMsg{Type: tea.KeyTab}
	case "shift+tab":
		return tea.KeyMsg{Type: tea.KeyShiftTab}
	case "enter":
		return tea.KeyMsg{Type: tea.KeyEnter}
	case "esc":
		return tea.KeyMsg{Type: tea.KeyEsc}
	case "ctrl+c":
		return tea.KeyMsg{Type: tea.KeyCtrlC}
	case "ctrl+s":
		return tea.KeyMsg{Type: tea.KeyCtrlS}
	case "ctrl+n":
		return tea.KeyMsg{Type: tea.KeyCtrlN}
	case "space":
		return tea.KeyMsg{Type: tea.KeySpace, Runes: []rune{' '}}
	case "home":
		return tea.KeyMsg{Type: tea.KeyHome}
	case "end":
		return tea.KeyMsg{Type: tea.KeyEnd}
	case "left":
		return tea.KeyMsg{Type: tea.KeyLeft}
	case "right":
		return tea.KeyMsg{Type: tea.KeyRight}
	case "backspace":
		return tea.KeyMsg{Type: tea.KeyBackspace}
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)}
}

func send(tm *teatest.TestModel, keys ...string) {
	for _, k := range keys {
		tm.Send(keyMsg(k))
	}
}

// finalView quits and returns the last frame of the final model.
func finalView(t *testing.T, tm *teatest.TestModel) (*App, string) {
	t.Helper()
	send(tm, "ctrl+c")
	m := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(*App)
	return m, m.View()
}

func loadSheet(t *testing.T, path string) *worksheet.Worksheet {
	t.Helper()
	ws, err := worksheet.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return ws
}

func mustContain(t *testing.T, s string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(s, w) {
			t.Fatalf("missing %q in:\n%s", w, s)
		}
	}
}

// singleServer is Scenario 1's lab, not started: its records (actions, keys, stages) answer
// without PostgreSQL.
func singleServer(t testing.TB) lab.Lab {
	t.Helper()
	l, err := lab.New("single-server", lab.Config{})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// withLab gives a screen's common the records of l, as New does.
func withLab(c *common, l lab.Lab) *common {
	c.lab, c.stages = l, l.Stages()
	c.actKeys = newActionKeys(l, c.keys)
	return c
}

// realLab is Scenario 1's lab with cfg, not started (the controller starts it).
func realLab(t testing.TB, cfg lab.Config) lab.Lab {
	t.Helper()
	l, err := lab.New(lab.Default, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return l
}
