package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// hostileScenario tries to command the terminal that shows it: a window title (OSC 0), a
// clipboard write (OSC 52), a screen clear, a C1 control, a bell, and the same as markdown
// character references.
const hostileScenario = "# Hostile \x1b]0;owned-title\x07Scenario\n\n" +
	"## Step 1 — Start\n\n" +
	"Prose \x1b]52;c;b3duZWQtY2xpcGJvYXJk\x07 copies, \x1b[2J clears, \u009b2J clears in C1, rings\x07 and\n" +
	"refers &#27;]0;owned-ref&#7; to escapes.\n\n" +
	"**Q1: Anything?**\n\n```\nYour answer:\n```\n"

func writeHostile(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "hostile.md")
	if err := os.WriteFile(p, []byte(hostileScenario), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// firstControl is the first character a terminal would act on in s, or -1.
func firstControl(s string) int {
	for i, r := range s {
		if (r < 0x20 && r != '\n' && r != '\t') || (r >= 0x7f && r <= 0x9f) {
			return i
		}
	}
	return -1
}

// The plain workshop and lint print the hostile file's text without its sequences.
func TestHostileScenarioPlainAndLint(t *testing.T) {
	bin := binary(t)
	file := writeHostile(t)
	for _, args := range [][]string{{"open", "--plain", file}, {"lint", file}} {
		cmd := exec.Command(bin, args...)
		cmd.Env = append(os.Environ(), "SCALELAB_HOME="+t.TempDir())
		cmd.Stdin = strings.NewReader("\n")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("scalelab %s: %v\n%s", args[0], err, out)
		}
		if i := firstControl(string(out)); i >= 0 {
			t.Errorf("scalelab %s prints a control at byte %d: %q", args[0], i, out[max(0, i-20):min(len(out), i+20)])
		}
		if !strings.Contains(string(out), "Hostile") {
			t.Errorf("scalelab %s lost the title:\n%s", args[0], out)
		}
	}
}

// The full-screen workshop leaves the terminal's title and clipboard alone.
func TestHostileScenarioTUI(t *testing.T) {
	bin := binary(t)
	file := writeHostile(t)
	tt := newTerm(t)
	conf := filepath.Join(t.TempDir(), "tmux.conf")
	// tmux takes OSC 52 into a paste buffer when set-clipboard is on, and OSC 0/2 as the pane title
	if err := os.WriteFile(conf, []byte("set -g set-clipboard on\nset -g allow-rename on\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tt.must("-f", conf, "new-session", "-d", "-s", tt.name, "-x", "100", "-y", "30",
		"env", "TERM=xterm-256color", "SCALELAB_HOME="+t.TempDir(), bin, "open", file)
	tt.waitFor("copies", "to escapes")
	title := strings.TrimSpace(tt.must("display-message", "-p", "-t", tt.name, "#{pane_title}"))
	if strings.Contains(title, "owned") {
		t.Errorf("the file set the terminal's title: %q", title)
	}
	if bufs, _ := tt.tmux("list-buffers"); strings.TrimSpace(bufs) != "" {
		t.Errorf("the file wrote the clipboard: %q", bufs)
	}
	if s := tt.screen(); !strings.Contains(s, "Hostile") {
		t.Errorf("the header is gone (the screen was cleared?):\n%s", s)
	}
	tt.keys("q")
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if _, err := tt.tmux("has-session", "-t", tt.name); err != nil {
			return
		}
		if strings.Contains(tt.screen(), "quit") { // a confirmation, if the workshop asks one
			tt.keys("y")
		}
		time.Sleep(20 * time.Millisecond)
	}
}
