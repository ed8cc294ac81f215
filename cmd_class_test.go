package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"scalelab/class/room"
	"scalelab/class/server"
)

func TestClassHelpExplainsEveryCommand(t *testing.T) {
	var stderr bytes.Buffer
	if code := run([]string{"help"}, &stderr); code != 0 || !strings.Contains(stderr.String(), "class") {
		t.Errorf("help does not list class (exit %d):\n%s", code, stderr.String())
	}
	for _, c := range []struct {
		args []string
		want []string
	}{
		{[]string{"serve", "--help"}, []string{"ssh -p 2222 NAME@HOST", "ssh-keygen -t ed25519", "--keys", "--code", "--slots", "--max-learners", "--idle", "--metrics-addr", "--no-lab"}},
		{[]string{"board", "--help"}, []string{"projector", "scalelab class serve"}},
		{[]string{"export", "--help"}, []string{"--csv", "--md", "markdown"}},
	} {
		out := captureStderr(t, func() error { return runClass(c.args) })
		for _, w := range c.want {
			if !strings.Contains(out, w) {
				t.Errorf("class %s does not say %q:\n%s", strings.Join(c.args, " "), w, out)
			}
		}
	}
	if err := runClass([]string{"teach"}); err == nil || !strings.Contains(err.Error(), "serve, board or export") {
		t.Errorf("an unknown class command: %v", err)
	}
}

// captureStderr runs fn with os.Stderr (where flag usage goes) read into a string.
func captureStderr(t *testing.T, fn func() error) string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	old := os.Stderr
	os.Stderr = w
	done := make(chan string)
	go func() {
		var b bytes.Buffer
		b.ReadFrom(r)
		done <- b.String()
	}()
	fn()
	os.Stderr = old
	w.Close()
	return <-done
}

func TestClassServeRefusesBadFlags(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--slots", "0"}, "--slots 0 is out of range"},
		{[]string{"--max-learners", "0"}, "--max-learners 0 is out of range"},
		{[]string{"--idle", "10ms"}, "--idle 10ms is too short"},
		{[]string{"--duration", "10h"}, "--duration 10h0m0s is out of range"},
		{[]string{"--users", "0"}, "--users 0 is out of range"},
		{[]string{"--theme", "neon"}, `unknown theme "neon"`},
		{[]string{"--keys", filepath.Join(dir, "none"), "--code", "x"}, "--keys and --code exclude each other"},
		{[]string{"--keys", filepath.Join(dir, "none")}, "--keys takes a file in authorized_keys format"},
		{[]string{"extra"}, `unexpected argument "extra"`},
	} {
		args := append([]string{"--dir", filepath.Join(dir, "class"), "--addr", "127.0.0.1:0", "--metrics-addr", "off"}, c.args...)
		err := runClassServe(args, &bytes.Buffer{})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("class serve %v: %v, want %q", c.args, err, c.want)
		}
	}
}

// A class directory too deep for its control socket is refused before the join banner, and
// leaves nothing behind.
func TestClassServeRefusesADirTooLongForItsSocket(t *testing.T) {
	dir := filepath.Join(t.TempDir(), strings.Repeat("d", 60), strings.Repeat("e", 60))
	var stdout bytes.Buffer
	err := runClassServe([]string{"--dir", dir, "--addr", "127.0.0.1:0", "--metrics-addr", "off", "--no-lab"}, &stdout)
	if err == nil || !strings.Contains(err.Error(), "pass a shorter --dir") {
		t.Fatalf("a directory too long for its socket: %v", err)
	}
	if stdout.Len() > 0 {
		t.Errorf("the join banner printed before the refusal:\n%s", stdout.String())
	}
	if _, err := os.Stat(filepath.Join(dir, "server.pid")); err == nil {
		t.Error("a refused server left server.pid")
	}
}

func TestClassExportAndBoardWithoutAServer(t *testing.T) {
	dir := t.TempDir()
	for _, fn := range []func() error{
		func() error { return runClassExport([]string{"--dir", dir}, &bytes.Buffer{}) },
		func() error { return runClassBoard([]string{"--dir", dir}) },
	} {
		if err := fn(); err == nil || !strings.Contains(err.Error(), "no class server is running here") {
			t.Errorf("without a server: %v", err)
		}
	}
}

func TestClassExportWritesTheRunningClass(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "class")
	srv, err := server.New(server.Config{Dir: dir, Addr: "127.0.0.1:0", MetricsAddr: "off", NoLab: true, Code: "abc123", Logf: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx) }()
	defer func() {
		cancel()
		<-done
	}()
	srv.Room().Update("ivy-00000000", func(l *room.Learner) { l.Name, l.Steps = "ivy", 12 })
	srv.Room().AddRun("ivy-00000000", room.Run{ID: 1, At: time.Now(), Scenario: "01-single-server", Lab: "single-server", Stage: "broken", Users: 10, Duration: 5 * time.Second, Total: 100, SuccessRate: 50, P99: time.Second, RPS: 20})

	var md bytes.Buffer
	pollUntil(t, func() bool {
		md.Reset()
		return runClassExport([]string{"--dir", dir}, &md) == nil
	})
	if !strings.Contains(md.String(), "ivy") {
		t.Errorf("the markdown lacks the learner:\n%s", md.String())
	}
	csvPath, mdPath := filepath.Join(t.TempDir(), "runs.csv"), filepath.Join(t.TempDir(), "class.md")
	var stdout bytes.Buffer
	if err := runClassExport([]string{"--dir", dir, "--csv", csvPath, "--md", mdPath}, &stdout); err != nil {
		t.Fatal(err)
	}
	if stdout.Len() != 0 {
		t.Errorf("with --md, stdout got:\n%s", stdout.String())
	}
	f, err := os.Open(csvPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil || len(rows) != 2 || rows[1][0] != "ivy" {
		t.Errorf("the CSV: %v, %v", rows, err)
	}
	if b, _ := os.ReadFile(mdPath); !strings.Contains(string(b), "ivy") {
		t.Errorf("the --md file lacks the learner:\n%s", b)
	}
	for _, p := range []string{csvPath, mdPath} {
		if fi, err := os.Stat(p); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v, %v; want 0600", p, fi.Mode(), err)
		}
	}
}

// pollUntil polls ok for up to 10 s (the server's control socket comes up in Run).
func pollUntil(t *testing.T, ok func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !ok(); {
		if time.Now().After(deadline) {
			t.Fatal("not within 10 s")
		}
		time.Sleep(20 * time.Millisecond)
	}
}
