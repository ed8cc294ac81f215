package board

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"scalelab/class/room"
	"scalelab/content/termsafe"
)

// row is one learner as the board draws them, text already cleaned.
type row struct {
	id, name  string
	connected bool
	away      time.Duration // since their last session ended (0: unknown or connected)
	running   bool
	queued    int

	step, steps        int // step is 1-based here; steps 0: not in a scenario yet
	stepTitle          string
	answered, question int

	scenario string
	latest   map[string]room.Run // the latest run per stage of the shown scenario
	last     *room.Run           // the latest run of the shown scenario, any stage
}

// oneLine cleans text from the network for a one-line cell: no control sequences (termsafe),
// and no line breaks or tabs either.
func oneLine(s string) string {
	s = termsafe.Clean(s)
	if strings.ContainsAny(s, "\n\t") {
		s = strings.NewReplacer("\n", " ", "\t", " ").Replace(s)
	}
	return s
}

func makeRows(s room.Snapshot, scenario string) []row {
	rows := make([]row, 0, len(s.Learners))
	for _, l := range s.Learners {
		r := row{
			id: l.ID, name: oneLine(l.Name), connected: l.Connected, running: l.Running, queued: l.Queued,
			steps: l.Steps, stepTitle: oneLine(l.StepTitle), answered: l.Answered, question: l.Questions,
			scenario: l.Scenario, latest: map[string]room.Run{},
		}
		if l.Steps > 0 {
			r.step = l.Step + 1
		}
		if !l.Connected && !l.LastSeen.IsZero() && !s.At.IsZero() && s.At.After(l.LastSeen) {
			r.away = s.At.Sub(l.LastSeen)
		}
		for i := range l.Runs {
			run := l.Runs[i]
			if run.Scenario != scenario {
				continue
			}
			r.latest[run.Stage] = run // oldest first: the last one wins
			r.last = &l.Runs[i]
		}
		rows = append(rows, r)
	}
	return rows
}

// sortRows sorts by key (reversed when desc); learners without the sorted value (no run yet)
// come last either way, and ties go by name.
func sortRows(rows []row, key sortKey, desc bool) {
	byName := func(a, b row) int {
		return cmp.Or(cmp.Compare(strings.ToLower(a.name), strings.ToLower(b.name)), cmp.Compare(a.id, b.id))
	}
	slices.SortStableFunc(rows, func(a, b row) int {
		var c int
		switch key {
		case sortName:
			c = byName(a, b)
		case sortStep:
			c = cmp.Compare(a.step, b.step)
		case sortAnswers:
			c = cmp.Compare(a.answered, b.answered)
		case sortP99, sortSuccess:
			if (a.last == nil) != (b.last == nil) {
				if a.last == nil {
					return 1
				}
				return -1
			}
			if a.last != nil {
				if key == sortP99 {
					c = cmp.Compare(a.last.P99, b.last.P99)
				} else {
					c = cmp.Compare(a.last.SuccessRate, b.last.SuccessRate)
				}
			}
		}
		if desc {
			c = -c
		}
		if c == 0 {
			c = byName(a, b)
		}
		return c
	})
}

// scenarios lists the scenarios present in the room: those of the medians first, in their
// order, then those learners are in.
func scenarios(s room.Snapshot) []string {
	var out []string
	add := func(id string) {
		if id != "" && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	for _, md := range s.Medians {
		add(md.Scenario)
	}
	for _, l := range s.Learners {
		add(l.Scenario)
	}
	return out
}

// busiestScenario is the scenario most learners are in (the first of scs on a tie).
func busiestScenario(s room.Snapshot, scs []string) string {
	best, bestN := "", -1
	for _, sc := range scs {
		n := 0
		for _, l := range s.Learners {
			if l.Scenario == sc {
				n++
			}
		}
		if n > bestN {
			best, bestN = sc, n
		}
	}
	return best
}

// stage is one stage column of the shown scenario.
type stage struct {
	name, title string
	median      *room.StageMedian
}

// stagesOf lists the stages of scenario: the medians' rows in their order, then any stage
// a learner's run measured that has no median yet.
func stagesOf(s room.Snapshot, scenario string) []stage {
	var out []stage
	has := func(name string) bool {
		return slices.ContainsFunc(out, func(st stage) bool { return st.name == name })
	}
	for i := range s.Medians {
		md := &s.Medians[i]
		if md.Scenario == scenario && !has(md.Stage) {
			title := md.Title
			if title == "" {
				title = md.Stage
			}
			out = append(out, stage{name: md.Stage, title: oneLine(title), median: md})
		}
	}
	for _, l := range s.Learners {
		for _, r := range l.Runs {
			if r.Scenario == scenario && !has(r.Stage) {
				out = append(out, stage{name: r.Stage, title: oneLine(r.Stage)})
			}
		}
	}
	return out
}
