package worksheet

import (
	"os"
	"path/filepath"
	"testing"

	"scalelab/content"
)

// The built-in scenario keeps worksheets/01-single-server.json; a file of the same base name
// elsewhere gets its own worksheet, and so does a file of the same name in another directory.
func TestIdentityPaths(t *testing.T) {
	data := t.TempDir()
	b := content.Builtin()
	bid, err := IdentityOf(b, "")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := bid.Path(data), filepath.Join(data, "worksheets", "01-single-server.json"); got != want {
		t.Errorf("built-in worksheet at %s, want %s", got, want)
	}
	var paths []string
	for _, d := range []string{"other", "again"} {
		file := filepath.Join(t.TempDir(), d, "01-single-server.md")
		os.MkdirAll(filepath.Dir(file), 0o700)
		os.WriteFile(file, b.Source, 0o600)
		sc, err := content.Parse(file, b.Source)
		if err != nil {
			t.Fatal(err)
		}
		id, err := IdentityOf(sc, file)
		if err != nil || id.Source != file || id.Title != b.Title {
			t.Fatalf("identity %+v, %v", id, err)
		}
		paths = append(paths, id.Path(data))
	}
	if paths[0] == bid.Path(data) || paths[1] == bid.Path(data) || paths[0] == paths[1] {
		t.Errorf("worksheets shared: built-in %s, files %v", bid.Path(data), paths)
	}
}

func TestStampRecordsIdentity(t *testing.T) {
	w := New("x")
	w.Stamp(Identity{ID: "01-single-server", Title: "T", Source: "/a/b.md"})
	if w.Scenario != "01-single-server" || w.Title != "T" || w.Source != "/a/b.md" {
		t.Errorf("%+v", w)
	}
}
