package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"scalelab/lab/feed"
	"scalelab/lab/singleserver"
)

func init() {
	register(command{Name: "serve", Summary: "run the feed API on 127.0.0.1:3000 in the foreground (Ctrl+C stops)", Run: runServe})
}

// serveArgs are the flags of `scalelab serve`.
type serveArgs struct {
	labFlags
	preset string
	addr   string
	// Knob overrides (0 / "" = the preset's value).
	maxConns        int
	connectTimeout  time.Duration
	slowQuery       time.Duration
	slowSet         bool
	pool            string // "shared" | "per-request"
	closePerRequest string // "true" | "false"
}

func runServe(args []string) error {
	err := serveMain(context.Background(), args, os.Stdout, os.Stderr)
	if err == nil {
		fmt.Fprintln(os.Stdout, "Stopped.")
	}
	return err
}

// serveMain is `scalelab serve` with its context and output streams.
func serveMain(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("serve", "serve [--preset broken|fixed] [--addr 127.0.0.1:3000] [--rows N] [--db URL]",
		"Starts the lab in the foreground: PostgreSQL (the private cluster, or --db), the posts table\n"+
			"(seeded if empty), and the feed API with the chosen preset's connection knobs:\n"+
			"  broken  the scenario as shipped: a new pool per request, 1 connection, 150ms connect timeout,\n"+
			"          a 500ms simulated slow query, the pool closed after\n"+
			"  fixed   Fix 1: one shared pool, 10 connections, 2s timeout, no delay\n"+
			"The knob flags below change one setting of the preset. Ctrl+C stops the API and PostgreSQL.")
	fs.SetOutput(stderr)
	var a serveArgs
	a.labFlags.register(fs)
	fs.StringVar(&a.preset, "preset", "broken", "the API's connection knobs: broken or fixed")
	fs.StringVar(&a.addr, "addr", singleserver.DefaultAddr, "where the API listens (host:port; port 0 picks a free one)")
	fs.IntVar(&a.maxConns, "max-conns", 0, "override: connections per pool")
	fs.DurationVar(&a.connectTimeout, "connect-timeout", 0, "override: how long a request waits for a connection (e.g. 150ms, 2s)")
	fs.DurationVar(&a.slowQuery, "slow-query", 0, "override: simulated slow query in GET /feed (0s for none)")
	fs.StringVar(&a.pool, "pool", "", "override: shared or per-request")
	fs.StringVar(&a.closePerRequest, "close-per-request", "", "override: true or false (false leaks every per-request pool)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := a.labFlags.check(fs); err != nil {
		return err
	}
	fs.Visit(func(f *flag.Flag) { a.slowSet = a.slowSet || f.Name == "slow-query" })
	k, err := a.knobs()
	if err != nil {
		return err
	}
	if err := feed.CheckAddr(a.addr); err != nil {
		return err // before starting PostgreSQL for nothing
	}
	cfg := a.labFlags.config(stderr)
	cfg.Addr, cfg.Knobs = a.addr, k
	return withLab(ctx, stderr, cfg, func(ctx context.Context, l *singleserver.Lab) error {
		return serve(ctx, stdout, stderr, l)
	})
}

// knobs builds the knobs from --preset and the overrides.
func (a serveArgs) knobs() (feed.Knobs, error) {
	k, err := feed.ParsePreset(a.preset)
	if err != nil {
		return k, fmt.Errorf("--preset: %w", err)
	}
	if a.maxConns != 0 {
		k.MaxConns = int32(a.maxConns)
	}
	if a.connectTimeout != 0 {
		k.ConnectTimeout = a.connectTimeout
	}
	if a.slowSet {
		k.SlowQuery = a.slowQuery
	}
	switch a.pool {
	case "":
	case "shared":
		k.SharedPool = true
	case "per-request":
		k.SharedPool = false
	default:
		return k, fmt.Errorf("--pool %q: use shared or per-request", a.pool)
	}
	switch a.closePerRequest {
	case "":
	case "true":
		k.ClosePerRequest = true
	case "false":
		k.ClosePerRequest = false
	default:
		return k, fmt.Errorf("--close-per-request %q: use true or false", a.closePerRequest)
	}
	if err := k.Validate(); err != nil {
		return k, err
	}
	return k, nil
}

// serve prints where the lab is (and, on stderr, who else can reach it when
// that is more than this machine) and waits for ctx (Ctrl+C).
func serve(ctx context.Context, w, warn io.Writer, l *singleserver.Lab) error {
	st := l.State(ctx)
	if msg := feed.ExposureWarning(st.APIAddr); msg != "" {
		fmt.Fprintf(warn, "Warning: %s\n", msg)
	}
	base := "http://" + st.APIAddr
	where := "the private cluster"
	if st.PG.External {
		where = "the server at --db / DATABASE_URL"
	}
	fmt.Fprintf(w, "Feed API listening on %s\n", base)
	fmt.Fprintf(w, "  preset %s: %s\n", st.Preset, st.Knobs)
	fmt.Fprintf(w, "  PostgreSQL %s on port %d (%s), %d posts, index on created_at: %s\n",
		st.PG.Version, st.PG.Port, where, st.Rows, yesNo(st.Index))
	fmt.Fprintf(w, "\nTry:\n")
	fmt.Fprintf(w, "  curl %s/feed\n", base)
	fmt.Fprintf(w, "  curl -X POST -H 'Content-Type: application/json' -d '{\"user_id\": 1, \"content\": \"hello\"}' %s/posts\n", base)
	fmt.Fprintf(w, "  curl %s/health\n", base)
	fmt.Fprintf(w, "  curl %s/metrics\n", base)
	fmt.Fprintf(w, "  scalelab loadtest --url %s/feed\n", base)
	fmt.Fprintf(w, "\nCtrl+C stops the API and PostgreSQL.\n")
	<-ctx.Done()
	fmt.Fprintf(w, "\nStopping...\n")
	return nil
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
