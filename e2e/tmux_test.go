package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// binary builds scalelab once per test run into a temp dir (or uses $SCALELAB_E2E_BIN).
var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
	buildDir  string
)

func binary(tb testing.TB) string {
	tb.Helper()
	buildOnce.Do(func() {
		if p := os.Getenv("SCALELAB_E2E_BIN"); p != "" { // a binary built elsewhere (CI, make)
			binPath = p
			return
		}
		buildDir, buildErr = os.MkdirTemp("", "scalelab-e2e-bin-")
		if buildErr != nil {
			return
		}
		binPath = filepath.Join(buildDir, "scalelab")
		cmd := exec.Command("go", "build", "-o", binPath, ".")
		cmd.Dir = ".." // the module root
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		tb.Fatal(buildErr)
	}
	return binPath
}

func TestMain(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// term is one tmux server of this test (its own socket), holding one session at a time.
type term struct {
	tb     testing.TB
	socket string
	name   string
}

func needTmux(tb testing.TB) {
	tb.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		tb.Skip("tmux not installed: the end-to-end tests drive the binary in tmux (apt install tmux, or make tools)")
	}
}

func newTerm(tb testing.TB) *term {
	tb.Helper()
	needTmux(tb)
	t := &term{tb: tb, socket: fmt.Sprintf("scalelab-e2e-%d-%d", os.Getpid(), time.Now().UnixNano()), name: "w"}
	tb.Cleanup(func() { exec.Command("tmux", "-L", t.socket, "kill-server").Run() })
	return t
}

func (t *term) tmux(args ...string) (string, error) {
	out, err := exec.Command("tmux", append([]string{"-L", t.socket}, args...)...).CombinedOutput()
	return string(out), err
}

func (t *term) must(args ...string) string {
	t.tb.Helper()
	out, err := t.tmux(args...)
	if err != nil {
		t.tb.Fatalf("tmux %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// start runs the program in a fresh w×h session with the given environment.
func (t *term) start(w, h int, env []string, argv ...string) {
	t.tb.Helper()
	cmd := append([]string{"env", "TERM=xterm-256color"}, env...)
	cmd = append(cmd, argv...)
	args := append([]string{"new-session", "-d", "-s", t.name, "-x", strconv.Itoa(w), "-y", strconv.Itoa(h)}, cmd...)
	// After the program of the last session ended (a kill -9, a quit), its tmux server shuts
	// down on its own; a client that reaches it in that moment is told "server exited
	// unexpectedly". Wait for that server to go, then start a new one.
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		out, err := t.tmux(args...)
		if err == nil {
			return
		}
		if !strings.Contains(out, "server exited unexpectedly") || time.Now().After(deadline) {
			t.tb.Fatalf("tmux %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
}

func (t *term) screen() string {
	out, _ := t.tmux("capture-pane", "-p", "-t", t.name)
	return out
}

// waitFor polls the screen until every want is on it.
func (t *term) waitFor(want ...string) string {
	t.tb.Helper()
	return t.waitIn(15*time.Second, "the screen", t.screen, want...)
}

// waitStatus waits until the status line (the line above the help line) shows word and not
// "saving…".
func (t *term) waitStatus(word string) {
	t.tb.Helper()
	deadline := time.Now().Add(15 * time.Second)
	var line string
	for time.Now().Before(deadline) {
		lines := strings.Split(strings.TrimRight(t.screen(), "\n "), "\n")
		if len(lines) >= 2 {
			line = lines[len(lines)-2]
			if strings.Contains(line, word) && !strings.Contains(line, "saving") {
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.tb.Fatalf("the status line never showed %q; last: %q", word, line)
}

func (t *term) keys(keys ...string) {
	t.tb.Helper()
	t.must(append([]string{"send-keys", "-t", t.name}, keys...)...)
}
func (t *term) text(s string) { t.tb.Helper(); t.must("send-keys", "-t", t.name, "-l", s) }

// waitGone waits until the session ended (the program exited).
func (t *term) waitGone() {
	t.tb.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if _, err := t.tmux("has-session", "-t", t.name); err != nil {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.tb.Fatalf("the program did not exit; screen:\n%s", t.screen())
}

func (t *term) pid() int {
	t.tb.Helper()
	out := strings.TrimSpace(t.must("display-message", "-p", "-t", t.name, "#{pane_pid}"))
	pid, err := strconv.Atoi(out)
	if err != nil {
		t.tb.Fatalf("pane pid %q: %v", out, err)
	}
	return pid
}

// focusQ1 presses Tab until Q1 carries the focus bar.
func (t *term) focusQ1() {
	t.tb.Helper()
	for i := 0; i < 12; i++ {
		t.keys("Tab")
		deadline := time.Now().Add(2 * time.Second)
		for time.Now().Before(deadline) {
			s := t.screen()
			if focusedOn(s, "Q1:") && strings.Contains(s, "enter: write your answer") {
				return
			}
			if strings.Contains(s, "enter:") || strings.Contains(s, "x/space: tick") {
				break // focus is on another item: Tab again
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	t.tb.Fatalf("Tab never reached Q1; screen:\n%s", t.screen())
}

func readSheet(tb testing.TB, home string) string {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join(home, "worksheets", "01-single-server.json"))
	if err != nil {
		tb.Fatalf("worksheet: %v", err)
	}
	return string(b)
}

// Start, move to Q1, type an answer, quit; start again: the answer is on screen.
func TestAnswerSurvivesRestart(t *testing.T) {
	tt := newTerm(t)
	bin := binary(t)
	home := labHome(t) // with the lab: quitting while it starts stops it
	env := []string{"SCALELAB_HOME=" + home}

	tt.start(100, 30, env, bin)
	tt.waitFor("The Single Server Problem", "step 1/")
	tt.focusQ1()
	tt.keys("Enter")
	tt.waitFor("esc/ctrl+s: done")
	tt.text("a new pool for every request")
	tt.waitFor("a new pool for every request")
	tt.keys("C-s")
	tt.waitFor("enter: write your answer")
	tt.keys("q")
	tt.waitGone()
	if s := readSheet(t, home); !strings.Contains(s, "a new pool for every request") {
		t.Fatalf("worksheet after quit lacks the answer:\n%s", s)
	}

	tt.start(100, 30, env, bin)
	tt.waitFor("Q1:", "a new pool for every request", "1/15 answered")
	tt.keys("q")
	tt.waitGone()
}

// kill -9 while typing loses at most the typing not yet saved (the last ~400 ms): what the status
// line showed as saved survives; SIGTERM loses nothing.
func TestKillWhileTyping(t *testing.T) {
	tt := newTerm(t)
	bin := binary(t)
	home := t.TempDir()
	env := []string{"SCALELAB_HOME=" + home}

	tt.start(100, 30, env, bin, "--no-lab") // kill -9 of the workshop alone (the lab has its own kill tests)
	tt.waitFor("The Single Server Problem")
	tt.focusQ1()
	tt.keys("Enter")
	tt.waitFor("esc/ctrl+s: done")
	tt.text("typed well before the kill.")
	tt.waitFor("typed well before the kill.")
	tt.waitStatus("saved") // the learner pauses until the status line says the text is saved
	tt.text(" and this just now")
	tt.waitFor("and this just now")
	pid := tt.pid()
	if err := syscallKill(pid, 9); err != nil {
		t.Fatal(err)
	}
	tt.waitGone()
	if s := readSheet(t, home); !strings.Contains(s, "typed well before the kill.") {
		t.Fatalf("kill -9 lost typing the status line had shown as saved; worksheet:\n%s", s)
	}

	tt.start(100, 30, env, bin, "--no-lab")
	tt.waitFor("typed well before the kill.")
	tt.focusQ1()
	tt.keys("Enter")
	tt.waitFor("esc/ctrl+s: done")
	tt.keys("End")
	tt.text(" then SIGTERM")
	tt.waitFor("then SIGTERM")
	if err := syscallKill(tt.pid(), 15); err != nil {
		t.Fatal(err)
	}
	tt.waitGone()
	if s := readSheet(t, home); !strings.Contains(s, "then SIGTERM") {
		t.Fatalf("SIGTERM lost typing; worksheet:\n%s", s)
	}
}

// Below 80x24 the app says what it needs; growing the window brings the text back.
func TestTooSmallThenResize(t *testing.T) {
	tt := newTerm(t)
	bin := binary(t)
	tt.start(70, 20, []string{"SCALELAB_HOME=" + t.TempDir()}, bin)
	tt.waitFor("too small", "70×20")
	tt.must("resize-window", "-t", tt.name, "-x", "80", "-y", "24")
	tt.waitFor("The Situation", "step 1/") // the header leaves out the title when the lab's line needs the room
	tt.keys("q")
	tt.waitGone()
}

// --plain with answers on stdin (no tmux needed): plain text, no escape codes, answers saved.
func TestPlainModeBinary(t *testing.T) {
	bin := binary(t)
	home := t.TempDir()
	cmd := exec.Command(bin, "--plain", "--no-lab")
	cmd.Env = append(os.Environ(), "SCALELAB_HOME="+home)
	cmd.Stdin = strings.NewReader("plain answer one\n\n")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("scalelab --plain: %v\n%s", err, out)
	}
	if strings.Contains(string(out), "\x1b") {
		t.Fatalf("plain output has escape codes")
	}
	if !strings.Contains(string(out), "Question 1 of 15 (Q1)") {
		t.Fatalf("no numbered prompt in:\n%s", out)
	}
	if s := readSheet(t, home); !strings.Contains(s, "plain answer one") {
		t.Fatalf("plain answer not saved:\n%s", s)
	}
}

// focusedOn reports a line with the focus bar that contains text.
func focusedOn(screen, text string) bool {
	for _, l := range strings.Split(screen, "\n") {
		if strings.Contains(l, "▌") && strings.Contains(l, text) {
			return true
		}
	}
	return false
}
