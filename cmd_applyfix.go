package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"scalelab/lab/singleserver"
	"scalelab/sql"
)

func init() {
	register(command{Name: "apply-fix", Summary: "Fix 2: create the index on posts(created_at), CONCURRENTLY (idempotent)", Run: runApplyFix})
}

func runApplyFix(args []string) error {
	return applyFixMain(context.Background(), args, os.Stdout, os.Stderr)
}

func applyFixMain(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("apply-fix", "apply-fix [--db URL]",
		"Applies Fix 2: CREATE INDEX CONCURRENTLY on posts (created_at DESC), so GET /feed reads the\n"+
			"20 newest posts from the index instead of sorting the whole table. CONCURRENTLY lets a\n"+
			"running API keep serving while the index is built. Safe to run again: an existing index is\n"+
			"kept, and one left INVALID by an interrupted build is rebuilt.")
	cfg, err := tableCommand(fs, args, stderr)
	if err != nil {
		return err
	}
	return withLab(ctx, stderr, cfg, func(ctx context.Context, l *singleserver.Lab) error {
		return applyFix(ctx, stdout, l)
	})
}

func applyFix(ctx context.Context, w io.Writer, l *singleserver.Lab) error {
	start := time.Now()
	created, err := l.ApplyIndex(ctx)
	if err != nil {
		return fmt.Errorf("%w; run 'scalelab apply-fix' again (a failed build is cleaned up and retried)", err)
	}
	if created {
		fmt.Fprintf(w, "Created index %s on posts (created_at DESC) in %v, CONCURRENTLY: the API kept serving.\n",
			sql.IndexName, time.Since(start).Round(time.Millisecond))
	} else {
		fmt.Fprintf(w, "Index %s already exists: nothing to do.\n", sql.IndexName)
	}
	if r, ok := findRunningLab(); ok {
		fmt.Fprintf(w, "%s reads this table: its next load test runs with the index.\n", upperFirst(r.Describe()))
	}
	fmt.Fprintln(w, "Check that PostgreSQL uses it: scalelab explain-query")
	return nil
}
