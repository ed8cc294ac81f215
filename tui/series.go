package tui

// SeriesEntry is one scenario of the series as the scenarios screen shows it: what it is, where
// its text lives, and how far the learner got in it (from its saved worksheet).
type SeriesEntry struct {
	ID, Title, File string
	Steps, Step     int  // the scenario's step count and the learner's saved step (0-based)
	Questions       int  // the questions in the scenario
	Answered        int  // the questions the learner answered
	Current         bool // the scenario open in this app
}

// Next is the ID of the scenario the learner chose on the scenarios screen, read after the
// program ends: the caller saves and closes this one and opens that one. "" means the learner quit.
func (a *App) Next() string { return a.next }
