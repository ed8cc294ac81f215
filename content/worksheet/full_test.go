//go:build linux

package worksheet

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// tinyDisk mounts a 64 KiB tmpfs (as root) so a test can fill a real disk.
func tinyDisk(t *testing.T) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("mounting a tiny tmpfs needs root")
	}
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=64k,mode=0700", "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("mount tmpfs: %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", dir).Run() })
	return dir
}

// On a disk too full to keep a copy of a corrupt worksheet, a merged save must not replace
// that file with its own (smaller) one: the corrupt file may hold answers a hand can repair.
func TestSaveMergedKeepsCorruptFileItCannotBackUp(t *testing.T) {
	path := filepath.Join(tinyDisk(t), "worksheets", "s.json")
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	corrupt := append([]byte(`{"version":1,"answers":{"Q1":"a long answer `), bytes.Repeat([]byte("x"), 40<<10)...)
	if err := os.WriteFile(path, corrupt, 0o600); err != nil {
		t.Fatal(err)
	}
	ours := New("s")
	ours.Answers["Q1"] = "typed now"
	_, err := SaveMerged(path, New("s"), ours)
	if b, _ := os.ReadFile(path); !bytes.Equal(b, corrupt) {
		kept, _ := filepath.Glob(path + ".bad-*")
		t.Fatalf("the corrupt worksheet was replaced (save: %v, backups: %v)", err, kept)
	}
	if err == nil {
		t.Fatal("the save said nothing of the file it could neither read nor keep")
	}
}
