package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	osexec "os/exec"
	"os/user"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"scalelab/lab/pg"
)

var shared struct {
	mu  sync.Mutex
	srv *pg.Server
	err error
	dir string
}

// Main runs the tests, then stops the shared cluster and removes its directory. Call it from
// TestMain. Nothing starts until a test calls Server or NewDatabase.
func Main(m *testing.M) {
	// Ctrl+C or a kill during the tests: stop the cluster and remove its directory too.
	stop := pg.StopOnSignals(closerFunc(func() error { shutdown(); return nil }))
	code := m.Run()
	stop()
	shutdown()
	for _, name := range pg.CreatedSystemUsers() {
		removeUser(name)
	}
	os.Exit(code)
}

type closerFunc func() error

func (f closerFunc) Close() error { return f() }

func shutdown() {
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if shared.srv != nil {
		if err := shared.srv.Close(); err != nil {
			fmt.Fprintf(os.Stderr, "pgtest: stopping the test PostgreSQL: %v\n", err)
		}
		RemoveAccount(shared.srv.Info())
		shared.srv = nil
	}
	if shared.dir != "" {
		os.RemoveAll(shared.dir)
		shared.dir = ""
	}
}

// ExternalURL returns the server tests should use instead of a private cluster:
// SCALELAB_TEST_DATABASE_URL, else DATABASE_URL, else "".
func ExternalURL() string {
	if u := os.Getenv("SCALELAB_TEST_DATABASE_URL"); u != "" {
		return u
	}
	return os.Getenv("DATABASE_URL")
}

// Server returns the PostgreSQL shared by the tests of this binary, starting it on first use.
// A failure to start fails the test (PostgreSQL is required, not optional).
func Server(tb testing.TB) *pg.Server {
	tb.Helper()
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if shared.srv == nil && shared.err == nil {
		shared.srv, shared.err = openShared()
	}
	if shared.err != nil {
		tb.Fatalf("pgtest: no PostgreSQL for the tests: %v", shared.err)
	}
	return shared.srv
}

func openShared() (*pg.Server, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	if u := ExternalURL(); u != "" {
		return pg.Open(ctx, pg.Options{URL: u})
	}
	dir, err := reachableTempDir()
	if err != nil {
		return nil, err
	}
	shared.dir = dir
	// Enough connections for tests that run 100 concurrent users with pools.
	return pg.Open(ctx, pg.Options{DataDir: filepath.Join(dir, "pg"), MaxConnections: 300})
}

// reachableTempDir makes a directory under the system temp dir that the unprivileged user
// PostgreSQL runs as (when tests run as root) can reach, so the cluster stays inside it.
func reachableTempDir() (string, error) {
	dir, err := os.MkdirTemp("", "scalelab-pgtest-")
	if err != nil {
		return "", err
	}
	return dir, os.Chmod(dir, 0o755)
}

// NewDatabase creates an empty database with a unique name on Server and returns its URL. It is
// dropped (WITH (FORCE): open connections are cut) when the test ends.
func NewDatabase(tb testing.TB) string {
	tb.Helper()
	srv := Server(tb)
	name := dbName(tb.Name())
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	// As the superuser (the lab's role may not create databases), owned by the lab's role, as
	// the private cluster's own database is.
	create := "CREATE DATABASE " + quoteIdent(name)
	if !srv.Info().External {
		create += " OWNER " + pg.AppUser
	}
	if err := exec(ctx, srv.AdminURL(), create); err != nil {
		tb.Fatalf("pgtest: create database %s: %v", name, err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := exec(ctx, srv.AdminURL(), "DROP DATABASE IF EXISTS "+quoteIdent(name)+" WITH (FORCE)"); err != nil {
			tb.Errorf("pgtest: drop database %s: %v", name, err)
		}
	})
	return srv.DatabaseURL(name)
}

// OwnServer starts a private cluster for this test alone (for tests that stop, kill or
// reconfigure PostgreSQL). Without opt.DataDir it lives in a temporary directory removed at the
// end. It is closed when the test ends; a cluster relocated because of root (Info().DataDir
// differs from opt.DataDir) is removed too.
func OwnServer(tb testing.TB, opt pg.Options) *pg.Server {
	tb.Helper()
	if opt.URL == "" && opt.DataDir == "" {
		dir, err := reachableTempDir()
		if err != nil {
			tb.Fatalf("pgtest: %v", err)
		}
		tb.Cleanup(func() { os.RemoveAll(dir) })
		opt.DataDir = filepath.Join(dir, "pg")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	srv, err := pg.Open(ctx, opt)
	if err != nil {
		tb.Fatalf("pgtest: start a PostgreSQL of the test's own: %v", err)
	}
	tb.Cleanup(func() {
		if err := srv.Close(); err != nil {
			tb.Errorf("pgtest: stop the test's PostgreSQL: %v", err)
		}
		RemoveAccount(srv.Info())
		if in := srv.Info(); !in.External && in.DataDir != "" && opt.DataDir != "" {
			if abs, _ := filepath.Abs(opt.DataDir); abs != in.DataDir {
				os.RemoveAll(in.DataDir)
			}
		}
	})
	return srv
}

func exec(ctx context.Context, url, sql string) error {
	conn, err := pgconn.Connect(ctx, url)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	return conn.Exec(ctx, sql).Close()
}

// dbName makes a valid, unique database name from a test name: t_<name>_<random>, at most 63 bytes.
func dbName(testName string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(testName) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	n := b.String()
	if len(n) > 40 {
		n = n[:40]
	}
	var rnd [5]byte
	rand.Read(rnd[:])
	return "t_" + n + "_" + hex.EncodeToString(rnd[:])
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// RemoveAccount deletes the system user a root-run test cluster ran as (one is made per cluster
// directory, see pg.SystemUser), once that cluster has stopped: tests make many directories and
// must not leave a user behind for each. It does nothing when not root or for other users. Main
// removes, at the end, every user the test binary made, so tests need it only for clusters made
// by other processes (the binary under test).
func RemoveAccount(in pg.Info) {
	if os.Geteuid() != 0 || in.External || !strings.HasPrefix(in.RunAs, pg.SystemUser+"-") {
		return
	}
	removeUser(in.RunAs)
}

// removeUser runs userdel, again (for up to 5 s) while another process holds the passwd lock or
// the cluster's last processes are still exiting; a user whose processes keep running is left.
func removeUser(name string) {
	path, err := osexec.LookPath("userdel")
	if err != nil {
		return
	}
	for i := 0; i < 50; i++ {
		err := osexec.Command(path, name).Run()
		var ee *osexec.ExitError
		if err == nil || !errors.As(err, &ee) || (ee.ExitCode() != 1 && ee.ExitCode() != 8 && ee.ExitCode() != 10) {
			return
		}
		if _, err := user.Lookup(name); err != nil {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
}
