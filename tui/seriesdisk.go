package tui

import (
	"time"

	"scalelab/content"
	"scalelab/content/worksheet"
)

// The series on disk: the built-in scenarios in order (content.Builtins), each with its
// worksheet in a data home. The local workshop and the class server (one data home per
// learner) both list them on the scenarios screen, move between them, and open the one the
// learner last worked in.

// BuiltinScenario is the built-in scenario with this ID ("02-load-balancing") or file name
// ("02-load-balancing.md"); nil when there is none.
func BuiltinScenario(name string) *content.Scenario {
	for i, sc := range content.Builtins() {
		if sc.ID == name || content.BuiltinFiles[i] == name {
			return sc
		}
	}
	return nil
}

// BuiltinSheet reads the worksheet of a built-in scenario in the data home dir without
// changing anything (an unreadable one reads as empty: the screen shows no progress for it).
func BuiltinSheet(dir string, sc *content.Scenario) *worksheet.Worksheet {
	ident, _ := worksheet.IdentityOf(sc, "")
	ws, err := worksheet.Read(ident.Path(dir))
	if err != nil || ws == nil {
		return worksheet.New(sc.ID)
	}
	return ws
}

// LastBuiltin is the built-in scenario the learner last worked in: the one whose worksheet in
// dir was saved last; the first of the series when none was.
func LastBuiltin(dir string) *content.Scenario {
	all := content.Builtins()
	last, newest := all[0], time.Time{}
	for _, sc := range all {
		if u := BuiltinSheet(dir, sc).Updated; u.After(newest) {
			last, newest = sc, u
		}
	}
	return last
}

// SeriesEntries are the built-in scenarios with the learner's progress in each (their
// worksheets in dir; open, when not nil, gives the worksheet held in memory for a scenario ID
// instead), for the scenarios screen; current is the one open (nil: a scenario file is open,
// none of them).
func SeriesEntries(dir string, current *content.Scenario, open func(id string) *worksheet.Worksheet) []SeriesEntry {
	all := content.Builtins()
	out := make([]SeriesEntry, 0, len(all))
	for i, sc := range all {
		var ws *worksheet.Worksheet
		if open != nil {
			ws = open(sc.ID)
		}
		if ws == nil {
			ws = BuiltinSheet(dir, sc)
		}
		e := SeriesEntry{
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
