package tui

import (
	"errors"
	"slices"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/golden"

	"scalelab/content"
	"scalelab/content/worksheet"
)

// The screens at the two reference sizes: the first step, and Step 1 with Q1 answered and focused.
func TestGoldenScreens(t *testing.T) {
	for _, size := range []struct{ w, h int }{{80, 24}, {120, 40}} {
		name := strings.ReplaceAll(strings.TrimSpace(itoaSize(size.w, size.h)), " ", "")
		t.Run(name+"/start", func(t *testing.T) {
			dir := testHome(t)
			a := newTestApp(t, worksheet.PathFor(dir, "workshop"))
			rendered := watchRenders(a)
			tm := start(t, a, size.w, size.h)
			waitRendered(t, rendered, 0)
			waitText(t, tm, "small feed API")
			_, view := finalView(t, tm)
			golden.RequireEqual(t, []byte(view))
		})
		t.Run(name+"/answered", func(t *testing.T) {
			dir := testHome(t)
			a := newTestApp(t, worksheet.PathFor(dir, "workshop"))
			rendered := watchRenders(a)
			tm := start(t, a, size.w, size.h)
			waitText(t, tm, "small feed API")
			send(tm, "n")
			waitRendered(t, rendered, 1)
			waitText(t, tm, "Read the handler")
			send(tm, "tab", "enter")
			tm.Type("It opens a pool per request.")
			send(tm, "esc")
			waitText(t, tm, "saved ~/")
			_, view := finalView(t, tm)
			golden.RequireEqual(t, []byte(view))
		})
	}
}

func itoaSize(w, h int) string { return strings.Join([]string{itoa(w), itoa(h)}, "x") }

func itoa(n int) string {
	s := ""
	for n > 0 {
		s = string(rune('0'+n%10)) + s
		n /= 10
	}
	return s
}

func TestTooSmallWindow(t *testing.T) {
	dir := testHome(t)
	path := worksheet.PathFor(dir, "workshop")
	tm := start(t, newTestApp(t, path), 60, 20)
	waitText(t, tm, "too small")
	// typing while too small changes nothing; growing the window brings the reader back
	send(tm, "tab", "enter", "x")
	tm.Send(tea.WindowSizeMsg{Width: 80, Height: 24})
	waitText(t, tm, "small feed API")
	tm.Send(tea.WindowSizeMsg{Width: 79, Height: 30})
	waitText(t, tm, "79×30")
	_, view := finalView(t, tm)
	mustContain(t, view, "at least 80×24", "this one is 79×30", "Nothing is lost")
	golden.RequireEqual(t, []byte(view))
}

// navigate, answer, quit; start again with the same worksheet: same step, answer on screen.
func TestAnswerQuitRestart(t *testing.T) {
	dir := testHome(t)
	path := worksheet.PathFor(dir, "workshop")

	tm := start(t, newTestApp(t, path), 80, 24)
	waitText(t, tm, "small feed API")
	send(tm, "n")
	waitText(t, tm, "Step 1 — Read the Code")
	send(tm, "tab", "enter")
	waitText(t, tm, "esc/ctrl+s: done")
	tm.Type("A new pool per request")
	send(tm, "esc", "q")
	tm.WaitFinished(t)

	ws := loadSheet(t, path)
	if got := ws.Answers["Q1"]; got != "A new pool per request" {
		t.Fatalf("saved Q1 = %q", got)
	}
	if ws.Step != 1 {
		t.Fatalf("saved step = %d, want 1", ws.Step)
	}

	tm = start(t, newTestApp(t, path), 80, 24)
	waitText(t, tm, "Step 1 — Read the Code", "A new pool per request")
	_, view := finalView(t, tm)
	mustContain(t, view, "A new pool per request", "Your answer: ✓", "1/4 answered")
}

// q while editing is text, not quit; ctrl+c quits from anywhere and the answer is flushed.
func TestQuitKeysWhileEditing(t *testing.T) {
	dir := testHome(t)
	path := worksheet.PathFor(dir, "workshop")
	tm := start(t, newTestApp(t, path), 100, 30)
	waitText(t, tm, "small feed API")
	send(tm, "tab") // the first item is in Step 1: Tab walks on to it
	waitText(t, tm, "enter: write your answer")
	send(tm, "enter")
	tm.Type("queue")
	send(tm, "ctrl+c")
	m := tm.FinalModel(t).(*App)
	if err := m.Flush(); err != nil {
		t.Fatal(err)
	}
	if got := loadSheet(t, path).Answers["Q1"]; got != "queue" {
		t.Fatalf("Q1 = %q, want the typed text with its q", got)
	}
}

