package singleserver

import (
	"slices"

	"scalelab/lab"
	"scalelab/lab/feed"
)

// stages are the rows of the scenario's comparison tables, in their order.
var stages = []lab.Stage{
	{Name: StageBroken, Title: "Broken", Labels: []string{"broken", "before"}, Tone: "bad", When: "before the fixes"},
	{Name: StageFix1, Title: "After Fix 1", Labels: []string{"fix 1", "fix1", "pool"}, Tone: "warn", When: "after Fix 1"},
	{Name: StageFix2, Title: "After Fix 2", Labels: []string{"fix 2", "fix2", "index"}, Tone: "good", When: "after Fix 2"},
	{Name: stageBigNoIndex, Title: "1M rows, no index", Labels: []string{"1m rows, no index", "1,000,000 rows, no index"}, Tone: "bad",
		When: "at 1,000,000 rows without the index"},
	{Name: stageBigIndex, Title: "1M rows, with the index", Labels: []string{"1m rows, with the index", "1,000,000 rows, with the index"}, Tone: "good",
		When: "at 1,000,000 rows with the index"},
}

func (s *single) Stages() []lab.Stage { return slices.Clone(stages) }

// StageAfter replays the commands: start runs the fixed knobs, apply-fix adds the index, reset
// goes back to the broken API without it, grow-table grows the table to growRows (dropping the
// index), shrink-table shrinks it back; kill-db and kill-api take the lab down until bring-back
// (or, for the API, a start): a run then is an outage run.
func (s *single) StageAfter(actions []string) string {
	fixed, index, big, dbDown, apiDown := false, false, false, false, false
	for _, name := range actions {
		a, ok := lab.FindAction(s, name)
		if !ok {
			continue
		}
		switch a.Name {
		case actStart:
			fixed, apiDown = true, false
		case actApplyFix:
			index = true
		case actReset:
			fixed, index, big, apiDown = false, false, false, false
		case actGrowTable:
			big, index = true, false
		case actShrinkTable:
			big = false
		case actKillDB:
			dbDown = true
		case actKillAPI:
			apiDown = true
		case actBringBack:
			dbDown, apiDown = false, false
		}
	}
	if dbDown || apiDown {
		return lab.StageOutage
	}
	k, rows := feed.Broken(), DefaultRows
	if fixed {
		k = feed.Fixed()
	}
	if big {
		rows = growRows
	}
	if st := stageAt(k, index, rows); st != StageCustom {
		return st
	}
	return ""
}
