package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"scalelab/lab/haproxy"
	"scalelab/lab/pg"
	"scalelab/lab/pg/pgtest"
)

// reachableHome is a data home the PostgreSQL user can reach when the tests run as root (a 0700
// t.TempDir would send the cluster dir to the machine's shared one, whatever runs there).
func reachableHome(t *testing.T) string {
	t.Helper()
	home, err := os.MkdirTemp("", "scalelab-doctor-")
	if err != nil {
		t.Fatal(err)
	}
	os.Chmod(home, 0o755)
	t.Cleanup(func() { os.RemoveAll(home) })
	return home
}

func TestDoctorWithReachableDB(t *testing.T) {
	t.Setenv("SCALELAB_HOME", reachableHome(t))
	srv := pgtest.OwnServer(t, pg.Options{})
	var out bytes.Buffer
	if err := doctor(context.Background(), &out, srv.URL()); err != nil {
		t.Fatalf("doctor: %v\n%s", err, out.String())
	}
	s := out.String()
	for _, want := range []string{"data home", "PostgreSQL", "DATABASE_URL", "answers", "terminal", "colours", pg.AppUser + ":xxxxx@"} {
		if !strings.Contains(s, want) {
			t.Errorf("doctor output lacks %q:\n%s", want, s)
		}
	}
	if strings.Contains(s, ":postgres@") {
		t.Errorf("doctor printed the password:\n%s", s)
	}
	if u, _ := url.Parse(srv.URL()); u != nil {
		if pw, _ := u.User.Password(); pw == "" || strings.Contains(s, pw) {
			t.Errorf("doctor printed the password (or the URL has none):\n%s", s)
		}
	}
}

// The private cluster running: doctor shows its URL without the password.
func TestDoctorNeverPrintsTheClusterPassword(t *testing.T) {
	home := reachableHome(t)
	t.Setenv("SCALELAB_HOME", home)
	srv := pgtest.OwnServer(t, pg.Options{DataDir: filepath.Join(home, "pg", "15")})
	st := pg.Inspect(context.Background(), pg.Options{})
	if !st.Running {
		t.Skipf("doctor looks at another dir than the test's cluster (%s)", st.DataDir)
	}
	var out bytes.Buffer
	doctor(context.Background(), &out, "")
	u, _ := url.Parse(srv.URL())
	pw, _ := u.User.Password()
	if pw == "" || strings.Contains(out.String(), pw) || !strings.Contains(out.String(), pg.AppUser+":xxxxx@") {
		t.Fatalf("doctor output (must show the URL without its password):\n%s", out.String())
	}
}

// A data home that cannot be written is reported, with what to do, before any work is lost.
func TestDoctorReportsAReadOnlyDataHome(t *testing.T) {
	home := t.TempDir()
	t.Setenv("SCALELAB_HOME", home)
	if os.Geteuid() == 0 {
		// Root writes through permissions: make the directory immutable instead.
		if out, err := exec.Command("chattr", "+i", home).CombinedOutput(); err != nil {
			t.Skipf("chattr +i: %v %s", err, out)
		}
		t.Cleanup(func() { exec.Command("chattr", "-i", home).Run() })
	} else {
		os.Chmod(home, 0o500)
		t.Cleanup(func() { os.Chmod(home, 0o700) })
	}
	var out bytes.Buffer
	err := doctor(context.Background(), &out, "")
	if err == nil || !strings.Contains(out.String(), "NOT WRITABLE") || !strings.Contains(out.String(), "set SCALELAB_HOME to a writable directory") {
		t.Fatalf("doctor on a read-only data home: %v\n%s", err, out.String())
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

// HAProxy is Scenario 2's alone: doctor names it when found, and when missing warns with the
// install line and still passes (Scenario 1 runs without it).
func TestDoctorReportsHAProxyAsScenario2s(t *testing.T) {
	t.Setenv("SCALELAB_HOME", reachableHome(t))
	srv := pgtest.OwnServer(t, pg.Options{})
	var out bytes.Buffer
	if err := doctor(context.Background(), &out, srv.URL()); err != nil {
		t.Fatalf("doctor: %v\n%s", err, out.String())
	}
	if _, ferr := haproxy.Find(); ferr == nil && !strings.Contains(out.String(), "(Scenario 2)") {
		t.Errorf("doctor does not report the HAProxy found:\n%s", out.String())
	}

	findHAProxy = func() (string, error) { return "", haproxy.ErrNotFound }
	t.Cleanup(func() { findHAProxy = haproxy.Find })
	out.Reset()
	if err := doctor(context.Background(), &out, srv.URL()); err != nil {
		t.Fatalf("doctor fails without HAProxy (Scenario 1 needs none): %v\n%s", err, out.String())
	}
	for _, want := range []string{"NOT FOUND (needed by Scenario 2 only)", "warnings:", "apt install haproxy / brew install haproxy", "Scenario 1 can run"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("doctor without HAProxy lacks %q:\n%s", want, out.String())
		}
	}
}
