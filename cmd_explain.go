package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"

	"scalelab/lab/posts"
	"scalelab/lab/singleserver"
)

func init() {
	register(command{Name: "explain-query", Summary: "show how PostgreSQL runs the feed query (Seq Scan before Fix 2, Index Scan after)", Run: runExplain})
}

func runExplain(args []string) error {
	color := term.IsTerminal(int(os.Stdout.Fd())) && os.Getenv("NO_COLOR") == ""
	return explainMain(context.Background(), args, os.Stdout, os.Stderr, color)
}

func explainMain(ctx context.Context, args []string, stdout, stderr io.Writer, color bool) error {
	fs := newFlagSet("explain-query", "explain-query [--db URL]",
		"Runs EXPLAIN ANALYZE of GET /feed's query (SELECT ... ORDER BY created_at DESC LIMIT 20) and\n"+
			"prints PostgreSQL's plan. 'Seq Scan' means it read every row of posts and sorted them;\n"+
			"'Index Scan' means it jumped to the newest posts through the index (after apply-fix).")
	cfg, err := tableCommand(fs, args, stderr)
	if err != nil {
		return err
	}
	return withLab(ctx, stderr, cfg, func(ctx context.Context, l *singleserver.Lab) error {
		plan, err := l.Explain(ctx)
		if err != nil {
			return err
		}
		printPlan(stdout, plan, color)
		return nil
	})
}

// printPlan prints the plan with Seq Scan / Index Scan highlighted (with ANSI
// colours when color, else with >> markers), then a one-line verdict.
func printPlan(w io.Writer, p posts.Plan, color bool) {
	for _, line := range strings.Split(p.Text, "\n") {
		fmt.Fprintln(w, highlight(line, color))
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, p.Verdict())
}

func highlight(line string, color bool) string {
	for _, h := range []struct{ word, ansi string }{
		{"Seq Scan", "\x1b[1;31m"},        // bold red
		{"Index Only Scan", "\x1b[1;32m"}, // bold green
		{"Index Scan", "\x1b[1;32m"},
	} {
		if !strings.Contains(line, h.word) {
			continue
		}
		if color {
			return strings.Replace(line, h.word, h.ansi+h.word+"\x1b[0m", 1)
		}
		return ">> " + line
	}
	if color {
		return line
	}
	return "   " + line
}
