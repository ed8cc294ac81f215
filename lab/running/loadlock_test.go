package running

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// While one load test holds the data home's lock, another is refused with who holds it; once
// released, the next one gets it.
func TestLoadLockOneAtATime(t *testing.T) {
	path := filepath.Join(t.TempDir(), LoadLockName)
	release, err := LockLoadAt(path, "the workshop")
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("lock file: %v %v, want mode 0600", fi, err)
	}
	_, err = LockLoadAt(path, "scalelab loadtest")
	var busy *BusyError
	if !errors.As(err, &busy) || !errors.Is(err, ErrBusy) {
		t.Fatalf("second lock: %v, want a BusyError", err)
	}
	if busy.Loader.PID != os.Getpid() || busy.Loader.What != "the workshop" ||
		!strings.Contains(err.Error(), "(the workshop, pid ") || !strings.Contains(err.Error(), "wait until it ends") {
		t.Fatalf("busy error does not name the holder: %+v %q", busy.Loader, err)
	}
	release()
	release()
	again, err := LockLoadAt(path, "scalelab loadtest")
	if err != nil {
		t.Fatalf("lock after release: %v", err)
	}
	again()
}

// A link planted where the lock file goes is not followed: the file it points at is not
// truncated or written.
func TestLoadLockDoesNotFollowALink(t *testing.T) {
	dir := t.TempDir()
	victim := filepath.Join(dir, "precious")
	if err := os.WriteFile(victim, []byte("keep me\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, LoadLockName)
	if err := os.Symlink(victim, path); err != nil {
		t.Skip("no symlinks here:", err)
	}
	if release, err := LockLoadAt(path, "scalelab loadtest"); err == nil {
		release()
		t.Fatalf("the lock was taken through a link")
	}
	if b, _ := os.ReadFile(victim); string(b) != "keep me\n" {
		t.Fatalf("the link's target was changed: %q", b)
	}
}
