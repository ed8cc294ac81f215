package pg

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Binaries is a PostgreSQL installation found on this machine.
type Binaries struct {
	Dir     string // holds initdb, postgres (and usually pg_ctl)
	Version string // "15.18"
	Major   int    // 15
}

// Path returns the full path of one of the installation's programs.
func (b Binaries) Path(prog string) string { return filepath.Join(b.Dir, prog) }

// searchGlobs are the well-known install places, tried after PATH and pg_config. Each glob's
// matches are tried newest version first. A variable so tests can point it elsewhere.
var searchGlobs = []string{
	"/usr/lib/postgresql/*/bin",         // Debian, Ubuntu
	"/usr/pgsql-*/bin",                  // RHEL, Fedora (PGDG)
	"/opt/homebrew/opt/postgresql*/bin", // Homebrew, Apple silicon
	"/usr/local/opt/postgresql*/bin",    // Homebrew, Intel
	"/opt/homebrew/bin",
	"/usr/local/pgsql/bin", // built from source
}

// FindBinaries locates initdb and postgres: binDir when given (and nothing else), else PATH,
// `pg_config --bindir`, then searchGlobs newest version first. The error wraps ErrBinariesNotFound.
func FindBinaries(ctx context.Context, binDir string) (Binaries, error) {
	if binDir != "" {
		if !hasServer(binDir) {
			return Binaries{}, fmt.Errorf("%w (no initdb and postgres in %s, the bin dir asked for)", ErrBinariesNotFound, binDir)
		}
		return describe(ctx, binDir)
	}
	for _, dir := range candidateDirs(ctx) {
		if hasServer(dir) {
			return describe(ctx, dir)
		}
	}
	return Binaries{}, ErrBinariesNotFound
}

func candidateDirs(ctx context.Context) []string {
	var dirs []string
	if p, err := exec.LookPath("initdb"); err == nil {
		if real, err := filepath.EvalSymlinks(p); err == nil {
			dirs = append(dirs, filepath.Dir(real))
		}
		dirs = append(dirs, filepath.Dir(p))
	}
	if p, err := exec.LookPath("pg_config"); err == nil {
		cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		out, err := exec.CommandContext(cctx, p, "--bindir").Output()
		cancel()
		if err == nil {
			dirs = append(dirs, strings.TrimSpace(string(out)))
		}
	}
	for _, g := range searchGlobs {
		m, _ := filepath.Glob(g)
		sort.SliceStable(m, func(i, j int) bool { return versionKey(m[i]) > versionKey(m[j]) })
		dirs = append(dirs, m...)
	}
	return dirs
}

var digitsRE = regexp.MustCompile(`\d+(\.\d+)?`)

// versionKey turns the version in a path (".../postgresql/15/bin", "postgresql@16") into a
// sortable number; paths without one sort last.
func versionKey(path string) float64 {
	m := digitsRE.FindAllString(path, -1)
	if len(m) == 0 {
		return -1
	}
	v, _ := strconv.ParseFloat(m[len(m)-1], 64)
	return v
}

func hasServer(dir string) bool {
	for _, prog := range []string{"initdb", "postgres"} {
		st, err := os.Stat(filepath.Join(dir, prog))
		if err != nil || st.IsDir() || st.Mode()&0o111 == 0 {
			return false
		}
	}
	return true
}

var versionRE = regexp.MustCompile(`\(PostgreSQL\)\s+(\d+)(\.\d+)?`)

// describe runs `postgres --version`.
func describe(ctx context.Context, dir string) (Binaries, error) {
	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	out, err := exec.CommandContext(cctx, filepath.Join(dir, "postgres"), "--version").Output()
	if err != nil && ctx.Err() != nil {
		return Binaries{}, fmt.Errorf("checking the PostgreSQL version: %w", ctx.Err())
	}
	if err != nil {
		return Binaries{}, fmt.Errorf("%w: %s/postgres --version failed: %v", ErrBinariesNotFound, dir, err)
	}
	m := versionRE.FindStringSubmatch(string(out))
	if m == nil {
		return Binaries{}, fmt.Errorf("%w: cannot read the version in %q (from %s/postgres --version)", ErrBinariesNotFound, strings.TrimSpace(string(out)), dir)
	}
	major, _ := strconv.Atoi(m[1])
	return Binaries{Dir: dir, Version: m[1] + m[2], Major: major}, nil
}
