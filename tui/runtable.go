package tui

import (
	"fmt"
	"io"
	"strconv"
	"time"

	"scalelab/content/termsafe"
	"scalelab/lab"
	"scalelab/lab/load"
	"scalelab/lab/numfmt"
)

// WriteRunTable prints a recorded run as the scenario's table: what was loaded, the lab's stage
// (its title among stages, the lab's), success rate, failed requests, average and p99 latency,
// requests per second and the failures by cause with what each means. `scalelab loadtest` and
// plain mode print runs with it.
func WriteRunTable(w io.Writer, rec *load.Record, stages []lab.Stage) {
	r := rec.Result
	o := rec.Options
	what := fmt.Sprintf("%d users", o.Concurrency)
	if o.Duration > 0 {
		what += " for " + o.Duration.String()
	}
	if o.Requests > 0 {
		what += fmt.Sprintf(", up to %s requests", numfmt.Int(o.Requests))
	}
	// a run read back from runs.json is text from a file: cleaned before it reaches a terminal
	fmt.Fprintf(w, "Load test: %s against %s\n", what, termsafe.Clean(o.URL))
	fmt.Fprintf(w, "Lab state: %s", lab.StageTitle(stages, rec.State))
	if rec.Rows > 0 {
		fmt.Fprintf(w, ", %s rows", numfmt.Int(rec.Rows))
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w)
	fmt.Fprintf(w, "  %-16s %s\n", "Success rate", numfmt.Pct(r.SuccessRate)+"%")
	fmt.Fprintf(w, "  %-16s %s of %s\n", "Failed requests", numfmt.Int(r.Failed), numfmt.Int(r.Total))
	avg, p99 := msText(r.Avg), msText(r.P99)
	if r.Total == r.Failed && len(r.StatusCodes) == 0 {
		avg, p99 = "- (no response at all)", "-"
	}
	fmt.Fprintf(w, "  %-16s %s\n", "Average latency", avg)
	fmt.Fprintf(w, "  %-16s %s\n", "p99 latency", p99)
	fmt.Fprintf(w, "  %-16s %.1f\n", "Requests/sec", r.RPS)
	if r.Unfinished > 0 {
		fmt.Fprintf(w, "  (%s requests still in flight when the run ended were cut off and are not counted)\n", numfmt.Int(r.Unfinished))
	}
	fmt.Fprintln(w)
	if len(r.Errors) == 0 {
		fmt.Fprintln(w, "Errors by cause: none")
		return
	}
	fmt.Fprintln(w, "Errors by cause:")
	for _, c := range r.SortedErrors() {
		fmt.Fprintf(w, "  %-22s %10s  %s\n", termsafe.Clean(c.Cause), numfmt.Int(c.Count), load.CauseHelp(c.Cause))
	}
}

func msText(d time.Duration) string {
	return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', 1, 64) + " ms"
}
