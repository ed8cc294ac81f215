package tui

import (
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	xansi "github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"

	"scalelab/lab"
	"scalelab/lab/singleserver"
)

// screenGolden compares a screen's frame with testdata/<name>.golden (-update rewrites it).
func screenGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if f := flag.Lookup("update"); f != nil && f.Value.String() == "true" {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run the test with -update to write it)", err)
	}
	if got != string(want) {
		t.Fatalf("frame differs from %s (-update rewrites it)\n--- got:\n%s\n--- want:\n%s", path, got, want)
	}
}

// testCommon is the shared state a screen needs, without an app around it.
func testCommon(t testing.TB) *common {
	t.Helper()
	sc := testScenario(t)
	c := &common{styles: NewStyles(ThemeDefault, false), keys: DefaultKeyMap(), scenario: sc,
		sheet: newSheet(nil, "", sc.ID)}
	return withLab(c, singleServer(t))
}

// codeLab gives the code view Scenario 1's lab as it starts with the applied settings (their
// knobs decide the lines that run) and a status line naming them.
func codeLab(t *testing.T, v *codeView, status string, applied ...string) {
	t.Helper()
	l, err := lab.New("single-server", lab.Config{Applied: applied})
	if err != nil {
		t.Fatal(err)
	}
	withLab(v.c, l)
	v.Update(LabStatusMsg{Text: status})
}

func press(s screen, keys ...string) {
	for _, k := range keys {
		s.Update(keyMsg(k))
	}
}

// sourceLine returns a line of an embedded handler file that holds want (as the view shows
// it: tabs expanded), failing when the file has none: the test reads what really runs.
func sourceLine(t *testing.T, file, want string) string {
	t.Helper()
	fsys, _ := singleServer(t).(lab.CodeViewer).Code()
	b, err := fs.ReadFile(fsys, file)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.Contains(l, want) {
			return strings.TrimSpace(strings.ReplaceAll(l, "\t", codeTab))
		}
	}
	t.Fatalf("%s has no line with %q", file, want)
	return ""
}

// scrollTo presses j until want is on screen (the handler files change: no line numbers here).
func scrollTo(t *testing.T, v *codeView, want string) string {
	t.Helper()
	press(v, "g")
	for i := 0; i <= len(v.display()); i++ {
		if f := v.View(); strings.Contains(f, want) {
			return f
		}
		press(v, "j")
	}
	t.Fatalf("%q never shows in %s:\n%s", want, v.files[v.cur].name, strings.Join(v.display(), "\n"))
	return ""
}

func TestCodeViewShowsTheRunningSource(t *testing.T) {
	v := newCodeView(testCommon(t))
	v.SetSize(80, 21)
	view := v.View()
	// before any sample: handlers.go, opened at its code (past the imports), the real lines
	mustContain(t, view, "running: waiting for the lab", "1 handlers.go", sourceLine(t, "handlers.go", "type Post struct {"))
	if strings.Contains(view, "package feed") {
		t.Fatalf("the file should open past its imports:\n%s", view)
	}
	press(v, "g")
	mustContain(t, v.View(), " 1  package feed", "import (")

	codeLab(t, v, "API 127.0.0.1:3000 broken")
	view = scrollTo(t, v, "return app.perRequestDB()")
	mustContain(t, view, "running: API 127.0.0.1:3000 broken", "▶ marks the lines that run with the lab's settings now")
	// the branch of getDB that runs is marked
	if !strings.Contains(view, "▶     return app.perRequestDB()") || strings.Contains(view, "▶         return app.sharedDB()") {
		t.Fatalf("the per-request branch is not marked as running:\n%s", view)
	}

	// 2 switches to the broken connect file: its real code
	press(v, "2")
	mustContain(t, v.View(), "2 connect_per_request.go ●")
	scrollTo(t, v, sourceLine(t, "connect_per_request.go", "func getDbConnection("))
	if !strings.HasPrefix(v.Status(), "code · connect_per_request.go · ") {
		t.Fatalf("status %q", v.Status())
	}
	// tab goes on to the shared file, which does not run with the broken knobs
	press(v, "tab")
	mustContain(t, v.View(), "no line of connect_shared.go runs differently with the lab's settings now")
	scrollTo(t, v, sourceLine(t, "connect_shared.go", "func newSharedPool("))

	// one Fix 1 change at a time: the markers follow the knobs
	v.SetSize(80, 60)
	press(v, "2")
	marked := func(text string) bool {
		for _, l := range v.display() {
			if strings.Contains(l, "▶") && strings.Contains(l, text) {
				return true
			}
		}
		return false
	}
	if !marked("return db, func() { app.closePool(db) }, nil") || marked("return db, func() {}, nil") {
		t.Fatalf("broken: the pool is closed after the request:\n%s", strings.Join(v.display(), "\n"))
	}
	codeLab(t, v, "API custom", "no-close")
	if marked("return db, func() { app.closePool(db) }, nil") || !marked("return db, func() {}, nil") {
		t.Fatalf("no close: the pool leaks:\n%s", strings.Join(v.display(), "\n"))
	}
	press(v, "1")
	if !marked("sleep(ctx, app.knobs.SlowQuery)") {
		t.Fatal("the slow query runs with the broken knobs")
	}
	codeLab(t, v, "API custom", "no-close", "no-delay")
	if marked("sleep(ctx, app.knobs.SlowQuery)") {
		t.Fatal("no delay: the slow query is not marked")
	}
	v.SetSize(80, 21)

	// Fix 1: the shared file runs, the marker moves
	codeLab(t, v, "API 127.0.0.1:3000 fixed", "preset:fixed")
	view = v.View()
	mustContain(t, view, "running: API 127.0.0.1:3000 fixed", "1 handlers.go ●")
	v.SetSize(80, 21)
	press(v, "1")
	if view = scrollTo(t, v, "return app.perRequestDB()"); !strings.Contains(view, "▶         return app.sharedDB()") {
		t.Fatalf("the shared branch is not marked as running:\n%s", view)
	}
	// left wraps around to the last file
	press(v, "left")
	mustContain(t, v.View(), "4 classify.go")
	sourceLine(t, "classify.go", "func classify(err error") // wraps at 80: look for its start
	scrollTo(t, v, "func classify(err error")
}

