package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"net/url"
	"os"
	"strings"
	"testing"

	"scalelab/lab/pg"
	"scalelab/lab/pg/pgtest"
)

// psqlShowsArgv makes psql print its own command line (its shell escape's parent is psql) and
// then who it is connected as.
var psqlShowsArgv = []string{"--", "-X", "-tA", "-c", `\! tr '\0' ' ' < /proc/$PPID/cmdline; echo`, "-c", "SELECT current_user"}

func password(t *testing.T, connURL string) string {
	t.Helper()
	u, err := url.Parse(connURL)
	if err != nil {
		t.Fatal(err)
	}
	pw, _ := u.User.Password()
	if pw == "" {
		t.Fatalf("no password in the URL")
	}
	return pw
}

// DATABASE_URL / --db is used as given; the password reaches psql in its environment only.
func TestPsqlWithDatabaseURL(t *testing.T) {
	srv := pgtest.OwnServer(t, pg.Options{})
	var out, errb bytes.Buffer
	if err := psqlMain(context.Background(), append([]string{"--db", srv.URL()}, psqlShowsArgv...), strings.NewReader(""), &out, &errb); err != nil {
		t.Fatalf("psql: %v\n%s%s", err, out.String(), errb.String())
	}
	s := out.String()
	if !strings.Contains(s, "psql ") || !strings.HasSuffix(strings.TrimSpace(s), pg.AppUser) {
		t.Fatalf("psql output:\n%s", s)
	}
	if strings.Contains(s+errb.String(), password(t, srv.URL())) {
		t.Fatalf("the password is on psql's command line or in the output:\n%s", s)
	}
}

// With no DATABASE_URL, psql opens on the private cluster (started for the session); --admin is
// the superuser; --url prints a URL that works.
func TestPsqlOnThePrivateCluster(t *testing.T) {
	if pgtest.ExternalURL() != "" {
		t.Skip("tests use an external server")
	}
	home, err := os.MkdirTemp("", "scalelab-psql-")
	if err != nil {
		t.Fatal(err)
	}
	os.Chmod(home, 0o755)
	t.Setenv("SCALELAB_HOME", home)
	t.Setenv("DATABASE_URL", "")
	ctx := context.Background()
	defer os.RemoveAll(home)
	defer func() { pgtest.RemoveAccount(pg.Info{RunAs: pg.Inspect(ctx, pg.Options{}).RunAs}) }()
	var out, errb bytes.Buffer
	if err := psqlMain(ctx, append([]string{"--admin"}, psqlShowsArgv...), strings.NewReader(""), &out, &errb); err != nil {
		t.Fatalf("psql --admin: %v\n%s%s", err, out.String(), errb.String())
	}
	if !strings.HasSuffix(strings.TrimSpace(out.String()), pg.AdminUser) {
		t.Fatalf("psql --admin output:\n%s", out.String())
	}
	out.Reset()
	if err := psqlMain(ctx, []string{"--url"}, strings.NewReader(""), &out, &errb); err != nil {
		t.Fatal(err)
	}
	u := strings.TrimSpace(out.String())
	if !strings.HasPrefix(u, "postgres://"+pg.AppUser+":") {
		t.Fatalf("--url printed %q", u)
	}
	pw := password(t, u)
	out.Reset()
	if err := psqlMain(ctx, psqlShowsArgv, strings.NewReader(""), &out, &errb); err != nil {
		t.Fatal(err)
	}
	if s := out.String(); strings.Contains(s, pw) || !strings.HasSuffix(strings.TrimSpace(s), pg.AppUser) {
		t.Fatalf("psql output:\n%s", s)
	}
	if strings.Contains(errb.String(), pw) {
		t.Fatalf("the password was logged:\n%s", errb.String())
	}
}

func TestPsqlMissingSaysWhatToInstall(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	err := psqlMain(context.Background(), []string{"--db", "postgres://u:p@127.0.0.1:1/x"}, strings.NewReader(""), &bytes.Buffer{}, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "apt install postgresql-client") || !strings.Contains(err.Error(), "brew install libpq") {
		t.Fatalf("psql missing: %v", err)
	}
}

func TestPsqlHelp(t *testing.T) {
	var errb bytes.Buffer
	err := psqlMain(context.Background(), []string{"--help"}, strings.NewReader(""), &bytes.Buffer{}, &errb)
	if !errors.Is(err, flag.ErrHelp) {
		t.Fatal(err)
	}
	for _, want := range []string{"--admin", "--url", "PGPASSWORD", "DATABASE_URL"} {
		if !strings.Contains(errb.String(), want) {
			t.Errorf("help lacks %q:\n%s", want, errb.String())
		}
	}
}
