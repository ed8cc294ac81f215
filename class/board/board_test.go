package board

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/exp/teatest"
	"github.com/muesli/termenv"

	"scalelab/class/room"
)

func TestMain(m *testing.M) {
	// A fixed colour profile: the frames hold text, so an escape sequence in one came from data.
	lipgloss.SetColorProfile(termenv.Ascii)
	os.Exit(m.Run())
}

// startBoard runs a board on src in a teatest program of size w x h.
func startBoard(t *testing.T, src *chanSource, w, h int) *teatest.TestModel {
	t.Helper()
	t.Cleanup(func() { close(src.done) })
	return teatest.NewTestModel(t, New(src, DefaultOptions()), teatest.WithInitialTermSize(w, h))
}

// feed hands the board's pending Wait its next answer, failing the test if none comes.
func feed(t *testing.T, src *chanSource, snap room.Snapshot, err error) {
	t.Helper()
	select {
	case src.next <- waitResult{snap, err}:
	case <-time.After(5 * time.Second):
		t.Fatal("the board never waited on the source")
	}
}

// waitText waits until the program has drawn every one of want (since the last wait).
func waitText(t *testing.T, tm *teatest.TestModel, want ...string) {
	t.Helper()
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
		for _, w := range want {
			if !bytes.Contains(b, []byte(w)) {
				return false
			}
		}
		return true
	}, teatest.WithDuration(5*time.Second), teatest.WithCheckInterval(5*time.Millisecond))
}

func keys(tm *teatest.TestModel, ks ...tea.KeyType) {
	for _, k := range ks {
		tm.Send(tea.KeyMsg{Type: k})
	}
}

func quit(t *testing.T, tm *teatest.TestModel) *Model {
	t.Helper()
	keys(tm, tea.KeyCtrlC)
	return tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(*Model)
}

func twoLearners() room.Snapshot {
	s := room.Snapshot{Class: "Room 4", Version: 1, At: testAt, Slots: 2}
	for _, name := range []string{"ada", "linus"} {
		s.Learners = append(s.Learners, room.Learner{
			ID: name + "-1f2e", Name: name, Connected: true, Scenario: "single-server",
			Step: 0, Steps: 7, StepTitle: "Meet the feed", Questions: 4,
		})
	}
	return s
}

func TestRowsFollowTheSnapshots(t *testing.T) {
	src := newChanSource()
	tm := startBoard(t, src, 100, 30)
	feed(t, src, twoLearners(), nil)
	waitText(t, tm, "Room 4", "ada", "linus", "1/7 Meet the feed", "0/4")

	// linus moves on, answers, and starts a load test
	s := twoLearners()
	s.Version = 2
	s.Running = 1
	l := &s.Learners[1]
	l.Step, l.StepTitle, l.Answered, l.Running = 2, "Load it", 1, true
	feed(t, src, s, nil)
	waitText(t, tm, "3/7 Load it", "1/4", "● running")
	if after := lastAfter(t, src); after != 2 {
		t.Fatalf("the board then waits after version %d, want 2", after)
	}

	// the run ends and is recorded: its p99 shows in its stage's column, the median below
	s.Version = 3
	s.Running = 0
	l.Running = false
	l.Runs = []room.Run{{ID: 1, At: testAt, Scenario: "single-server", Stage: "broken", SuccessRate: 38.5, P99: 1840 * time.Millisecond, RPS: 42}}
	s.Medians = []room.StageMedian{{Scenario: "single-server", Stage: "broken", Title: "Broken preset", Learners: 1, SuccessRate: 38.5, P99: 1840 * time.Millisecond, RPS: 42}}
	feed(t, src, s, nil)
	waitText(t, tm, "broken", "1.84s", "Broken preset", "38.5%")

	// ada leaves: away
	s.Version = 4
	s.Learners[0].Connected = false
	s.Learners[0].LastSeen = testAt.Add(-2 * time.Minute)
	feed(t, src, s, nil)
	waitText(t, tm, "away 2m", "1/2 connected")
	quit(t, tm)
}

