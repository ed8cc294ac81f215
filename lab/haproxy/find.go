package haproxy

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"time"
)

// ErrNotFound: no haproxy binary on this machine.
var ErrNotFound = errors.New("HAProxy not found: install haproxy (apt install haproxy / brew install haproxy)")

// searchDirs are the usual install places, tried after PATH. A variable so tests can point it
// elsewhere.
var searchDirs = []string{
	"/usr/sbin",          // Debian, Ubuntu, RHEL
	"/usr/local/sbin",    // built from source
	"/opt/homebrew/sbin", // Homebrew, Apple silicon
	"/opt/homebrew/bin",
	"/usr/local/bin", // Homebrew, Intel
}

// Find returns the path of the haproxy binary: on PATH, else in searchDirs. The error is
// ErrNotFound.
func Find() (string, error) {
	if p, err := exec.LookPath("haproxy"); err == nil {
		return p, nil
	}
	for _, dir := range searchDirs {
		p := filepath.Join(dir, "haproxy")
		if st, err := os.Stat(p); err == nil && !st.IsDir() && st.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", ErrNotFound
}

var versionRE = regexp.MustCompile(`(?i)HAProxy version (\d+\.\d+(\.\d+)?)`)

// Version runs `haproxy -v` and returns the version it states ("2.6.12"). An empty bin means
// the one Find finds.
func Version(ctx context.Context, bin string) (string, error) {
	if bin == "" {
		var err error
		if bin, err = Find(); err != nil {
			return "", err
		}
	}
	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	out, err := exec.CommandContext(cctx, bin, "-v").Output()
	if err != nil {
		return "", fmt.Errorf("%s -v: %w", bin, err)
	}
	m := versionRE.FindStringSubmatch(string(out))
	if m == nil {
		return "", fmt.Errorf("cannot read the version in %q (from %s -v)", firstLine(string(out)), bin)
	}
	return m[1], nil
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}
