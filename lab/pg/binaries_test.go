package pg_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"scalelab/lab/pg"
)

func TestFindBinaries(t *testing.T) {
	b, err := pg.FindBinaries(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	if b.Major < 10 || b.Version == "" {
		t.Fatalf("%+v", b)
	}
	for _, prog := range []string{"initdb", "postgres"} {
		if _, err := os.Stat(b.Path(prog)); err != nil {
			t.Fatal(err)
		}
	}
	// The same dir, asked for explicitly.
	again, err := pg.FindBinaries(context.Background(), b.Dir)
	if err != nil || again != b {
		t.Fatalf("FindBinaries(%q) = %+v, %v", b.Dir, again, err)
	}
}

const notFoundMsg = "PostgreSQL binaries not found: install postgresql (apt install postgresql / brew install postgresql) or set DATABASE_URL"

func TestBinariesNotFound(t *testing.T) {
	t.Run("BinDir without them", func(t *testing.T) {
		_, err := pg.Open(context.Background(), pg.Options{BinDir: t.TempDir(), DataDir: filepath.Join(t.TempDir(), "pg")})
		if !errors.Is(err, pg.ErrBinariesNotFound) {
			t.Fatalf("Open = %v, want ErrBinariesNotFound", err)
		}
	})
	t.Run("nothing anywhere", func(t *testing.T) {
		t.Setenv("PATH", t.TempDir())
		defer pg.SetSearchGlobs([]string{filepath.Join(t.TempDir(), "*", "bin")})()
		_, err := pg.Open(context.Background(), pg.Options{DataDir: filepath.Join(t.TempDir(), "pg")})
		if !errors.Is(err, pg.ErrBinariesNotFound) || err.Error() != notFoundMsg {
			t.Fatalf("Open = %v, want exactly %q", err, notFoundMsg)
		}
	})
	t.Run("found through a search glob, newest first", func(t *testing.T) {
		real, err := pg.FindBinaries(context.Background(), "")
		if err != nil {
			t.Fatal(err)
		}
		root := t.TempDir()
		for _, v := range []string{"9", "12", "10"} {
			os.MkdirAll(filepath.Join(root, v, "bin"), 0o755)
		}
		// "9" and "12" hold (links to) real binaries, "10" none: 12 must win (numeric, not
		// lexical order) and the empty 10 be skipped.
		for _, v := range []string{"9", "12"} {
			for _, prog := range []string{"initdb", "postgres"} {
				if err := os.Symlink(real.Path(prog), filepath.Join(root, v, "bin", prog)); err != nil {
					t.Fatal(err)
				}
			}
		}
		t.Setenv("PATH", t.TempDir())
		defer pg.SetSearchGlobs([]string{filepath.Join(root, "*", "bin")})()
		b, err := pg.FindBinaries(context.Background(), "")
		if err != nil || b.Dir != filepath.Join(root, "12", "bin") {
			t.Fatalf("FindBinaries = %+v, %v", b, err)
		}
	})
}
