package e2e

import (
	"os"
	"path/filepath"
	"testing"
)

// The series: `scalelab` opens Scenario 1 the first time; o, then Enter on Scenario 2, opens
// Scenario 2 in the same process; the next `scalelab` opens Scenario 2, the one last worked in.
func TestSeriesMoveAndReopen(t *testing.T) {
	tt := newTerm(t)
	home := t.TempDir()
	env := []string{"SCALELAB_HOME=" + home}
	tt.start(100, 30, env, binary(t), "--no-lab")
	tt.waitFor("Scenario 1: The Single Server Problem")
	tt.keys("o")
	tt.waitFor("Scenario 2")
	tt.keys("j", "Enter")
	tt.waitFor("scalelab · Scenario 2: Load Balancing")
	tt.keys("q")
	tt.waitGone()
	if _, err := os.Stat(filepath.Join(home, "worksheets", scenario2+".json")); err != nil {
		t.Fatalf("Scenario 2's worksheet: %v", err)
	}

	tt.start(100, 30, env, binary(t), "--no-lab")
	tt.waitFor("scalelab · Scenario 2: Load Balancing")
	tt.keys("q")
	tt.waitGone()
}
