package haproxy

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// Without haproxy on PATH or in the usual places, Find and Start say what to install.
func TestMissingBinary(t *testing.T) {
	t.Setenv("PATH", "")
	old := searchDirs
	defer func() { searchDirs = old }()
	searchDirs = []string{t.TempDir()}
	_, err := Find()
	if !errors.Is(err, ErrNotFound) || err.Error() != "HAProxy not found: install haproxy (apt install haproxy / brew install haproxy)" {
		t.Fatalf("Find = %v", err)
	}
	_, err = Start(context.Background(), Config{Dir: t.TempDir(), Backends: []Backend{{Name: "a", Addr: "127.0.0.1:1"}}})
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("Start = %v, want ErrNotFound", err)
	}
	if _, err := Version(context.Background(), ""); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Version = %v, want ErrNotFound", err)
	}
}

// Find looks in the usual places after PATH.
func TestFindInSearchDirs(t *testing.T) {
	t.Setenv("PATH", "")
	old := searchDirs
	defer func() { searchDirs = old }()
	empty, dir := t.TempDir(), t.TempDir()
	searchDirs = []string{empty, dir}
	bin := filepath.Join(dir, "haproxy")
	if err := os.WriteFile(bin, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if got, err := Find(); err != nil || got != bin {
		t.Fatalf("Find = %q, %v, want %s", got, err, bin)
	}
}