// The worksheet is saved while the learner types, without quitting (debounced).
func TestSavedWhileTyping(t *testing.T) {
	dir := testHome(t)
	path := worksheet.PathFor(dir, "workshop")
	tm := start(t, newTestApp(t, path), 80, 24)
	waitText(t, tm, "small feed API")
	send(tm, "tab", "enter")
	tm.Type("typed, not quit")
	waitText(t, tm, "saved ~/")
	if got := loadSheet(t, path).Answers["Q1"]; got != "typed, not quit" {
		t.Fatalf("Q1 on disk while typing = %q", got)
	}
	finalView(t, tm)
}

func TestModelAnswerOnlyAfterOwnAnswer(t *testing.T) {
	testHome(t)
	tm := start(t, newTestApp(t, ""), 80, 24)
	waitText(t, tm, "small feed API")
	send(tm, "tab")
	waitText(t, tm, "opens once you have written yours")
	send(tm, "m")
	waitText(t, tm, "write your own answer first")
	send(tm, "enter")
	tm.Type("one pool each time")
	send(tm, "ctrl+s", "m")
	waitText(t, tm, "Model answer")
	_, view := finalView(t, tm)
	mustContain(t, view, "It makes a new pool with one connection")
}

func TestTasksToggleAndSave(t *testing.T) {
	dir := testHome(t)
	path := worksheet.PathFor(dir, "workshop")
	sc := testScenario(t)
	tm := start(t, newTestApp(t, path), 80, 24)
	waitText(t, tm, "small feed API")
	send(tm, "n", "n", "n")
	waitText(t, tm, "Share one pool")
	send(tm, "tab", "x", "tab", "space")
	waitText(t, tm, "saved ~/")
	_, view := finalView(t, tm)
	mustContain(t, view, "[x] Share one pool", "[x] Remove")
	ws := loadSheet(t, path)
	for _, task := range sc.Tasks() {
		if !ws.Tasks[task.ID] {
			t.Fatalf("task %s not saved as ticked: %v", task.ID, ws.Tasks)
		}
	}
}

func TestCommandWithoutLab(t *testing.T) {
	testHome(t)
	tm := start(t, newTestApp(t, ""), 80, 24)
	waitText(t, tm, "small feed API")
	send(tm, "n", "n")
	waitText(t, tm, "Start the load")
	send(tm, "tab")
	waitText(t, tm, "enter: run `scalelab loadtest`")
	send(tm, "enter")
	waitText(t, tm, "--no-lab")
	_, view := finalView(t, tm)
	mustContain(t, view, "the lab is off (--no-lab): run `scalelab loadtest` in another terminal, or", "restart scalelab without --no-lab")
}

func TestCommandThroughActions(t *testing.T) {
	testHome(t)
	var got []content.Action
	acts := ActionsFunc(func(a content.Action) tea.Cmd {
		got = append(got, a)
		return func() tea.Msg {
			return ActionDoneMsg{Action: a, Err: errors.New("port 3000 busy: stop the other server")}
		}
	})
	tm := start(t, newTestApp(t, "", func(o *Options) { o.Actions = acts }), 80, 24)
	waitText(t, tm, "small feed API")
	send(tm, "n", "n", "tab", "enter")
	waitText(t, tm, "port 3000 busy")
	finalView(t, tm)
	if len(got) != 1 || got[0].Name != "loadtest" {
		t.Fatalf("actions run: %+v", got)
	}
}

// E on the explain view and L on the results screen are the app's global keys: they run the
// lab's action from there too (the screens have no branch of their own for them).
func TestActionKeysOnLabScreens(t *testing.T) {
	testHome(t)
	a := newTestApp(t, "", func(o *Options) {
		o.Actions = ActionsFunc(func(act content.Action) tea.Cmd {
			return func() tea.Msg { return ActionDoneMsg{Action: act, Summary: "ran " + act.Name} }
		})
		o.Contract = singleServer(t)
	})
	tm := start(t, a, 80, 24)
	waitText(t, tm, "small feed API")
	send(tm, "e")
	waitText(t, tm, "explain · no plan yet")
	send(tm, "E")
	waitText(t, tm, "ran explain-query")
	send(tm, "r")
	waitText(t, tm, "After Fix 2              not measured yet")
	send(tm, "L")
	waitText(t, tm, "ran loadtest")
	finalView(t, tm)
}

func TestStepListOverlayAndSidebar(t *testing.T) {
	testHome(t)
	tm := start(t, newTestApp(t, ""), 80, 24)
	waitText(t, tm, "small feed API")
	send(tm, "s")
	waitText(t, tm, "Steps", "enter: open")
	send(tm, "j", "j", "j", "enter")
	waitText(t, tm, "Share one pool")
	tm.Send(tea.WindowSizeMsg{Width: 120, Height: 40})
	waitText(t, tm, "0/4 questions answered")
	_, view := finalView(t, tm)
	mustContain(t, view, "Step 4 — Reflect", "Step 3 — Fix It")
}