func TestCodeViewScrolls(t *testing.T) {
	v := newCodeView(testCommon(t))
	v.SetSize(80, 21)
	v.View()
	if v.off == 0 {
		t.Fatal("handlers.go should open past its imports")
	}
	press(v, "g")
	top := v.View()
	press(v, "j")
	if v.off != 1 {
		t.Fatalf("j: offset %d", v.off)
	}
	press(v, "space")
	if v.off != 1+v.codeHeight()-1 {
		t.Fatalf("space: offset %d", v.off)
	}
	press(v, "G")
	rows := v.display()
	if v.off != len(rows)-v.codeHeight() {
		t.Fatalf("G: offset %d of %d rows", v.off, len(rows))
	}
	// the last line of handlers.go is on screen
	mustContain(t, v.View(), sourceLine(t, "handlers.go", "case <-ctx.Done():"))
	press(v, "b", "g")
	if v.off != 0 || v.View() != top {
		t.Fatalf("g: offset %d", v.off)
	}
	press(v, "k")
	if v.off != 0 {
		t.Fatalf("k at the top: offset %d", v.off)
	}
	// every row fits the width, wrapped lines included
	for _, w := range []int{80, 120} {
		v.SetSize(w, 37)
		for i, l := range strings.Split(v.View(), "\n") {
			if lw := len([]rune(l)); lw != w {
				t.Fatalf("width %d: row %d is %d wide: %q", w, i, lw, l)
			}
		}
	}
}

// f puts the file beside the next one: the broken connect file (2) beside the shared one (3).
func TestCodeViewSideBySide(t *testing.T) {
	v := newCodeView(testCommon(t))
	codeLab(t, v, "API broken")
	perReq := sourceLine(t, "connect_per_request.go", "app.track(db)")
	shared := sourceLine(t, "connect_shared.go", "return app.shared, func() {}, nil")

	// wide: two columns, the same row holds both files
	v.SetSize(120, 37)
	press(v, "2", "f")
	view := v.View()
	mustContain(t, view, "connect_per_request.go", "connect_shared.go")
	var both bool
	for _, l := range strings.Split(view, "\n") {
		if strings.Contains(l, "connect_per_request.go") && strings.Contains(l, "connect_shared.go") {
			both = true
		}
	}
	if !both {
		t.Fatalf("not two columns at 120:\n%s", view)
	}
	press(v, "G")
	mustContain(t, v.View(), "func (app *app) perRequestDB()")
	if !strings.Contains(v.Status(), "beside") {
		t.Fatalf("status %q", v.Status())
	}

	// narrow: stacked, one header each; both files reachable by scrolling
	v.SetSize(80, 21)
	press(v, "g")
	view = v.View()
	mustContain(t, view, "── connect_per_request.go")
	if strings.Contains(view, "── connect_shared.go") {
		t.Fatalf("stacked: the shared file should be below the fold at 80x21:\n%s", view)
	}
	for i := 0; i < len(v.display()) && !strings.Contains(v.View(), "── connect_shared.go"); i++ {
		press(v, "j")
	}
	mustContain(t, v.View(), "── connect_shared.go")
	press(v, "G")
	mustContain(t, v.View(), shared)
	press(v, "g")
	all := strings.Join(v.display(), "\n")
	mustContain(t, all, perReq, shared)

	// f again: back to the file shown before
	press(v, "f")
	mustContain(t, v.View(), "2 connect_per_request.go")
}

