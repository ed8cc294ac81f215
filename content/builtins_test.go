package content

import "testing"

// Every built-in scenario passes Check, parses, names its lab and has its steps.
func TestBuiltins(t *testing.T) {
	all := Builtins()
	if len(all) != len(BuiltinFiles) || all[0] != Builtin() {
		t.Fatalf("%d built-ins, the first %p (Builtin %p)", len(all), all[0], Builtin())
	}
	labs := map[string]bool{}
	for i, s := range all {
		src, _ := Files.ReadFile(BuiltinFiles[i])
		if errs := Check(BuiltinFiles[i], src); len(errs) > 0 {
			t.Errorf("%s: %v", BuiltinFiles[i], errs)
		}
		if s.Lab == "" || labs[s.Lab] {
			t.Errorf("%s: lab %q (twice, or none)", BuiltinFiles[i], s.Lab)
		}
		labs[s.Lab] = true
		if len(s.Steps) < 5 {
			t.Errorf("%s: %d sections", BuiltinFiles[i], len(s.Steps))
		}
	}
	if s := all[1]; s.Lab != "load-balancing" {
		t.Errorf("Scenario 2 runs lab %q", s.Lab)
	}
}
