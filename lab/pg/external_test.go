package pg_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	neturl "net/url"
	"strings"
	"testing"

	"scalelab/lab/pg"
	"scalelab/lab/pg/pgtest"
)

func TestExternalURL(t *testing.T) {
	own := pgtest.OwnServer(t, pg.Options{})
	ext := open(t, pg.Options{URL: own.URL()})
	in := ext.Info()
	if !in.External || in.Started || in.URL != own.URL() || in.Port != own.Info().Port {
		t.Fatalf("external Info = %+v", in)
	}
	if in.Version == "" || strings.Contains(in.Version, " ") {
		t.Fatalf("external version %q", in.Version)
	}
	if got := queryInt(t, ext.URL(), "SELECT 1"); got != 1 {
		t.Fatal(got)
	}
	ctx := context.Background()
	if err := ext.Stop(ctx); !errors.Is(err, pg.ErrExternal) {
		t.Fatalf("Stop on external = %v, want ErrExternal", err)
	}
	if err := ext.Start(ctx); !errors.Is(err, pg.ErrExternal) {
		t.Fatalf("Start on external = %v, want ErrExternal", err)
	}
	if err := ext.Close(); err != nil {
		t.Fatal(err)
	}
	if err := own.Ping(ctx); err != nil {
		t.Fatalf("closing the external Server stopped the server: %v", err)
	}
	if got := ext.DatabaseURL("other"); !strings.HasSuffix(strings.Split(got, "?")[0], "/other") {
		t.Fatalf("DatabaseURL = %q", got)
	}
}

func TestUnreachableURL(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close() // nothing listens there now
	url := fmt.Sprintf("postgres://postgres:secret@127.0.0.1:%d/feedapp?sslmode=disable", port)
	_, err = pg.Open(context.Background(), pg.Options{URL: url})
	if !errors.Is(err, pg.ErrUnreachable) {
		t.Fatalf("Open(unreachable) = %v, want ErrUnreachable", err)
	}
	msg := err.Error()
	if !contains(msg, "check", fmt.Sprint(port), "DATABASE_URL") || strings.Contains(msg, "secret") {
		t.Fatalf("error should say what to check and hide the password: %s", msg)
	}
	if _, err := pg.Open(context.Background(), pg.Options{URL: "postgres://%zz"}); !errors.Is(err, pg.ErrUnreachable) {
		t.Fatalf("Open(bad URL) = %v", err)
	}
}

func TestWrongPasswordIsUnreachable(t *testing.T) {
	own := pgtest.OwnServer(t, pg.Options{})
	u, err := neturl.Parse(own.URL())
	if err != nil {
		t.Fatal(err)
	}
	u.User = neturl.UserPassword(u.User.Username(), "nope")
	url := u.String()
	_, err = pg.Open(context.Background(), pg.Options{URL: url})
	if !errors.Is(err, pg.ErrUnreachable) || !strings.Contains(err.Error(), "password") {
		t.Fatalf("Open(wrong password) = %v", err)
	}
}

func freeTCPPort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