// lastAfter is the version of the board's newest Wait.
func lastAfter(t *testing.T, src *chanSource) uint64 {
	t.Helper()
	deadline := time.After(5 * time.Second)
	var after uint64
	for {
		select {
		case after = <-src.afters:
			if len(src.afters) == 0 {
				return after
			}
		case <-deadline:
			t.Fatal("the board did not wait again")
		}
	}
}

func TestWaitErrorShowsAndRecovers(t *testing.T) {
	src := newChanSource()
	tm := startBoard(t, src, 80, 24)
	feed(t, src, twoLearners(), nil)
	waitText(t, tm, "linus")
	feed(t, src, room.Snapshot{}, errors.New("connection refused"))
	waitText(t, tm, "server not reachable: connection refused, retrying")
	// an error too long for the width is cut, and still says that the board retries
	feed(t, src, room.Snapshot{}, errors.New("no class server is running here (start one with `scalelab class serve`): /run/scalelab/class.sock: dial unix: connect: no such file or directory"))
	waitText(t, tm, "server not reachable: no class server is running here", "…, retrying")
	// the retry asks for the room at once (after 0): a restarted server counts from 1 again
	if after := lastAfter(t, src); after != 0 {
		t.Fatalf("the retry waits after version %d, want 0", after)
	}
	s := twoLearners()
	s.Learners[0].StepTitle = "Back again"
	feed(t, src, s, nil)
	waitText(t, tm, "server reachable again", "Back again")
	m := quit(t, tm)
	if m.waitErr != nil {
		t.Fatalf("the error stays after recovery: %v", m.waitErr)
	}
}

func TestBroadcastGotoAndCancel(t *testing.T) {
	src := newChanSource()
	tm := startBoard(t, src, 80, 24)
	feed(t, src, twoLearners(), nil)
	waitText(t, tm, "linus")

	// Esc cancels: nothing is sent
	tm.Type("m")
	waitText(t, tm, "message to everyone:")
	tm.Type("never sent")
	keys(tm, tea.KeyEsc)
	waitText(t, tm, "cancelled: nothing sent")

	tm.Type("m")
	tm.Type("Fix 1 in five minutes")
	keys(tm, tea.KeyEnter)
	select {
	case got := <-src.broadcasts:
		if got != "Fix 1 in five minutes" {
			t.Fatalf("broadcast %q", got)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the message was never broadcast")
	}
	waitText(t, tm, `message sent to everyone: "Fix 1 in five minutes"`)

	// a step out of range is refused with what to type; a good one is sent 0-based
	tm.Type("g")
	tm.Type("9")
	keys(tm, tea.KeyEnter)
	waitText(t, tm, "type a step number from 1 to 7")
	keys(tm, tea.KeyBackspace)
	tm.Type("3")
	keys(tm, tea.KeyEnter)
	select {
	case got := <-src.gotos:
		if got != 2 {
			t.Fatalf("goto step %d, want 2 (step 3 typed)", got)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("goto was never sent")
	}
	waitText(t, tm, "everyone sent to step 3")
	quit(t, tm)
	if n := len(src.broadcasts); n != 0 {
		t.Fatalf("%d more broadcasts: the cancelled message was sent", n)
	}
}

// board is a model with snap at w x h, driven without a program (Update and View only).
func board(t testing.TB, snap room.Snapshot, w, h int) *Model {
	t.Helper()
	m := New(nil, DefaultOptions())
	m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	m.Update(snapshotMsg{snap})
	return m
}

func press(m *Model, ks ...string) {
	for _, k := range ks {
		var msg tea.KeyMsg
		switch k {
		case "pgdown":
			msg = tea.KeyMsg{Type: tea.KeyPgDown}
		case "pgup":
			msg = tea.KeyMsg{Type: tea.KeyPgUp}
		case "home":
			msg = tea.KeyMsg{Type: tea.KeyHome}
		case "end":
			msg = tea.KeyMsg{Type: tea.KeyEnd}
		case "down":
			msg = tea.KeyMsg{Type: tea.KeyDown}
		case "tab":
			msg = tea.KeyMsg{Type: tea.KeyTab}
		default:
			msg = tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)}
		}
		m.Update(msg)
	}
}

