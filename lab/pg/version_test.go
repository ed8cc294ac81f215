package pg_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"scalelab/lab/pg"
)

// A cluster made by another major version is refused with advice the user can follow: no flag
// that no command has.
func TestClusterOfAnotherVersion(t *testing.T) {
	dir := clusterDir(t)
	if err := os.MkdirAll(filepath.Join(dir, "data"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "data", "PG_VERSION"), []byte("9\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	srv, err := pg.Open(context.Background(), pg.Options{DataDir: dir})
	if err == nil {
		srv.Close()
		t.Fatal("Open accepted a cluster made by PostgreSQL 9")
	}
	msg := err.Error()
	for _, want := range []string{"made by PostgreSQL 9", "install PostgreSQL 9", "PATH", "DATABASE_URL"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error lacks %q: %v", want, err)
		}
	}
	if strings.Contains(msg, "--bin-dir") {
		t.Errorf("error advises a flag no command has: %v", err)
	}
}
