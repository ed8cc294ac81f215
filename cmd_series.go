package main

import (
	"scalelab/content"
	"scalelab/content/worksheet"
	"scalelab/tui"
)

// The series: the built-in scenarios in order (content.Builtins), each with its worksheet in
// the data home. The workshop lists them on its scenarios screen, moves between them, and
// opens the one the learner last worked in when started without a scenario.

// builtinScenario is the built-in scenario with this ID or file name; nil when none.
func builtinScenario(name string) *content.Scenario { return tui.BuiltinScenario(name) }

// lastBuiltin is the built-in scenario the learner last worked in (the first when none).
func lastBuiltin(dir string) *content.Scenario { return tui.LastBuiltin(dir) }

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
	return tui.SeriesEntries(dir, current, nil)
}
