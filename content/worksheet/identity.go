package worksheet

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path/filepath"

	"scalelab/content"
)

// SourceBuiltin is the Source of the scenario embedded in the binary.
const SourceBuiltin = "builtin"

// Identity says which scenario a worksheet belongs to: its title and where it came from (the
// built-in scenario, or a file by its absolute path). Two files with the same base name are two
// scenarios with two worksheets.
type Identity struct {
	ID     string // Scenario.ID, the file's base name: part of the worksheet's file name
	Title  string
	Source string // SourceBuiltin, or the scenario file's absolute path
	// Lab is the lab the scenario runs in: Scenario.Lab, which is "" for a scenario naming
	// none; a runner that knows the lab it chose for it sets it.
	Lab string

	positions map[string]string // the scenario's tasks: position ID of format 1 -> ID now
}

// IdentityOf is the identity of a scenario read from file ("" for the built-in one).
func IdentityOf(sc *content.Scenario, file string) (Identity, error) {
	id := Identity{ID: sc.ID, Title: sc.Title, Source: SourceBuiltin, Lab: sc.Lab, positions: sc.PositionTaskIDs()}
	if file == "" {
		return id, nil
	}
	abs, err := filepath.Abs(file)
	if err != nil {
		return id, fmt.Errorf("the scenario's path %s: %w", file, err)
	}
	id.Source = abs
	return id, nil
}

// Path is the identity's worksheet under scalelab's data directory: worksheets/<ID>.json for the
// built-in scenario (where it always was), worksheets/<ID>-<hash of title and path>.json for a
// scenario file.
func (id Identity) Path(dataDir string) string {
	if id.Source == SourceBuiltin {
		return PathFor(dataDir, id.ID)
	}
	h := sha256.Sum256([]byte(id.Title + "\x00" + id.Source))
	return PathFor(dataDir, id.ID+"-"+hex.EncodeToString(h[:6]))
}

// Stamp records the identity in the worksheet, so the file says what it belongs to. A
// worksheet of format 1 gets its ticks renamed from the tasks' positions to their IDs now (by
// the identity's scenario, as IdentityOf read it), so it keeps them.
func (w *Worksheet) Stamp(id Identity) {
	w.Scenario, w.Title, w.Source, w.LabName = id.ID, id.Title, id.Source, id.Lab
	if w.Version < Version {
		w.Tasks = renameTasks(w.Tasks, id.positions)
		w.Version = Version
	}
}

// renameTasks is tasks with each key that positions names renamed to its ID now; other keys
// stay. A tick already under the new ID wins over the old one.
func renameTasks(tasks map[string]bool, positions map[string]string) map[string]bool {
	out := make(map[string]bool, len(tasks))
	for k, v := range tasks {
		if id, ok := positions[k]; ok {
			if _, set := tasks[id]; !set {
				out[id] = v
			}
			continue
		}
		out[k] = v
	}
	return out
}
