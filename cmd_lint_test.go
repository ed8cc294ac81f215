package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// runLintCmd runs `scalelab lint args...` through the dispatcher and returns the exit code,
// the report and what went to stderr.
func runLintCmd(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	old := lintOut
	lintOut = &out
	defer func() { lintOut = old }()
	code := run(append([]string{"lint"}, args...), &errb)
	return code, out.String(), errb.String()
}

func TestLintBuiltin(t *testing.T) {
	code, out, _ := runLintCmd(t)
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	for _, want := range []string{"step 1", "step 5", "Q3   guess", "Q7   slots(3)", "fillable step2-metric", "fillable step4-run",
		"task [ ] shared-pool", "#no-delay", "action   apply-fix", "action   explain-query", "action   reset",
		"12 sections (5 steps), 15 questions, 6 tables (4 fillable)", "4 tasks, 21 actions, 4 images (4 drawn)", "ok"} {
		if !strings.Contains(out, want) {
			t.Errorf("lint output lacks %q:\n%s", want, out)
		}
	}
	for i, l := range strings.Split(out, "\n") {
		if n := len([]rune(l)); n > 80 {
			t.Errorf("line %d is %d columns: %q", i+1, n, l)
		}
	}
}

// seedFile is the original scenario's path. It lives outside the repository: missing, the
// test skips, but fails in CI (the CI variable set), where shared/ is checked out beside the
// clone (as content's readSeed).
func seedFile(t *testing.T) string {
	t.Helper()
	p := filepath.Join("..", "shared", "seeds", "scenario-01-single-server.md")
	if _, err := os.Stat(p); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("original scenario not found at %s, and CI is set: check out shared/ beside the repository (%v)", p, err)
		}
		t.Skipf("original scenario not found at %s (in CI this fails): %v", p, err)
	}
	return p
}

func TestLintSeedJSON(t *testing.T) {
	seed := seedFile(t)
	code, out, _ := runLintCmd(t, seed, "--json")
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	var rep lintReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	c := rep.Counts
	if !rep.OK || c.Steps != 5 || c.Questions != 9 || c.Fillable != 2 || c.Tasks != 4 || c.Actions != 6 || c.Drawn != 3 {
		t.Errorf("counts %+v", c)
	}
	var kinds []string
	for _, st := range rep.Steps {
		for _, q := range st.Questions {
			kinds = append(kinds, q.Kind)
		}
	}
	if got := strings.Join(kinds, ","); got != "answer,answer,guess,answer,answer,answer,slots,answer,answer" {
		t.Errorf("question kinds %s", got)
	}
}

func TestLintErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.md")
	os.WriteFile(bad, []byte("# T\n\n## Step 1 — A\n\n**Q1: Why?**\n\nno fence\n\n## Step 3 — B\n\n| a | b |\n|---|---|\n| 1 |\n"), 0o644)
	code, out, _ := runLintCmd(t, bad)
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	for _, want := range []string{bad + ":5: error: Q1 has no answer fence", bad + ":9: error: steps out of order", bad + ":13: error: table row has 1 cells", "3 problem(s)"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	code, out, _ = runLintCmd(t, "--json", bad)
	var rep lintReport
	if json.Unmarshal([]byte(out), &rep) != nil || code != 1 || rep.OK || len(rep.Errors) != 3 || rep.Errors[0].Line != 5 {
		t.Errorf("json errors: exit %d %s", code, out)
	}
	code, _, errOut := runLintCmd(t, filepath.Join(dir, "missing.md"))
	if code != 1 || !strings.Contains(errOut, "check the path") {
		t.Errorf("missing file: exit %d, %q", code, errOut)
	}
}

// TestLintJSONKeys: every key of `lint --json` is snake_case, the counts and meta included.
func TestLintJSONKeys(t *testing.T) {
	code, out, _ := runLintCmd(t, "--json")
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	var v map[string]any
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	snake := regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	var walk func(path string, x any)
	walk = func(path string, x any) {
		switch x := x.(type) {
		case map[string]any:
			for k, e := range x {
				if !snake.MatchString(k) {
					t.Errorf("key %q at %s is not snake_case", k, path)
				}
				walk(path+"."+k, e)
			}
		case []any:
			for i, e := range x {
				walk(fmt.Sprintf("%s[%d]", path, i), e)
			}
		}
	}
	walk("$", v)
	counts, _ := v["counts"].(map[string]any)
	if counts["sections"] == nil || counts["drawn"] == nil {
		t.Errorf("counts = %v, want sections ... drawn", counts)
	}
	meta, _ := v["meta"].([]any)
	if len(meta) == 0 {
		t.Fatalf("no meta in %s", out)
	}
	if m, _ := meta[0].(map[string]any); m["key"] == nil || m["value"] == nil {
		t.Errorf("meta[0] = %v, want key and value", meta[0])
	}
}

