package tui

import (
	"bytes"
	"strings"
	"testing"

	"scalelab/content"
)

// A Stuck? hint in plain mode: the scenario's own row when it has one naming the condition, the
// built-in scenario's row otherwise (one source of the sentences), and never a key plain mode
// does not have ("Enter on `scalelab serve`").
func TestPlainStuckHints(t *testing.T) {
	for _, tc := range []struct {
		name string
		sc   *content.Scenario
	}{
		{"built-in", content.Builtin()},
		{"a scenario without Stuck? rows", testScenario(t)},
	} {
		var out bytes.Buffer
		p := &plainSession{sc: tc.sc, out: &errWriter{w: &out}, width: 100, held: map[string]bool{}}
		p.showHints(map[string]bool{HintRestartPending: true, HintIndexExists: true})
		text := out.String()
		mustContain(t, text, "Stuck? No change after Fix 1: Restart the API", "Stuck? scalelab apply-fix fails: The index may exist already")
		if strings.Contains(strings.ToLower(text), "enter on") || strings.Contains(text, "`") {
			t.Errorf("%s: a hint names a key or markup plain mode does not have:\n%s", tc.name, text)
		}
		p.showHints(map[string]bool{HintRestartPending: true, HintIndexExists: true})
		if out.String() != text {
			t.Errorf("%s: a hint still holding was said again:\n%s", tc.name, out.String())
		}
	}
}