// names is the learners' names in the order the board draws them.
func names(m *Model) []string {
	var out []string
	for _, r := range m.rows {
		out = append(out, r.name)
	}
	return out
}

func TestSorting(t *testing.T) {
	s := classSnapshot(6)
	// names out of order, so that sorting by name shows
	for i, n := range []string{"eve", "bob", "fay", "ann", "dan", "cid"} {
		s.Learners[i].Name = n
	}
	m := board(t, s, 120, 40)
	check := func(what string, want ...string) {
		t.Helper()
		if got := strings.Join(names(m), " "); got != strings.Join(want, " ") {
			t.Fatalf("%s: rows %s, want %s", what, got, strings.Join(want, " "))
		}
	}
	check("by name", "ann", "bob", "cid", "dan", "eve", "fay")
	press(m, "1")
	check("by name, reversed", "fay", "eve", "dan", "cid", "bob", "ann")
	press(m, "2") // steps: eve 1, bob 2, fay 3, ann 4, dan 5, cid 6
	check("by step", "eve", "bob", "fay", "ann", "dan", "cid")
	press(m, "2")
	check("by step, reversed", "cid", "dan", "ann", "fay", "bob", "eve")
	press(m, "3") // answers: eve 0, bob 1, fay 2, ann 3, dan 4, cid 0
	check("by answers", "cid", "eve", "bob", "fay", "ann", "dan")
	// latest p99: eve none, bob 1999ms, fay 1098ms, ann 197ms, dan none, cid 1995ms
	press(m, "4")
	check("by p99", "ann", "fay", "cid", "bob", "dan", "eve")
	press(m, "4")
	check("by p99, reversed: no run still last", "bob", "cid", "fay", "ann", "dan", "eve")
	press(m, "5") // latest success: bob 41, fay 72, ann 100, cid 42
	check("by success", "bob", "cid", "fay", "ann", "dan", "eve")
	if v := m.View(); !strings.Contains(v, "sort success ↑") {
		t.Fatalf("the footer does not say the sort:\n%s", v)
	}
}

func TestPaging(t *testing.T) {
	m := board(t, classSnapshot(31), 80, 24)
	v := m.View()
	page := m.pageRows
	if page < 5 || page >= 31 {
		t.Fatalf("a page of %d rows at 80x24", page)
	}
	mustContain(t, v, "rows 1–"+itoa(page)+" of 31", "learner00")
	press(m, "pgdown")
	v = m.View()
	mustContain(t, v, "rows "+itoa(page+1)+"–"+itoa(2*page)+" of 31", "› learner"+pad2(page))
	press(m, "end")
	v = m.View()
	mustContain(t, v, "rows "+itoa(31-page+1)+"–31 of 31", "› learner30")
	press(m, "k", "k")
	mustContain(t, m.View(), "› learner28")
	press(m, "home")
	v = m.View()
	mustContain(t, v, "rows 1–"+itoa(page)+" of 31", "› learner00")
	press(m, "j", "down")
	mustContain(t, m.View(), "› learner02")
	press(m, "pgup")
	mustContain(t, m.View(), "› learner00")

	// the cursor stays on its learner when a new snapshot reorders the rows
	press(m, "end")
	s := classSnapshot(31)
	s.Version = 2
	s.Learners[30].Name = "aaron"
	m.Update(snapshotMsg{s})
	mustContain(t, m.View(), "› aaron", "rows 1–")
}

