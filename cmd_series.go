package main

import (
	"time"

	"scalelab/content"
	"scalelab/content/worksheet"
	"scalelab/tui"
)

// The series: the built-in scenarios in order (content.Builtins), each with its worksheet in
// the data home. The workshop lists them on its scenarios screen, moves between them, and
// opens the one the learner last worked in when started without a scenario.

// builtinScenario is the built-in scenario with this ID ("02-load-balancing") or file name
// ("02-load-balancing.md"); nil when there is none.
func builtinScenario(name string) *content.Scenario {
	for i, sc := range content.Builtins() {
		if sc.ID == name || content.BuiltinFiles[i] == name {
			return sc
		}
	}
	return nil
}

// builtinSheet reads the worksheet of a built-in scenario without changing anything (an
// unreadable one reads as empty: the screen shows no progress for it).
func builtinSheet(dir string, sc *content.Scenario) *worksheet.Worksheet {
	ident, _ := worksheet.IdentityOf(sc, "")
	ws, err := worksheet.Read(ident.Path(dir))
	if err != nil || ws == nil {
		return worksheet.New(sc.ID)
	}
	return ws
}

// lastBuiltin is the built-in scenario the learner last worked in: the one whose worksheet
// was saved last; the first of the series when none was.
func lastBuiltin(dir string) *content.Scenario {
	all := content.Builtins()
	last, newest := all[0], time.Time{}
	for _, sc := range all {
		if u := builtinSheet(dir, sc).Updated; u.After(newest) {
			last, newest = sc, u
		}
	}
	return last
}

// markOpened saves the worksheet of the built-in scenario the learner chose on the scenarios
// screen as it is, with a new save time: opened, it is the one last worked in, and the next
// `scalelab` opens it even when the learner quits before changing anything there. A worksheet
// that cannot be read or written is left alone (opening it says why).
func markOpened(dir string, sc *content.Scenario) {
	ident, _ := worksheet.IdentityOf(sc, "")
	path := ident.Path(dir)
	ws, err := worksheet.Read(path)
	if err != nil {
		return
	}
	ws.Stamp(ident)
	_ = ws.Save(path)
}

// seriesEntries are the built-in scenarios with the learner's progress in each, for the
// scenarios screen; current is the one open (nil: a scenario file is open, none of them).
func seriesEntries(dir string, current *content.Scenario) []tui.SeriesEntry {
	all := content.Builtins()
	out := make([]tui.SeriesEntry, 0, len(all))
	for i, sc := range all {
		ws := builtinSheet(dir, sc)
		e := tui.SeriesEntry{
			ID: sc.ID, Title: sc.Title, File: content.BuiltinFiles[i],
			Steps: len(sc.Steps), Step: min(max(ws.Step, 0), max(len(sc.Steps)-1, 0)),
			Current: current != nil && current.ID == sc.ID,
		}
		for _, q := range sc.Questions() {
			e.Questions++
			if ws.Answers[q.ID] != "" {
				e.Answered++
			}
		}
		out = append(out, e)
	}
	return out
}
