package safefile

import (
	"os"
	"path/filepath"
	"testing"
)

// Two backups of one path made at once get two names, each holding its own content, and the
// original is gone after each.
func TestMoveAsideNeverOverwritesABackup(t *testing.T) {
	path := filepath.Join(t.TempDir(), "runs.json")
	seen := map[string]string{}
	for _, body := range []string{"first", "second", "third"} {
		if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		name, err := MoveAside(path, []byte(body), "broken")
		if err != nil {
			t.Fatal(err)
		}
		if _, dup := seen[name]; dup {
			t.Fatalf("backup name %s given twice", name)
		}
		seen[name] = body
		if _, err := os.Stat(path); !os.IsNotExist(err) {
			t.Fatalf("%s still there after moving it aside: %v", path, err)
		}
	}
	for name, body := range seen {
		b, _ := os.ReadFile(name)
		fi, _ := os.Stat(name)
		if string(b) != body || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s holds %q mode %v, want %q 0600", name, b, fi.Mode().Perm(), body)
		}
	}
}
