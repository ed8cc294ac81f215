package posts

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"scalelab/sql"
)

// Plan is the result of EXPLAIN ANALYZE of the feed query.
type Plan struct {
	Text      string        // the plan as PostgreSQL prints it, one line per node
	IndexScan bool          // the plan reads posts through an index ("Index Scan")
	SeqScan   bool          // the plan reads every row of posts ("Seq Scan")
	Execution time.Duration // "Execution Time" of the run, 0 if not found
}

// Verdict is a one-line reading of the plan for a learner.
func (p Plan) Verdict() string {
	t := ""
	if p.Execution > 0 {
		t = fmt.Sprintf(" (%s)", p.Execution.Round(time.Microsecond))
	}
	switch {
	case p.IndexScan:
		return "Index Scan: PostgreSQL jumps straight to the newest posts through the index" + t + "."
	case p.SeqScan:
		return "Seq Scan: PostgreSQL reads every row and sorts them to find the newest 20" + t + ". Run apply-fix to add the index."
	default:
		return "Neither Seq Scan nor Index Scan in the plan" + t + "."
	}
}

var execTime = regexp.MustCompile(`Execution Time: ([0-9.]+) ms`)

// Explain runs EXPLAIN (ANALYZE, BUFFERS) of the feed query and reads the plan.
func Explain(ctx context.Context, db *pgxpool.Pool) (Plan, error) {
	rows, err := db.Query(ctx, sql.ExplainFeed)
	if err != nil {
		return Plan{}, fmt.Errorf("explain the feed query: %w", err)
	}
	var lines []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			rows.Close()
			return Plan{}, fmt.Errorf("explain the feed query: %w", err)
		}
		lines = append(lines, line)
	}
	if err := rows.Err(); err != nil {
		return Plan{}, fmt.Errorf("explain the feed query: %w", err)
	}
	return parsePlan(strings.Join(lines, "\n")), nil
}

func parsePlan(text string) Plan {
	p := Plan{
		Text:      text,
		IndexScan: strings.Contains(text, "Index Scan") || strings.Contains(text, "Index Only Scan"),
		SeqScan:   strings.Contains(text, "Seq Scan"),
	}
	if m := execTime.FindStringSubmatch(text); m != nil {
		if ms, err := strconv.ParseFloat(m[1], 64); err == nil {
			p.Execution = time.Duration(ms * float64(time.Millisecond))
		}
	}
	return p
}