func TestEveryFrameFits(t *testing.T) {
	sizes := [][2]int{{80, 24}, {100, 30}, {120, 40}, {160, 50}, {60, 20}, {40, 12}, {30, 8}}
	states := map[string][]string{
		"plain": nil, "success": {"s"}, "rps": {"r"}, "wide": {"w"}, "help": {"?"},
		"message input": {"m"}, "goto input": {"g"}, "last page": {"end"},
	}
	snaps := map[string]room.Snapshot{"31 learners": classSnapshot(31), "empty": {Class: "empty"}, "hostile": hostile()}
	for sn, snap := range snaps {
		for st, ks := range states {
			for _, sz := range sizes {
				m := board(t, snap, sz[0], sz[1])
				press(m, ks...)
				lines := strings.Split(m.View(), "\n")
				if len(lines) > sz[1] {
					t.Errorf("%s, %s at %dx%d: %d lines", sn, st, sz[0], sz[1], len(lines))
				}
				for i, l := range lines {
					if w := lipgloss.Width(l); w > sz[0] {
						t.Errorf("%s, %s at %dx%d: line %d is %d wide: %q", sn, st, sz[0], sz[1], i, w, l)
					}
				}
			}
		}
	}
}

func TestLayoutDegrades(t *testing.T) {
	s := classSnapshot(31)
	full := board(t, s, 120, 40).View()
	mustContain(t, full, "median p99 per stage", "class median", "Fix 2: index")
	// narrow: the chart goes, the medians stay
	narrow := board(t, s, 60, 30).View()
	mustContain(t, narrow, "class median")
	if strings.Contains(narrow, "median p99 per stage") {
		t.Fatalf("the chart stays at 60 columns:\n%s", narrow)
	}
	// short: both go, the learners stay
	short := board(t, s, 100, 12).View()
	mustContain(t, short, "learner00")
	if strings.Contains(short, "class median") {
		t.Fatalf("the medians stay at 12 lines:\n%s", short)
	}
	// wide shows every metric of a stage at 120, and the chart follows the metric key
	m := board(t, s, 120, 40)
	press(m, "w", "s")
	mustContain(t, m.View(), "broken ok% p99 rps", "stages: all metrics", "median success per stage")
	// and says why not below 120
	m = board(t, s, 80, 24)
	press(m, "w")
	mustContain(t, m.View(), "wide shows once the terminal has 120 columns (now 80)", "stages: p99")
}

func hostile() room.Snapshot {
	s := classSnapshot(3)
	s.Class = "class\x1b]0;owned\x07"
	s.Message = "read this\x1b[2J\x1b[H\r\nnow"
	s.Learners[0].Name = "\x1b[31mmallory\x1b[0m"
	s.Learners[1].StepTitle = "Step\x1bP+q\x1b\\ \x9b6n\tthere"
	s.Learners[1].Runs[0].Stage = "bro\x1b[5mken"
	s.Medians[0].Title = "Broken\x07\x08 preset"
	s.Learners = append(s.Learners, room.Learner{ID: "x", Name: "evil\nname", Scenario: "sc\x1b[1m2", Steps: 2})
	return s
}

func TestHostileTextIsDrawnClean(t *testing.T) {
	m := board(t, hostile(), 120, 40)
	for _, ks := range [][]string{nil, {"w"}, {"tab"}, {"tab"}} {
		press(m, ks...)
		v := m.View()
		for _, bad := range []string{"\x1b", "\x07", "\x08", "\x9b", "\r"} {
			if strings.Contains(v, bad) {
				t.Fatalf("a control character %q reached the frame:\n%q", bad, v)
			}
		}
	}
	m = board(t, hostile(), 120, 40)
	mustContain(t, m.View(), "mallory", "read this", "evil name", "class")
}

func mustContain(t *testing.T, s string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(s, w) {
			t.Fatalf("missing %q in:\n%s", w, s)
		}
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func pad2(n int) string { return fmt.Sprintf("%02d", n) }