func TestSearchJumpsAcrossSteps(t *testing.T) {
	testHome(t)
	tm := start(t, newTestApp(t, ""), 80, 24)
	waitText(t, tm, "small feed API")
	send(tm, "/")
	tm.Type("sleep")
	send(tm, "enter")
	waitText(t, tm, "Share one pool", "/sleep")
	m, _ := finalView(t, tm)
	if r := m.screens[screenReader].(*reader); r.step != 3 || r.matchLine < 0 {
		t.Fatalf("search landed on step %d line %d", r.step, r.matchLine)
	}
}

func TestProjectorThemeKey(t *testing.T) {
	testHome(t)
	tm := start(t, newTestApp(t, ""), 80, 24)
	waitText(t, tm, "small feed API")
	send(tm, "T")
	waitText(t, tm, "theme: projector")
	m, view := finalView(t, tm)
	mustContain(t, view, "projector ·")
	if m.c.styles.Theme != ThemeProjector {
		t.Fatal("theme did not switch")
	}
}

func TestHelpOverlay(t *testing.T) {
	testHome(t)
	tm := start(t, newTestApp(t, ""), 80, 24)
	waitText(t, tm, "small feed API")
	send(tm, "?")
	waitText(t, tm, "Keys", "ctrl+n")
	send(tm, "esc")
	waitText(t, tm, "small feed API")
	finalView(t, tm)

	// With the lab's keys too, the whole box fits in 80x24: its bottom border and the way out.
	a := newTestApp(t, "", func(o *Options) {
		o.Actions = ActionsFunc(func(content.Action) tea.Cmd { return nil })
		o.Contract = singleServer(t)
	})
	a.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	a.Update(keyMsg("?"))
	v := a.View()
	mustContain(t, v, "The lab", "L loadtest", "X reset", "? or esc closes this help.", "╰────", "────╯")
	// with room, the lab's actions say their help lines
	a.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	mustContain(t, a.View(), "L run a load test against the feed API", "X reset the lab: the broken API")
}

// Text typed fast arrives in chunks; a chunk that reads like a key name ("up") is still text.
func TestChunkedTypingIsText(t *testing.T) {
	testHome(t)
	tm := start(t, newTestApp(t, ""), 80, 24)
	waitText(t, tm, "small feed API")
	send(tm, "tab", "enter")
	waitText(t, tm, "esc/ctrl+s: done")
	for _, chunk := range []string{"most give ", "up", " and ", "enter", " the ", "down", " queue"} {
		tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(chunk)})
	}
	send(tm, "esc")
	m, _ := finalView(t, tm)
	if got := m.c.sheet.ws.Answers["Q1"]; got != "most give up and enter the down queue" {
		t.Fatalf("answer = %q", got)
	}
}

// Outside text fields, keys typed together ("nn") are separate keys.
func TestChunkedKeysAreKeys(t *testing.T) {
	testHome(t)
	tm := start(t, newTestApp(t, ""), 80, 24)
	waitText(t, tm, "small feed API")
	tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("nn")})
	waitText(t, tm, "Step 2 — Run the Load Test")
	finalView(t, tm)
}

// Measured values sent by the lab fill the result table on screen and in the worksheet.
func TestSetTableFillsResults(t *testing.T) {
	dir := testHome(t)
	path := worksheet.PathFor(dir, "workshop")
	sc := testScenario(t)
	var id string
	for _, tb := range sc.Tables() {
		if tb.Fillable {
			id = tb.ID
		}
	}
	tm := start(t, newTestApp(t, path), 80, 24)
	waitText(t, tm, "small feed API")
	send(tm, "n", "n")
	waitText(t, tm, "Success rate")
	tm.Send(SetTableMsg{ID: id, Rows: [][]string{{"Success rate", "12.5%"}, {"p99 latency", "1.42 s"}}})
	waitText(t, tm, "12.5%", "1.42 s")
	waitText(t, tm, "saved ~/")
	finalView(t, tm)
	if got := loadSheet(t, path).Tables[id]; len(got) != 2 || got[0][1] != "12.5%" {
		t.Fatalf("table %s in the worksheet: %v", id, got)
	}
}

// The learner fills in (or corrects) a result table by hand: one line per row.
func TestFillTableByHand(t *testing.T) {
	dir := testHome(t)
	path := worksheet.PathFor(dir, "workshop")
	tm := start(t, newTestApp(t, path), 80, 24)
	waitText(t, tm, "small feed API")
	send(tm, "n", "n", "tab", "tab")
	waitText(t, tm, "enter: fill in or correct")
	send(tm, "enter")
	waitText(t, tm, "Success rate:")
	tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(" 40%"), Paste: true})
	send(tm, "esc")
	waitText(t, tm, "40%")
	m, _ := finalView(t, tm)
	if err := m.Flush(); err != nil {
		t.Fatal(err)
	}
	var got [][]string
	for id, rows := range loadSheet(t, path).Tables {
		if strings.HasPrefix(id, "step2") {
			got = rows
		}
	}
	if len(got) != 2 || got[0][1] != "40%" || got[1][1] != "" {
		t.Fatalf("table rows = %q", got)
	}
}

