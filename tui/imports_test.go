package tui

import (
	"os/exec"
	"strings"
	"testing"
)

// tuiLabImports are the packages of scalelab/lab/... that the workshop may import: the contract
// and the parts every lab shares. A lab's own package (lab/singleserver, its feed API, its
// tables) is reached through the contract only.
var tuiLabImports = map[string]bool{
	"scalelab/lab":           true,
	"scalelab/lab/load":      true,
	"scalelab/lab/telemetry": true,
	"scalelab/lab/numfmt":    true,
	"scalelab/lab/running":   true,
	"scalelab/lab/home":      true,
}

// The workshop imports no lab-specific package, directly or through another package.
func TestTUIImportsNoLabPackage(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "scalelab/tui").Output()
	if err != nil {
		t.Fatalf("go list -deps scalelab/tui: %v", err)
	}
	for _, p := range strings.Fields(string(out)) {
		if (p == "scalelab/lab" || strings.HasPrefix(p, "scalelab/lab/")) && !tuiLabImports[p] {
			t.Errorf("scalelab/tui depends on %s: reach a lab through the contract (scalelab/lab)", p)
		}
	}
}