func TestCodeViewGoldens(t *testing.T) {
	for _, tc := range []struct {
		name string
		w, h int
		keys []string
	}{
		{"codeview_80x24", 80, 24, nil},
		{"codeview_120x40", 120, 40, []string{"2"}},
		{"codeview_side_80x24", 80, 24, []string{"2", "f"}},
		{"codeview_side_120x40", 120, 40, []string{"2", "f"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// the real handler files: an edit of lab/feed's handlers shows here (go test -update)
			v := newCodeView(testCommon(t))
			v.SetSize(tc.w, tc.h-3) // the app's body: header, status and help lines are the root's
			codeLab(t, v, "PG 15 :5433 · API 127.0.0.1:3000 broken · no index · 10,000 rows · stage: Broken")
			press(v, tc.keys...)
			screenGolden(t, tc.name, v.View())
		})
	}
}

func TestCodeViewThemes(t *testing.T) {
	c := testCommon(t)
	v := newCodeView(c)
	v.SetSize(80, 21)
	before := v.View()
	for _, st := range []*Styles{NewStyles(ThemeProjector, false), NewStyles(ThemeDefault, true)} {
		*c.styles = *st
		v.Update(themeChangedMsg{})
		if got := v.View(); got != before { // the Ascii profile in tests: same text in every theme
			t.Fatalf("theme %v noColor %v changed the text:\n%s", st.Theme, st.NoColor, got)
		}
	}
	if cmd := v.Update(tea.WindowSizeMsg{Width: 80, Height: 24}); cmd != nil {
		t.Fatal("the code view has nothing to do on a resize")
	}
}

// With colour on (escape sequences in every row) and in every theme, the three screens still
// draw exactly their size: wrapping styled code and plans must not spill or shrink a row.
func TestScreensFitWithColour(t *testing.T) {
	lipgloss.SetColorProfile(termenv.ANSI256)
	defer lipgloss.SetColorProfile(termenv.Ascii)
	seq := lab.Plan{Kind: "Seq Scan", Execution: 3 * time.Millisecond, Text: "Limit  (cost=484.10..484.15 rows=20 width=63) (actual time=1.238..1.240 rows=20 loops=1)\n" +
		"  ->  Sort  (cost=484.10..509.10 rows=10000 width=63) (actual time=1.236..1.237 rows=20 loops=1)\n" +
		"        ->  Seq Scan on posts  (cost=0.00..218.00 rows=10000 width=63) (actual time=0.006..0.688 rows=10000 loops=1)\n" +
		"Execution Time: 3.000 ms"}
	idx := lab.Plan{Kind: "Index Scan", Good: true, Execution: 50 * time.Microsecond, Text: "Limit  (cost=0.29..1.77 rows=20 width=63) (actual time=0.007..0.022 rows=20 loops=1)\n" +
		"  ->  Index Scan using posts_created_at_idx on posts  (cost=0.29..742.21 rows=10000 width=63) (actual time=0.006..0.019 rows=20 loops=1)\n" +
		"Execution Time: 0.050 ms"}
	for _, st := range []*Styles{NewStyles(ThemeDefault, false), NewStyles(ThemeProjector, false), NewStyles(ThemeDefault, true)} {
		c := testCommon(t)
		*c.styles = *st
		cv := newCodeView(c)
		codeLab(t, cv, "API broken")
		ev := newExplainView(c)
		ev.Update(ExplainMsg{Plan: seq})
		ev.Update(ExplainMsg{Plan: idx})
		rv := loaded(t, testHistory(t, resultsRun(singleserver.StageBroken, 0), resultsRun(singleserver.StageFix1, time.Minute)), 80, 21)
		rv.c = c
		for _, size := range [][2]int{{80, 21}, {120, 37}} {
			for name, s := range map[string]screen{"code": cv, "explain": ev, "results": rv} {
				s.SetSize(size[0], size[1])
				for _, keys := range [][]string{nil, {"f"}, {"G"}, {"f"}} {
					press(s, keys...)
					rows := strings.Split(s.View(), "\n")
					if len(rows) != size[1] {
						t.Fatalf("%s %v theme %v: %d rows", name, size, st.Theme, len(rows))
					}
					for i, r := range rows {
						if w := xansi.StringWidth(r); w != size[0] {
							t.Fatalf("%s %v theme %v noColor %v keys %v: row %d is %d wide: %q", name, size, st.Theme, st.NoColor, keys, i, w, r)
						}
					}
				}
			}
		}
	}
}
