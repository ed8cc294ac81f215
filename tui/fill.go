package tui

import (
	"strings"

	"scalelab/content"
	"scalelab/content/worksheet"
	"scalelab/lab"
	"scalelab/lab/load"
	"scalelab/lab/numfmt"
)

// fillTable fills a scenario result table from the latest recorded run of each of the lab's
// stages, in one of the two shapes the scenario format knows:
//   - a comparison table: one row per stage (the row's label names it: lab.StageOfLabel), one
//     column per metric ("Success Rate", "p99 Latency", "Req/sec", ...);
//   - a metric table ("Metric | Value"): one row per metric, filled from the run of the first
//     stage, the baseline — the run the step that holds it asks the learner to record.
//
// Cells without a run to fill them keep what the table had; from says which stage's run filled
// each row ("" for none). ok is false when the table is not one of these shapes or no cell
// could be filled.
func fillTable(t *content.Table, latest map[string]load.Record, stages []lab.Stage) (rows [][]string, from []string, ok bool) {
	if !t.Fillable || len(t.Header) < 2 || len(stages) == 0 {
		return nil, nil, false
	}
	from = make([]string, len(t.Rows))
	rows = make([][]string, len(t.Rows))
	for i, r := range t.Rows {
		rows[i] = append([]string(nil), r...)
	}
	colMetric := make([]string, len(t.Header))
	byColumn := false
	for j := 1; j < len(t.Header); j++ {
		if colMetric[j] = metricOf(t.Header[j]); colMetric[j] != "" {
			byColumn = true
		}
	}
	filled := false
	for i, r := range rows {
		if len(r) == 0 {
			continue
		}
		if byColumn {
			stage := lab.StageOfLabel(stages, r[0])
			rec, found := latest[stage]
			if !found || rec.Result == nil {
				continue
			}
			for j := 1; j < len(r) && j < len(colMetric); j++ {
				if v := metricValue(colMetric[j], rec.Result); v != "" {
					r[j], filled, from[i] = v, true, stage
				}
			}
			continue
		}
		base := stages[0].Name
		rec, found := latest[base]
		if m := metricOf(r[0]); found && rec.Result != nil && m != "" && len(r) > 1 {
			r[1], filled, from[i] = metricValue(m, rec.Result), true, base
		}
	}
	return rows, from, filled
}

// metricOf names the measured value a header or row label asks for ("" when none).
func metricOf(label string) string {
	x := strings.ToLower(label)
	switch {
	case strings.Contains(x, "success"):
		return "success"
	case strings.Contains(x, "fail") || strings.Contains(x, "error"):
		return "failed"
	case strings.Contains(x, "p99"):
		return "p99"
	case strings.Contains(x, "p50") || strings.Contains(x, "median"):
		return "p50"
	case strings.Contains(x, "average") || strings.Contains(x, "avg") || strings.Contains(x, "mean"):
		return "avg"
	case strings.Contains(x, "req") && (strings.Contains(x, "sec") || strings.Contains(x, "/s")):
		return "rps"
	case strings.Contains(x, "total") || strings.Contains(x, "requests"):
		return "total"
	}
	return ""
}

func metricValue(m string, r *load.Result) string {
	switch m {
	case "success":
		return numfmt.Pct(r.SuccessRate) + "%"
	case "failed":
		return numfmt.Int(r.Failed) + " of " + numfmt.Int(r.Total)
	case "p99":
		return numfmt.Dur(r.P99)
	case "p50":
		return numfmt.Dur(r.P50)
	case "avg":
		return numfmt.Dur(r.Avg)
	case "rps":
		return numfmt.RPS(r.RPS)
	case "total":
		return numfmt.Int(r.Total)
	}
	return ""
}

// FillFromHistory fills the worksheet's result tables from the latest recorded run of each of
// the lab's stages (lab.Lab.Stages; none: nothing is filled),
// (latest: load.History.LatestFor the scenario and its lab) by the workshop's rule: empty cells are filled and the learner's values kept, except in the
// rows of a stage whose latest run was recorded after the worksheet was last saved (a run made
// from the command line since), which that run replaces. It returns how many tables changed.
// `scalelab export` calls it, so that runs made without the workshop are in the hand-in too.
func FillFromHistory(s *content.Scenario, ws *worksheet.Worksheet, latest map[string]load.Record, stages []lab.Stage) int {
	if s == nil || ws == nil {
		return 0
	}
	if ws.Tables == nil {
		ws.Tables = map[string][][]string{}
	}
	n := 0
	for _, t := range s.Tables() {
		rows, from, ok := fillTable(t, latest, stages)
		if !ok {
			continue
		}
		msg := SetTableMsg{ID: t.ID, Rows: rows, KeepFilled: true}
		for i, st := range from {
			if rec, found := latest[st]; st != "" && found && rec.At.After(ws.Updated) {
				msg.FreshRows = append(msg.FreshRows, i)
			}
		}
		if merged, changed := mergeTable(ws.Tables[t.ID], msg); changed {
			ws.Tables[t.ID] = merged
			n++
		}
	}
	return n
}
