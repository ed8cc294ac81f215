package content

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestGoSnippetsMatchTheLab: a Go snippet in the built-in scenario that shows a whole
// function of the lab's feed API (it declares `func name(`) shows that function's real
// lines, comments included, so what the learner reads is the code that runs. Indentation
// may differ (the scenario indents with spaces, gofmt with tabs); "// ..." marks a cut, and
// a trailing comment may be left off where the line would not fit in 78 columns.
func TestGoSnippetsMatchTheLab(t *testing.T) {
	dir := filepath.Join("..", "lab", "feed")
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no Go files in %s (%v)", dir, err)
	}
	src := map[string][]string{} // file -> trimmed lines
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range strings.Split(string(b), "\n") {
			src[f] = append(src[f], strings.TrimSpace(l))
		}
	}
	reFunc := regexp.MustCompile(`^func (?:\([^)]*\) )?(\w+)\(`)
	lines := Builtin().Lines
	checked := 0
	for i := 0; i < len(lines); i++ {
		if strings.TrimSpace(lines[i]) != "```go" {
			continue
		}
		start := i + 1
		for i++; i < len(lines) && strings.TrimSpace(lines[i]) != "```"; i++ {
		}
		block := lines[start:i]
		var fn string
		for _, l := range block {
			if m := reFunc.FindStringSubmatch(strings.TrimSpace(l)); m != nil {
				fn = m[1]
				break
			}
		}
		if fn == "" {
			continue
		}
		var file string
		for f, ls := range src {
			for _, l := range ls {
				if m := reFunc.FindStringSubmatch(l); m != nil && m[1] == fn {
					file = f
				}
			}
		}
		if file == "" {
			t.Errorf("line %d: the snippet shows func %s, which no file in %s declares", start, fn, dir)
			continue
		}
		checked++
		for j, l := range block {
			l = strings.TrimSpace(l)
			if l == "" || l == "// ..." {
				continue
			}
			found := false
			for _, r := range src[file] {
				code, _, _ := strings.Cut(r, " //")
				if r == l || strings.TrimSpace(code) == l {
					found = true
					break
				}
			}
			if !found {
				t.Errorf("line %d: %q is not a line of %s", start+j+1, l, filepath.Base(file))
			}
		}
	}
	if checked == 0 {
		t.Fatal("no Go snippet of a lab function found in the built-in scenario")
	}
}
