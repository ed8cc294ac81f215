package tui

import "scalelab/content"

// A scenario's "Stuck?" rows may name a lab condition (`<!-- when: NAME -->` at the end of a
// row): the lab says which it can report (lab.Lab.Conditions) and which hold now
// (lab.Status.Conditions, in LabStatusMsg.Hints); the reader and plain mode show the rows naming
// them; `scalelab lint` refuses a row naming any other.

// stuckRows returns the scenario's Stuck? rows naming cond. A scenario with none for it gets the
// built-in scenario's rows: the one place the lab's conditions are said in words.
func stuckRows(sc *content.Scenario, cond string) []content.Hint {
	for _, from := range []*content.Scenario{sc, content.Builtin()} {
		if from == nil {
			continue
		}
		var rows []content.Hint
		for _, h := range from.Hints() {
			if h.When == cond {
				rows = append(rows, h)
			}
		}
		if len(rows) > 0 {
			return rows
		}
	}
	return nil
}
