package e2e

import (
	"strings"
	"testing"
	"time"

	"scalelab/content"
)

// NO_COLOR: every step of the built-in scenario is rendered markdown, never its source.
func TestNoColorRendersMarkdown(t *testing.T) {
	tt := newTerm(t)
	tt.start(100, 30, []string{"NO_COLOR=1", "SCALELAB_HOME=" + t.TempDir()}, binary(t), "--no-lab")
	tt.waitFor("The Situation", "0/15 answered")
	steps := len(content.Builtin().Steps)
	for step := 1; step <= steps; step++ {
		if step > 1 {
			tt.keys("n")
			tt.waitStatus("step " + itoa(step) + "/" + itoa(steps))
		}
		for page := 0; page < 12; page++ {
			s := tt.screen()
			if strings.Contains(s, "**") || strings.Contains(s, "###") {
				t.Fatalf("step %d shows markdown source:\n%s", step, s)
			}
			if strings.Contains(s, "n: next —") || strings.Contains(s, "the end of the scenario") {
				break
			}
			tt.keys("Space")
			tt.waitChange(s)
		}
	}
	tt.keys("q")
	tt.waitGone()
}

// A live Stuck? hint: the Fix 1 boxes ticked but the API not restarted shows the Stuck row in
// place, and it goes once R restarts the API with them.
func TestLiveStuckHintRestartPending(t *testing.T) {
	if testing.Short() {
		t.Skip("starts PostgreSQL")
	}
	tt := newTerm(t)
	home := labHome(t)
	argv := append([]string{binary(t)}, labArgs...)
	tt.start(100, 30, []string{"SCALELAB_HOME=" + home, "DATABASE_URL="}, argv...)
	tt.waitLong(60*time.Second, "PG ✓", "broken")
	tt.search("Build one shared pool")
	tt.keys("Tab")
	tt.waitFor("x/space: tick")
	tt.keys("x")
	tt.waitFor("[x] Build one shared pool")
	tt.keys("g") // the callout is at the top of the step
	tt.waitLong(15*time.Second, "Stuck? No change after Fix 1.")
	tt.keys("R")
	tt.waitLong(30*time.Second, "API restarted")
	deadline := time.Now().Add(15 * time.Second)
	for strings.Contains(tt.screen(), "Stuck? No change after Fix 1.") {
		if time.Now().After(deadline) {
			t.Fatalf("the hint stayed after the restart:\n%s", tt.screen())
		}
		time.Sleep(50 * time.Millisecond)
	}
	tt.keys("q")
	tt.waitGoneWithin(30 * time.Second)
}

// waitChange waits until the screen is no longer before (a page key scrolled it).
func (t *term) waitChange(before string) {
	t.tb.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for t.screen() == before {
		if time.Now().After(deadline) {
			t.tb.Fatalf("the screen did not change:\n%s", before)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func itoa(n int) string {
	if n >= 10 {
		return itoa(n/10) + string(rune('0'+n%10))
	}
	return string(rune('0' + n))
}

// Prose wraps to its pane at the sidebar layout and at 80 columns without a word left alone
// on its line: the paragraph on Fix 1 (a hyphen in it, bold at its start) wrapped
// "every request / borrow / a connection" at 100 columns.
func TestProseWrapsWithoutOrphans(t *testing.T) {
	for _, size := range [][2]int{{100, 30}, {80, 24}, {120, 40}} {
		tt := newTerm(t)
		tt.start(size[0], size[1], []string{"NO_COLOR=1", "SCALELAB_HOME=" + t.TempDir()}, binary(t), "--no-lab")
		tt.waitFor("The Situation", "0/15 answered")
		tt.keys("n", "n", "n", "n", "n") // Step 3, where the paragraph is on the first screen
		tt.waitStatus("step 6/" + itoa(len(content.Builtin().Steps)))
		s := tt.waitFor("let every request")
		for _, l := range strings.Split(s, "\n") {
			if w := strings.Fields(strings.Trim(l, " │▌")); len(w) == 1 && (w[0] == "borrow" || w[0] == "a") {
				t.Fatalf("at %dx%d a word is alone on its line:\n%s", size[0], size[1], s)
			}
		}
		tt.keys("q")
		tt.waitGone()
	}
}
