package tui

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

// hintText says what to do about a condition, for a scenario with no Stuck? row naming it.
func hintText(cond string) string {
	switch cond {
	case HintRestartPending:
		return "You ticked Fix 1 boxes the running API does not have yet: restart the API to apply them (scalelab serve)."
	case HintIndexExists:
		return "The index was already there, so Fix 2 changed nothing: run the load test to see its effect."
	case HintRunWhileDown:
		return "The last load test ran while PostgreSQL or the API was down: its failures say nothing about the code. Check the lab's state line, then run it again."
	case HintOtherMaxConnections:
		return "Your DATABASE_URL server allows another number of connections than the lab's 50, so the broken run fails differently from the text."
	}
	return cond
}
