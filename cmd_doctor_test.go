package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"strings"
	"testing"

	"scalelab/lab/pg"
	"scalelab/lab/pg/pgtest"
)

func TestDoctorWithReachableDB(t *testing.T) {
	t.Setenv("SCALELAB_HOME", t.TempDir())
	srv := pgtest.OwnServer(t, pg.Options{})
	var out bytes.Buffer
	if err := doctor(context.Background(), &out, srv.URL()); err != nil {
		t.Fatalf("doctor: %v\n%s", err, out.String())
	}
	s := out.String()
	for _, want := range []string{"data home", "PostgreSQL", "DATABASE_URL", "answers", "terminal", "colours", "postgres:xxxxx@"} {
		if !strings.Contains(s, want) {
			t.Errorf("doctor output lacks %q:\n%s", want, s)
		}
	}
	if strings.Contains(s, ":postgres@") {
		t.Errorf("doctor printed the password:\n%s", s)
	}
}

func TestDoctorUnreachableDBFails(t *testing.T) {
	t.Setenv("SCALELAB_HOME", t.TempDir())
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	var out bytes.Buffer
	err = doctor(context.Background(), &out, fmt.Sprintf("postgres://u:p@127.0.0.1:%d/x", port))
	if err == nil {
		t.Fatalf("doctor succeeded with an unreachable DATABASE_URL:\n%s", out.String())
	}
	if !strings.Contains(out.String(), "to fix:") || !strings.Contains(out.String(), "check that the server runs") {
		t.Fatalf("doctor gave no advice:\n%s", out.String())
	}
}
