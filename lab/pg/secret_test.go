package pg_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"scalelab/lab/pg"
	"scalelab/lab/pg/pgtest"
)

// The superuser's password is random per cluster, kept 0600; the lab's URL is a role that owns
// the lab's database and may do nothing else.
func TestNoPublishedPassword(t *testing.T) {
	srv := pgtest.OwnServer(t, pg.Options{})
	in := srv.Info()
	published := fmt.Sprintf("postgres://postgres:postgres@127.0.0.1:%d/feedapp?sslmode=disable", in.Port)
	if conn, err := connect(context.Background(), published); err == nil {
		conn.Close(context.Background())
		t.Fatal("postgres/postgres logs in")
	}
	st, err := os.Stat(filepath.Join(in.DataDir, "secret.json"))
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Fatalf("secret.json mode %v, want 0600", st.Mode().Perm())
	}
	if got := queryInt(t, srv.URL(), "SELECT count(*) FROM pg_roles WHERE rolname = current_user AND NOT rolsuper AND NOT rolcreaterole AND NOT rolcreatedb AND rolcanlogin"); got != 1 {
		t.Fatalf("the lab's role is privileged (or not %s)", pg.AppUser)
	}
	if got := queryInt(t, srv.URL(), "SELECT count(*) FROM pg_database WHERE datname = current_database() AND pg_get_userbyid(datdba) = current_user"); got != 1 {
		t.Fatal("the lab's role does not own its database")
	}
	if got := queryInt(t, srv.AdminURL(), "SELECT count(*) FROM pg_roles WHERE rolname = current_user AND rolsuper"); got != 1 {
		t.Fatal("AdminURL is not the superuser")
	}
	if !strings.HasPrefix(pg.Redact(srv.URL()), "postgres://"+pg.AppUser+":xxxxx@") {
		t.Fatalf("URL %s", pg.Redact(srv.URL()))
	}
	// The lab's role can make and index its tables (the scenario's fixes), not reach the files.
	mustExec(t, srv.URL(), "CREATE TABLE mine (n int)")
	mustExec(t, srv.URL(), "CREATE INDEX CONCURRENTLY mine_n ON mine (n)")
	ctx := context.Background()
	conn, err := connect(ctx, srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "COPY mine TO PROGRAM 'id'"); err == nil {
		t.Fatal("the lab's role may run programs")
	}
}

// A cluster made by an older scalelab (superuser postgres/postgres, tables owned by it, no kept
// passwords) is migrated at the next Open: the published password stops working.
func TestLegacyClusterIsMigrated(t *testing.T) {
	dir := clusterDir(t)
	srv := open(t, pg.Options{DataDir: dir})
	in := srv.Info()
	mustExec(t, srv.AdminURL(), "CREATE TABLE old (n int); INSERT INTO old VALUES (1); ALTER ROLE postgres PASSWORD 'postgres'")
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(in.DataDir, "secret.json")); err != nil {
		t.Fatal(err)
	}
	var logs []string
	srv = open(t, pg.Options{DataDir: dir, Logf: func(f string, a ...any) { logs = append(logs, fmt.Sprintf(f, a...)) }})
	published := fmt.Sprintf("postgres://postgres:postgres@127.0.0.1:%d/feedapp?sslmode=disable", srv.Info().Port)
	if conn, err := connect(context.Background(), published); err == nil {
		conn.Close(context.Background())
		t.Fatal("the published password still works after the migration")
	}
	if got := queryInt(t, srv.URL(), "SELECT count(*) FROM old"); got != 1 {
		t.Fatal(got)
	}
	mustExec(t, srv.URL(), "DROP TABLE old") // only its owner may
	if !strings.Contains(strings.Join(logs, "\n"), "replaced the cluster's published superuser password") {
		t.Errorf("the migration was not logged: %q", logs)
	}
}

// A scalelab killed while initdb runs leaves no file that holds the password (initdb reads it
// from a pipe; the kept passwords are written once the cluster is complete), and the next Open
// makes the cluster afresh.
func TestKillDuringInitdbLeavesNoPassword(t *testing.T) {
	dir := clusterDir(t)
	cmd, _, err := startHelperNoWait(t, "hold", dir)
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(time.Minute)
	for {
		if m, _ := filepath.Glob(filepath.Join(dir, "data.init-*", "base")); len(m) > 0 {
			break // initdb is writing the cluster
		}
		if time.Now().After(deadline) {
			t.Fatal("initdb never started")
		}
		time.Sleep(2 * time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	var left []string
	filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() && (strings.Contains(info.Name(), "pwfile") || strings.HasPrefix(info.Name(), "secret")) {
			left = append(left, p)
		}
		return nil
	})
	if len(left) > 0 {
		t.Fatalf("a kill during initdb left password files: %v", left)
	}
	srv := open(t, pg.Options{DataDir: dir})
	if err := srv.Ping(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// A cluster an older scalelab runs (superuser postgres/postgres, no lab role, no kept
// passwords) is attached to and set up, not refused.
func TestAttachToALegacyCluster(t *testing.T) {
	dir := clusterDir(t)
	owner := open(t, pg.Options{DataDir: dir})
	in := owner.Info()
	mustExec(t, owner.AdminURL(), "ALTER ROLE postgres PASSWORD 'postgres'")
	legacy := fmt.Sprintf("postgres://postgres:postgres@127.0.0.1:%d/feedapp?sslmode=disable", in.Port)
	mustExec(t, legacy, "REASSIGN OWNED BY "+pg.AppUser+" TO postgres")
	mustExec(t, legacy, "DROP ROLE "+pg.AppUser)
	if err := os.Remove(filepath.Join(in.DataDir, "secret.json")); err != nil {
		t.Fatal(err)
	}
	attached := open(t, pg.Options{DataDir: dir})
	if attached.Info().Started {
		t.Fatal("did not attach")
	}
	if got := queryInt(t, attached.URL(), "SELECT count(*) FROM pg_database WHERE datname = current_database() AND pg_get_userbyid(datdba) = current_user"); got != 1 {
		t.Fatal("the lab's role does not own its database after attaching")
	}
}

// Inspect (doctor) recognises a cluster an older scalelab runs, with its published password,
// as running and answering rather than broken.
func TestInspectLegacyCluster(t *testing.T) {
	dir := clusterDir(t)
	srv := open(t, pg.Options{DataDir: dir})
	in := srv.Info()
	if st := pg.Inspect(context.Background(), pg.Options{DataDir: dir}); !st.Answers || st.Legacy {
		t.Fatalf("Inspect of a current cluster: %+v", st)
	}
	mustExec(t, srv.AdminURL(), "ALTER ROLE postgres PASSWORD 'postgres'")
	if err := os.Remove(filepath.Join(in.DataDir, "secret.json")); err != nil {
		t.Fatal(err)
	}
	if st := pg.Inspect(context.Background(), pg.Options{DataDir: dir}); !st.Answers || !st.Legacy {
		t.Fatalf("Inspect of a legacy cluster: %+v", st)
	}
}
