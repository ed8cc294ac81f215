//go:build unix

package load

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// A link planted where the history's lock file goes is refused, not followed: following it
// would create a file wherever its planter chose (as root, anywhere).
func TestHistoryLockRefusesPlantedLink(t *testing.T) {
	path := filepath.Join(t.TempDir(), "runs.json")
	target := filepath.Join(t.TempDir(), "made-by-scalelab")
	if err := os.Symlink(target, path+".lock"); err != nil {
		t.Fatal(err)
	}
	h, aerr := OpenHistory(path)
	if aerr == nil {
		_, aerr = h.Add(Record{Options: Options{URL: "http://127.0.0.1:3000/feed", Concurrency: 1, Duration: time.Second},
			State: StateBroken, Result: sampleResult()})
	}
	if _, err := os.Lstat(target); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("the lock followed the planted link and created %s (add: %v)", target, aerr)
	}
	if aerr == nil {
		t.Fatal("opening the history or saving a run through a planted lock link should fail and say so")
	}
}
