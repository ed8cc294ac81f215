package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"scalelab/lab/singleserver"
)

func init() {
	register(command{Name: "reset", Summary: "back to the scenario's start: index dropped, posts reseeded", Run: runReset})
}

func runReset(args []string) error {
	return resetMain(context.Background(), args, os.Stdout, os.Stderr)
}

func resetMain(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("reset", "reset [--rows N] [--db URL]",
		"Brings the lab back to the scenario's starting state: drops the index on created_at (Fix 2)\n"+
			"and reseeds the posts table with --rows posts. A 'scalelab serve' running elsewhere keeps its\n"+
			"preset: restart it with --preset broken to undo Fix 1 too.")
	cfg, err := tableCommand(fs, args, stderr)
	if err != nil {
		return err
	}
	cfg.NoSeed = true // reset seeds anyway: an empty database must not be seeded twice
	return withLab(ctx, stderr, cfg, func(ctx context.Context, l *singleserver.Lab) error {
		return reset(ctx, stdout, l)
	})
}

func reset(ctx context.Context, w io.Writer, l *singleserver.Lab) error {
	start := time.Now()
	if err := l.Reset(ctx); err != nil {
		return err
	}
	st := l.State(ctx)
	fmt.Fprintf(w, "Reset in %v: no index on created_at, %d posts freshly seeded.\n",
		time.Since(start).Round(time.Millisecond), st.Rows)
	fmt.Fprintln(w, "The lab is back to the scenario's starting state: 'scalelab explain-query' shows a Seq Scan again.")
	if r, ok := findRunningLab(); ok {
		fmt.Fprintf(w, "%s keeps its connection settings: reset it there (or restart it with --preset broken) to undo Fix 1 too.\n", upperFirst(r.Describe()))
	}
	return nil
}
