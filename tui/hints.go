package tui

import "scalelab/content"

// The lab conditions a scenario's "Stuck?" rows can name (`<!-- when: NAME -->` at the end of a
// row). The lab controller reports which hold in LabStatusMsg.Hints; the reader and plain mode
// show the rows naming them; `scalelab lint` refuses a row naming any other.
const (
	// HintRestartPending: Fix 1 boxes are ticked that the running API does not have yet (the
	// learner has not restarted it since ticking them).
	HintRestartPending = "restart-pending"
	// HintIndexExists: Fix 2 was applied while the index was already there.
	HintIndexExists = "index-exists"
	// HintRunWhileDown: the last load test ran while the lab (PostgreSQL or the API) was down.
	HintRunWhileDown = "run-while-down"
	// HintOtherMaxConnections: the lab uses a DATABASE_URL server whose max_connections is not
	// the private cluster's 50, so the broken run fails differently from the text.
	HintOtherMaxConnections = "other-max-connections"
)

// HintConditions lists every condition name the lab can report, for lint.
func HintConditions() []string {
	return []string{HintRestartPending, HintIndexExists, HintRunWhileDown, HintOtherMaxConnections}
}

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
