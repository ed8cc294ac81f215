package room

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"

	"scalelab/content/termsafe"
	"scalelab/lab/numfmt"
)

// csvHeader is the first row of WriteCSV.
var csvHeader = []string{"learner", "scenario", "stage", "stage_title", "at", "users", "duration_s",
	"requests", "success_rate", "p99_ms", "rps", "beside"}

// WriteCSV writes every learner's runs, one row each (learners in snapshot order, runs oldest
// first), under the header learner, scenario, stage, stage_title, at (RFC 3339), users,
// duration_s, requests, success_rate (percent), p99_ms, rps, beside. A text cell a
// spreadsheet would take for a formula (starting with = + - @, tab or CR) gets a leading '.
func WriteCSV(w io.Writer, s Snapshot) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(csvHeader); err != nil {
		return err
	}
	for _, l := range s.Learners {
		for _, r := range l.Runs {
			row := []string{
				csvText(l.Name),
				csvText(r.Scenario),
				csvText(r.Stage),
				csvText(StageTitle(r.Lab, r.Stage)),
				r.At.UTC().Format("2006-01-02T15:04:05Z07:00"),
				strconv.Itoa(r.Users),
				strconv.FormatFloat(r.Duration.Seconds(), 'f', -1, 64),
				strconv.Itoa(r.Total),
				strconv.FormatFloat(r.SuccessRate, 'f', 2, 64),
				strconv.FormatFloat(float64(r.P99.Microseconds())/1000, 'f', 3, 64),
				strconv.FormatFloat(r.RPS, 'f', 1, 64),
				strconv.Itoa(r.Beside),
			}
			if err := cw.Write(row); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

// csvText is a text cell: control characters taken out, and a leading ' on what a
// spreadsheet would run as a formula.
func csvText(s string) string {
	s = termsafe.Clean(s)
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// WriteMarkdown writes the class's results as markdown: a title with the class and the
// snapshot's date, for each scenario its comparison table of the class's medians per stage,
// then the learners' progress.
func WriteMarkdown(w io.Writer, s Snapshot) error {
	b := bufio.NewWriter(w)
	fmt.Fprintf(b, "# Class %s: results of %s\n\n", mdText(s.Class), s.At.Format("2006-01-02"))
	fmt.Fprintf(b, "%s learners, %s load tests at once.\n", numfmt.Int(len(s.Learners)), numfmt.Int(s.Slots))
	scenario, open := "", false
	for _, m := range s.Medians {
		if !open || m.Scenario != scenario {
			scenario, open = m.Scenario, true
			name := m.Scenario
			if name == "" {
				name = "(unnamed)"
			}
			fmt.Fprintf(b, "\n## Scenario %s\n\n", mdText(name))
			b.WriteString("The class's median of each learner's latest run per stage.\n\n")
			b.WriteString("| Stage | Learners | Success | p99 | req/s |\n")
			b.WriteString("| --- | ---: | ---: | ---: | ---: |\n")
		}
		title := m.Title
		if title == "" {
			title = m.Stage
		}
		fmt.Fprintf(b, "| %s | %s | %s %% | %s | %s |\n", mdText(title), numfmt.Int(m.Learners),
			numfmt.Pct(m.SuccessRate), numfmt.Dur(m.P99), numfmt.RPS(m.RPS))
	}
	b.WriteString("\n## Learners\n\n")
	if len(s.Learners) == 0 {
		b.WriteString("Nobody joined.\n")
		return b.Flush()
	}
	b.WriteString("| Name | Step | Answers | Runs |\n")
	b.WriteString("| --- | --- | ---: | ---: |\n")
	for _, l := range s.Learners {
		step := "-"
		if l.Steps > 0 {
			step = fmt.Sprintf("%d/%d", l.Step+1, l.Steps)
			if l.StepTitle != "" {
				step += " " + l.StepTitle
			}
		}
		answers := "-"
		if l.Questions > 0 {
			answers = fmt.Sprintf("%d/%d", l.Answered, l.Questions)
		}
		fmt.Fprintf(b, "| %s | %s | %s | %s |\n", mdText(l.Name), mdText(step), answers, numfmt.Int(len(l.Runs)))
	}
	return b.Flush()
}

// mdText is text safe in a markdown table cell: control characters taken out, on one line,
// with | and \ escaped.
func mdText(s string) string {
	s = termsafe.Clean(s)
	s = strings.Join(strings.Fields(s), " ")
	s = strings.ReplaceAll(s, `\`, `\\`)
	return strings.ReplaceAll(s, "|", `\|`)
}
