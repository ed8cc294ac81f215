// Package home says where scalelab keeps the learner's files: the private PostgreSQL cluster,
// worksheets and the history of load runs. One directory, overridable with SCALELAB_HOME.
package home

import (
	"os"
	"path/filepath"
)

// Dir returns scalelab's data directory, creating it if needed (0700: it holds the learner's
// answers and the cluster's password): $SCALELAB_HOME, else $XDG_DATA_HOME/scalelab, else
// ~/.local/share/scalelab. An existing directory keeps its mode (SCALELAB_HOME may name a
// directory the learner shares on purpose); the files in it are private on their own.
func Dir() (string, error) {
	dir := os.Getenv("SCALELAB_HOME")
	if dir == "" {
		base := os.Getenv("XDG_DATA_HOME")
		if base == "" {
			h, err := os.UserHomeDir()
			if err != nil {
				return "", err
			}
			base = filepath.Join(h, ".local", "share")
		}
		dir = filepath.Join(base, "scalelab")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	return dir, nil
}

// Path returns a path inside Dir, creating Dir (not the leaf) if needed.
func Path(elem ...string) (string, error) {
	d, err := Dir()
	if err != nil {
		return "", err
	}
	return filepath.Join(append([]string{d}, elem...)...), nil
}
