package tui

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/teatest"

	"scalelab/content"
	"scalelab/content/worksheet"
)

// twoMore is a series around the test scenario: it (open now), one worked in, one not started.
func twoMore(current *content.Scenario) []SeriesEntry {
	return []SeriesEntry{
		{ID: current.ID, Title: current.Title, Current: true},
		{ID: "02-other", Title: "Scenario 2: Another Problem", File: "02-other.md", Steps: 7, Step: 2, Questions: 5, Answered: 3},
		{ID: "03-third", Title: "Scenario 3: A Third One", File: "03-third.md", Steps: 4, Questions: 2},
	}
}

// o lists the series with each scenario's progress (the open one read live); Enter on another
// scenario saves the answer typed just before and ends the program with Next naming it.
func TestSeriesScreenOpensAnother(t *testing.T) {
	dir := testHome(t)
	path := worksheet.PathFor(dir, "workshop")
	a := newTestApp(t, path, func(o *Options) { o.Series = twoMore(o.Scenario) })
	tm := start(t, a, 100, 30)
	waitText(t, tm, "small feed API")
	send(tm, "tab", "enter")
	waitText(t, tm, "esc/ctrl+s: done")
	tm.Type("pool of one")
	send(tm, "esc", "o")
	waitText(t, tm, "Scenarios", "open now · step 2/5 · 1/", "Scenario 2: Another Problem", "step 3/7 · 3/5 answered", "not started")
	send(tm, "j", "enter")
	tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
	final := tm.FinalModel(t).(*App)
	if final.Next() != "02-other" {
		t.Fatalf("Next() = %q, want 02-other", final.Next())
	}
	ws, err := worksheet.Read(path)
	if err != nil || ws.Answers["Q1"] != "pool of one" {
		t.Fatalf("the answer was not saved before the program ended: %+v %v", ws, err)
	}
}

// Enter on the open scenario, esc and q close the screen and leave Next empty; q then quits.
func TestSeriesScreenCloses(t *testing.T) {
	testHome(t)
	a := newTestApp(t, "", func(o *Options) { o.Series = twoMore(o.Scenario) })
	tm := start(t, a, 100, 30)
	waitText(t, tm, "small feed API")
	send(tm, "o")
	waitText(t, tm, "Scenarios")
	send(tm, "enter", "o", "esc", "o", "q", "q")
	tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
	if next := tm.FinalModel(t).(*App).Next(); next != "" {
		t.Fatalf("Next() = %q after closing the screen and quitting", next)
	}
}

// Without a series (a scenario file opened alone) o says there is no list.
func TestSeriesScreenWithoutSeries(t *testing.T) {
	testHome(t)
	tm := start(t, newTestApp(t, ""), 100, 30)
	waitText(t, tm, "small feed API")
	send(tm, "o")
	waitText(t, tm, "no list of scenarios here")
	_, view := finalView(t, tm)
	if strings.Contains(view, "Scenarios") {
		t.Fatalf("a scenarios screen opened without a series:\n%s", view)
	}
}

// At the built-in scenario's last section, whose text names Scenario 2 as the next one, the
// reader shows the way there, and o opens the list on it: Enter opens Scenario 2.
func TestSeriesEndPointsToNext(t *testing.T) {
	dir := testHome(t)
	var series []SeriesEntry
	for i, sc := range content.Builtins() {
		series = append(series, SeriesEntry{ID: sc.ID, Title: sc.Title, Steps: len(sc.Steps), Current: i == 0})
	}
	if len(series) < 2 {
		t.Fatalf("the built-in series: %+v", series)
	}
	first := content.Builtin()
	ws := worksheet.New(first.ID)
	ws.Step = len(first.Steps) - 1
	path := worksheet.PathFor(dir, first.ID)
	a := newTestApp(t, path, func(o *Options) { o.Scenario, o.Worksheet, o.Series = first, ws, series })
	tm := start(t, a, 120, 40)
	waitText(t, tm, "o: open Scenario 2")
	send(tm, "o")
	waitText(t, tm, "▸ "+series[1].Title)
	send(tm, "enter")
	tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
	if next := tm.FinalModel(t).(*App).Next(); next != series[1].ID {
		t.Fatalf("Next() = %q, want %q", next, series[1].ID)
	}
}

// Only the last section points on, and only to a scenario the series holds.
func TestNextPointer(t *testing.T) {
	sc := content.Builtin()
	c := &common{scenario: sc, keys: DefaultKeyMap()}
	c.series = []SeriesEntry{{ID: sc.ID, Title: sc.Title, Current: true}}
	if c.next = c.nextInSeries(); c.next != -1 {
		t.Fatalf("a series without Scenario 2 points to %d", c.next)
	}
	c.series = append(c.series, SeriesEntry{ID: "02-load-balancing", Title: "Scenario 2: Load Balancing & Stateless Servers"})
	c.next = c.nextInSeries()
	last := len(sc.Steps) - 1
	if got := c.nextPointer(last); got != "o: open Scenario 2" {
		t.Fatalf("at the last section: %q", got)
	}
	if got := c.nextPointer(last - 1); got != "" {
		t.Fatalf("before the last section: %q", got)
	}
}
