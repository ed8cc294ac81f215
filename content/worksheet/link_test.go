//go:build unix

package worksheet

import (
	"os"
	"path/filepath"
	"testing"
)

// A link planted where the worksheet's claim or lock file goes must not make scalelab
// truncate or write the file it points to (a data home shared on purpose, or a process run
// as another user, would otherwise let whoever planted it destroy that file).
func TestClaimAndLockDoNotFollowPlantedLinks(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "worksheets")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	victim := filepath.Join(t.TempDir(), "victim")
	const keep = "precious contents\n"
	if err := os.WriteFile(victim, []byte(keep), 0o600); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "s.json")
	for _, link := range []string{path + ".open", path + ".lock"} {
		if err := os.Symlink(victim, link); err != nil {
			t.Fatal(err)
		}
	}
	c, cerr := ClaimSheet(path)
	if cerr == nil {
		c.Release()
	}
	w := New("s")
	w.Answers["Q1"] = "x"
	_, serr := SaveMerged(path, New("s"), w)
	if b, _ := os.ReadFile(victim); string(b) != keep {
		t.Fatalf("file behind the planted links now holds %q (claim: %v, save: %v)", b, cerr, serr)
	}
	if cerr == nil || serr == nil {
		t.Fatalf("claim (%v) and save (%v) through a planted link should fail and say so", cerr, serr)
	}
}