// TestLintNoSections: a file without `## ` sections is an error, as `scalelab open` refuses it.
func TestLintNoSections(t *testing.T) {
	f := filepath.Join(t.TempDir(), "flat.md")
	if err := os.WriteFile(f, []byte("\n# Only a title\n\nSome text, no sections.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, _ := runLintCmd(t, f)
	if code != 1 || !strings.Contains(out, f+":2: error: no `## ` sections") || !strings.Contains(out, "add sections") || strings.Contains(out, "\nok") {
		t.Errorf("exit %d, want 1 and the error at line 2:\n%s", code, out)
	}
	code, out, _ = runLintCmd(t, "--json", f)
	var rep lintReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil || code != 1 || rep.OK || len(rep.Errors) != 1 || rep.Errors[0].Line != 2 {
		t.Errorf("json: exit %d, %v\n%s", code, err, out)
	}
}

// TestLintIntro: what the intro (before the first section) holds is reported, as the reader
// shows it.
func TestLintIntro(t *testing.T) {
	f := filepath.Join(t.TempDir(), "intro.md")
	src := "# T\n\n![the lab](images/architecture.png)\n\n**Q1: Why?**\n\n```\nYour answer:\n```\n\n```bash\nscalelab loadtest\n```\n\n## Step 1 — A\n\nText.\n"
	if err := os.WriteFile(f, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, _ := runLintCmd(t, f)
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	for _, want := range []string{"intro", "Q1   answer", "action   loadtest", "image    images/architecture.png", "1 questions", "1 actions, 1 images"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	_, out, _ = runLintCmd(t, "--json", f)
	var rep lintReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Intro == nil || len(rep.Intro.Questions) != 1 || len(rep.Intro.Actions) != 1 || len(rep.Intro.Images) != 1 || rep.Counts.Questions != 1 {
		t.Errorf("intro %+v counts %+v", rep.Intro, rep.Counts)
	}
}

// hostileLint is a scenario (and a file name) whose text tries to command the terminal.
const hostileLint = "# Title \x1b]0;owned\x07\n\n**Time:** 45\x1b[2J min\n\n## Step 1 — Go \u009b2J\n\n" +
	"**Q1: Why \x1b]52;c;cm0gLXJmIH4K\x07?**\n\n```\nYour answer:\n```\n\n" +
	"| Metric \x1b[5m | Value |\n| --- | --- |\n| Success\x08\x08 | |\n\n- [ ] tick \x1bc <!-- tag\x07 -->\n\n" +
	"```bash\nscalelab loadtest \x1b[?1049h\n```\n\n![pic\x1b]8;;x\x07](assets/none\x1b[K.svg)\n"

func TestLintPrintsNoControlSequences(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct{ name, src string }{
		{"ok", hostileLint},
		{"errors", hostileLint + "\n# second \x1b]0;t\x07 title\n"},
	} {
		file := filepath.Join(dir, c.name+"\x1b]0;pwned\x07.md")
		if err := os.WriteFile(file, []byte(c.src), 0o600); err != nil {
			t.Fatal(err)
		}
		for _, args := range [][]string{{file}, {file, "--json"}} {
			_, out, errOut := runLintCmd(t, args...)
			if c.name == "ok" && !strings.Contains(out, "Title") {
				t.Errorf("%s %v: report lacks the title:\n%s", c.name, args[1:], out)
			}
			if strings.Contains(out, `\u001b`) || strings.Contains(out, `\u0007`) {
				t.Errorf("%s %v: JSON keeps an escaped control:\n%s", c.name, args[1:], out)
			}
			for what, s := range map[string]string{"stdout": out, "stderr": errOut} {
				for i, r := range s {
					if (r < 0x20 && r != '\n' && r != '\t') || (r >= 0x7f && r <= 0x9f) {
						t.Errorf("%s %v: %s has %U at byte %d:\n%q", c.name, args[1:], what, r, i, s)
						break
					}
				}
			}
		}
	}
	_, _, errOut := runLintCmd(t, filepath.Join(dir, "missing\x1b[2J.md"))
	if strings.ContainsRune(errOut, 0x1b) || !strings.Contains(errOut, "check the path") {
		t.Errorf("missing file: %q", errOut)
	}
}

func TestLintHintConditions(t *testing.T) {
	code, out, _ := runLintCmd(t)
	if code != 0 || !strings.Contains(out, "hint     restart-pending        No change after Fix 1") ||
		!strings.Contains(out, "hint     other-max-connections") {
		t.Errorf("built-in: exit %d, hints not listed:\n%s", code, out)
	}
	bad := filepath.Join(t.TempDir(), "bad.md")
	os.WriteFile(bad, []byte("# T\n\n## Step 1 — A\n\n| Problem | Fix |\n| --- | --- |\n| Slow | Wait | <!-- when: restart-pending -->\n"+
		"| Odd | Look | <!-- when: moon-phase -->\n"), 0o600)
	code, out, _ = runLintCmd(t, bad)
	want := bad + `:8: error: row ("Odd") names the condition "moon-phase", which the lab does not know: use one of restart-pending, index-exists, run-while-down, other-max-connections`
	if code != 1 || !strings.Contains(out, want) || strings.Count(out, "error:") != 1 {
		t.Errorf("exit %d, want 1 and %q:\n%s", code, want, out)
	}
	code, out, _ = runLintCmd(t, bad, "--json")
	var rep lintReport
	if json.Unmarshal([]byte(out), &rep) != nil || code != 1 || len(rep.Errors) != 1 || rep.Errors[0].Line != 8 {
		t.Errorf("json: exit %d %s", code, out)
	}
}

// A scenario naming a lab this build does not have is refused by lint and by open, with its
// line and the labs there are.
func TestUnknownLabScenarioRefused(t *testing.T) {
	t.Setenv("SCALELAB_HOME", t.TempDir())
	bad := filepath.Join(t.TempDir(), "two.md")
	os.WriteFile(bad, []byte("# Two\n\n**Lab:** load-balanced\n\n## Step 1 — A\n\nText.\n"), 0o600)
	code, out, _ := runLintCmd(t, bad)
	want := bad + `:3: error: **Lab:** load-balanced: no lab named "load-balanced" in this build (labs: `
	if code != 1 || !strings.Contains(out, want) || !strings.Contains(out, "single-server") {
		t.Errorf("lint: exit %d, want 1 and %q:\n%s", code, want, out)
	}
	var errb bytes.Buffer
	code = run([]string{"open", bad, "--no-lab", "--plain"}, &errb)
	want = bad + `:3: **Lab:** load-balanced: no lab named "load-balanced" in this build (labs: `
	if code != 1 || !strings.Contains(errb.String(), want) {
		t.Errorf("open: exit %d, want 1 and %q:\n%s", code, want, errb.String())
	}
	// the lab it names is the one its actions and conditions are checked against
	good := filepath.Join(t.TempDir(), "one.md")
	os.WriteFile(good, []byte("# One\n\n**Lab:** single-server\n\n## Step 1 — A\n\n```bash\nscalelab kill-db\n```\n"), 0o600)
	if code, out, _ := runLintCmd(t, good); code != 0 || !strings.Contains(out, "action   kill-db") {
		t.Errorf("lint of a scenario naming its lab: exit %d:\n%s", code, out)
	}
}

// Each command block names an action of the lab: one it does not have is refused at its line,
// with the names it has.
func TestLintUnknownAction(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.md")
	os.WriteFile(bad, []byte("# T\n\n## Step 1 — A\n\n```bash\nscalelab start-db\n```\n\n```bash\nscalelab fly-away --far\n```\n"), 0o600)
	code, out, _ := runLintCmd(t, bad)
	want := bad + ":10: error: `scalelab fly-away --far` runs \"fly-away\", which the single-server lab does not have: use one of loadtest, load, start, serve, restart, apply-fix"
	if code != 1 || !strings.Contains(out, want) || strings.Count(out, "error:") != 1 {
		t.Errorf("exit %d, want 1 and %q:\n%s", code, want, out)
	}
}
