package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"scalelab/lab/pg"
)

// errNoPsql says what to install when there is no psql.
var errNoPsql = errors.New("psql not found: install the PostgreSQL client (apt install postgresql-client / brew install libpq, then put its bin directory on PATH)")

func runPsql(args []string) error {
	return psqlMain(context.Background(), args, os.Stdin, os.Stdout, os.Stderr)
}

// psqlMain is `scalelab psql` with its streams: it starts the private cluster if needed (and
// stops it when psql ends, if it started it), then runs psql connected to the lab's database,
// the password in PGPASSWORD, never on psql's command line. Arguments after -- go to psql.
func psqlMain(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlagSet("psql", "psql [--admin] [--url] [--db URL] [-- psql arguments]",
		"Opens psql on the lab's database in one step: the private cluster (started for the session\n"+
			"when it does not run), or the server of --db / DATABASE_URL as given. It connects as the\n"+
			"role the lab itself uses (it owns the feed's tables); --admin connects as the cluster's\n"+
			"superuser instead. The password is handed to psql in its environment (PGPASSWORD), never on\n"+
			"its command line, and is printed nowhere unless you ask with --url, which prints the URL\n"+
			"(password included: keep it to yourself) instead of starting psql.\n"+
			"Arguments after -- are passed to psql, e.g. `scalelab psql -- -c 'SELECT count(*) FROM posts'`.")
	fs.SetOutput(stderr)
	admin := fs.Bool("admin", false, "connect as the private cluster's superuser (postgres)")
	printURL := fs.Bool("url", false, "print the connection URL (with its password) instead of starting psql")
	db := fs.String("db", os.Getenv("DATABASE_URL"), "an existing PostgreSQL to use instead of the private cluster (default $DATABASE_URL)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var psqlPath string
	if !*printURL {
		psqlPath = findPsql(ctx, *db == "")
		if psqlPath == "" {
			return errNoPsql
		}
	}
	octx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	srv, err := pg.Open(octx, pg.Options{URL: *db, Logf: func(f string, a ...any) { fmt.Fprintf(stderr, "scalelab: "+f+"\n", a...) }})
	cancel()
	if err != nil {
		return err
	}
	defer srv.Close()
	defer pg.StopOnSignals(srv)()
	connURL := srv.URL()
	if *admin {
		connURL = srv.AdminURL()
	}
	if *printURL {
		fmt.Fprintln(stdout, connURL)
		return nil
	}
	argv, env, err := psqlArgs(connURL)
	if err != nil {
		return err
	}
	cmd := exec.Command(psqlPath, append(argv, fs.Args()...)...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = stdin, stdout, stderr
	// Ctrl+C in psql cancels its query; it must not end scalelab (which would stop the
	// cluster under psql). Caught here (not ignored, so psql gets the default handling).
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGQUIT)
	defer signal.Stop(sig)
	if err := cmd.Run(); err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return exitError{code: ee.ExitCode()}
		}
		return fmt.Errorf("run %s: %w", psqlPath, err)
	}
	return nil
}

// psqlArgs splits a connection string into psql arguments without the password and the
// environment that carries it (PGPASSWORD).
func psqlArgs(connURL string) (argv, env []string, err error) {
	if u, perr := url.Parse(connURL); perr == nil && (u.Scheme == "postgres" || u.Scheme == "postgresql") {
		var env []string
		if u.User != nil {
			if pw, ok := u.User.Password(); ok {
				env = append(env, "PGPASSWORD="+pw)
			}
			u.User = url.User(u.User.Username())
		}
		if q := u.Query(); q.Has("password") {
			env = append(env, "PGPASSWORD="+q.Get("password"))
			q.Del("password")
			u.RawQuery = q.Encode()
		}
		return []string{"--dbname=" + u.String()}, env, nil
	}
	// A keyword/value string: its parts, the password apart.
	cfg, err := pgconn.ParseConfig(connURL)
	if err != nil {
		return nil, nil, fmt.Errorf("cannot parse the database URL %s: %v (expected postgres://user:password@host:5432/dbname)", pg.Redact(connURL), err)
	}
	argv = []string{"--host=" + cfg.Host, "--port=" + strconv.Itoa(int(cfg.Port)), "--username=" + cfg.User, "--dbname=" + cfg.Database}
	if cfg.Password != "" {
		env = append(env, "PGPASSWORD="+cfg.Password)
	}
	return argv, env, nil
}

// findPsql looks for psql on PATH, then (for the private cluster) beside the server binaries.
func findPsql(ctx context.Context, private bool) string {
	if p, err := exec.LookPath("psql"); err == nil {
		return p
	}
	if !private {
		return ""
	}
	bins, err := pg.FindBinaries(ctx, "")
	if err != nil {
		return ""
	}
	if p := bins.Path("psql"); p != "" {
		if st, err := os.Stat(p); err == nil && !st.IsDir() && st.Mode()&0o111 != 0 {
			return p
		}
	}
	return ""
}