// tableSheetRows returns the rows of the Step 2 table in the saved worksheet.
func tableSheetRows(t *testing.T, m *App, path string) [][]string {
	t.Helper()
	if err := m.Flush(); err != nil {
		t.Fatal(err)
	}
	for id, rows := range loadSheet(t, path).Tables {
		if strings.HasPrefix(id, "step2") {
			return rows
		}
	}
	return nil
}

// In the table editor line i is row i: Enter goes to the next row and finishes on the last;
// backspace at the start of a row does not join it to the one above.
func TestTableEditorKeepsRows(t *testing.T) {
	dir := testHome(t)
	path := worksheet.PathFor(dir, "workshop")
	tm := start(t, newTestApp(t, path), 80, 24)
	waitText(t, tm, "small feed API")
	send(tm, "n", "n", "tab", "tab")
	waitText(t, tm, "enter: fill in or correct")
	send(tm, "enter")
	waitText(t, tm, "Success rate:")
	tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(" 40%"), Paste: true})
	send(tm, "enter", "home", "backspace")
	tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("x"), Paste: true})
	send(tm, "end")
	tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(" 1.2 s"), Paste: true})
	send(tm, "enter") // on the last row: done
	waitText(t, tm, "1.2 s", "enter: fill in or correct")
	m, _ := finalView(t, tm)
	got := tableSheetRows(t, m, path)
	if len(got) != 2 || got[0][1] != "40%" || got[1][1] != "1.2 s" {
		t.Fatalf("table rows = %q, want 40%% and 1.2 s on their own rows", got)
	}
	if m.screens[screenReader].(*reader).editing {
		t.Errorf("Enter on the last row did not close the editor")
	}
}

// Results that arrive while the table editor is open replace its text; the next key does not
// save the old text over them.
func TestTableEditorReloadsOnSetTable(t *testing.T) {
	dir := testHome(t)
	path := worksheet.PathFor(dir, "workshop")
	sc := testScenario(t)
	var id string
	for _, tb := range sc.Tables() {
		if tb.Fillable {
			id = tb.ID
		}
	}
	tm := start(t, newTestApp(t, path), 80, 24)
	waitText(t, tm, "small feed API")
	send(tm, "n", "n", "tab", "tab")
	waitText(t, tm, "enter: fill in or correct")
	send(tm, "enter")
	waitText(t, tm, "Success rate:")
	tm.Send(SetTableMsg{ID: id, Rows: [][]string{{"Success rate", "12.5%"}, {"p99 latency", "1.42 s"}}})
	send(tm, "end", "left", "right")
	tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("0"), Paste: true})
	send(tm, "esc")
	waitText(t, tm, "12.5%0")
	m, _ := finalView(t, tm)
	got := tableSheetRows(t, m, path)
	if len(got) != 2 || got[0][1] != "12.5%0" || got[1][1] != "1.42 s" {
		t.Fatalf("table rows = %q, want the new results (and the typed 0)", got)
	}
}

// The hints under command blocks and the help bar name the keys the key handler matches: the
// lab's action records give both.
func TestActionHintsFollowKeys(t *testing.T) {
	c := withLab(&common{keys: DefaultKeyMap()}, singleServer(t))
	keyed := 0
	for _, a := range c.lab.Actions() {
		if a.Key == "" {
			if c.actionKeyHint(a.Name) != "" {
				t.Errorf("%s has no key but a key hint %q", a.Name, c.actionKeyHint(a.Name))
			}
			continue
		}
		keyed++
		b, ok := c.actionBinding(a.Name)
		if !ok || !slices.Equal(b.Keys(), []string{a.Key}) {
			t.Fatalf("action %s: binding %v, want its key %s", a.Name, b.Keys(), a.Key)
		}
		want := " (or " + a.Key + ")"
		if c.actionKeyHint(a.Name) != want || c.actionHint(a.Name) != a.Help+want {
			t.Errorf("%s: hints %q / %q, want the help and the key %q", a.Name, c.actionHint(a.Name), c.actionKeyHint(a.Name), a.Key)
		}
		for _, alias := range a.Aliases {
			if c.actionKeyHint(alias) != want {
				t.Errorf("%s's alias %s: hint %q", a.Name, alias, c.actionKeyHint(alias))
			}
		}
	}
	if keyed < 5 || c.actionKeyHint("no-such-action") != "" {
		t.Errorf("%d actions with keys; an unknown action got the hint %q", keyed, c.actionKeyHint("no-such-action"))
	}
}
