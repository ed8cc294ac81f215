package worksheet

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"

	"scalelab/content/safefile"
)

// ConflictMark separates two texts of one answer changed in two workshops at once: both are
// kept, the other workshop's after the mark.
const ConflictMark = "\n\n--- also written in another scalelab window ---\n"

// Merge is a three-way merge of the learner's work: base is what this workshop last wrote (or
// loaded), ours what it holds now, disk what is in the file now (another workshop may have
// written it). A field this workshop did not change takes the disk's value; one it changed
// takes ours; an answer both changed keeps both texts (ConflictMark between), a task ticked in
// either stays ticked, a table cell both changed keeps both values (CellMark between). Nothing
// typed in either is lost.
func Merge(base, ours, disk *Worksheet) *Worksheet {
	if base == nil {
		base = New(ours.Scenario)
	}
	if disk == nil {
		disk = New(ours.Scenario)
	}
	base.init()
	disk.init()
	out := *ours
	out.extra = disk.extra
	for k, v := range ours.extra { // ours were read from an older copy of the same file
		if _, ok := out.extra[k]; !ok {
			if out.extra == nil {
				out.extra = map[string]json.RawMessage{}
			}
			out.extra[k] = v
		}
	}
	out.Answers = map[string]string{}
	for _, k := range keys(base.Answers, ours.Answers, disk.Answers) {
		b, bok := base.Answers[k]
		o, ook := ours.Answers[k]
		d, dok := disk.Answers[k]
		switch {
		case o == b && ook == bok:
			if dok {
				out.Answers[k] = d
			}
		case d == b && dok == bok, o == d:
			if ook {
				out.Answers[k] = o
			}
		default: // both changed it
			out.Answers[k] = joinAnswers(b, o, d)
		}
	}
	out.Tasks = map[string]bool{}
	for _, k := range keys(base.Tasks, ours.Tasks, disk.Tasks) {
		b, o, d := base.Tasks[k], ours.Tasks[k], disk.Tasks[k]
		switch {
		case o == b:
			out.Tasks[k] = d
		case d == b:
			out.Tasks[k] = o
		default:
			out.Tasks[k] = o || d
		}
		if !out.Tasks[k] {
			delete(out.Tasks, k)
		}
	}
	out.Tables = map[string][][]string{}
	for _, k := range keys(base.Tables, ours.Tables, disk.Tables) {
		if t := mergeTable(base.Tables[k], ours.Tables[k], disk.Tables[k]); t != nil {
			out.Tables[k] = t
		}
	}
	if ours.Step == base.Step {
		out.Step = disk.Step
	}
	if reflect.DeepEqual(ours.Lab, base.Lab) {
		out.Lab = disk.Lab
	}
	return &out
}

// CellMark separates two values of one table cell filled in two workshops at once.
const CellMark = " / "

// joinAnswers keeps both texts of an answer that base, ours and the disk all differ on. When
// the disk's text already holds our base (an earlier merge of ours with the other workshop's),
// our part of it is replaced by ours, so each workshop's latest text appears once however
// many saves the two make while typing in the same answer.
func joinAnswers(base, ours, theirs string) string {
	return joinTexts(ConflictMark, base, ours, theirs)
}

// joinTexts is joinAnswers with mark between the two texts.
func joinTexts(mark, base, ours, theirs string) string {
	switch {
	case strings.TrimSpace(ours) == "":
		return theirs
	case strings.TrimSpace(theirs) == "" || strings.Contains(ours, theirs):
		return ours
	}
	if base != "" {
		parts, mine := strings.Split(theirs, mark), strings.Split(base, mark)
		for i := 0; i+len(mine) <= len(parts); i++ {
			if reflect.DeepEqual(parts[i:i+len(mine)], mine) {
				out := append(append(append([]string{}, parts[:i]...), ours), parts[i+len(mine):]...)
				return strings.Join(out, mark)
			}
		}
	}
	return ours + mark + theirs
}

// mergeTable merges cell by cell.
func mergeTable(base, ours, disk [][]string) [][]string {
	if reflect.DeepEqual(ours, base) {
		return disk
	}
	if reflect.DeepEqual(disk, base) || reflect.DeepEqual(ours, disk) {
		return ours
	}
	rows := max(len(ours), len(disk))
	out := make([][]string, rows)
	for i := range out {
		b, o, d := row(base, i), row(ours, i), row(disk, i)
		out[i] = make([]string, max(len(o), len(d)))
		for j := range out[i] {
			bc, oc, dc := cell(b, j), cell(o, j), cell(d, j)
			switch {
			case oc == bc:
				out[i][j] = dc
			case dc == bc || dc == oc:
				out[i][j] = oc
			default: // both filled it: both values stay, as for an answer
				out[i][j] = joinTexts(CellMark, bc, oc, dc)
			}
		}
	}
	return out
}

func row(t [][]string, i int) []string {
	if i < len(t) {
		return t[i]
	}
	return nil
}

func cell(r []string, j int) string {
	if j < len(r) {
		return r[j]
	}
	return ""
}

func keys[V any](ms ...map[string]V) []string {
	seen := map[string]bool{}
	var out []string
	for _, m := range ms {
		for k := range m {
			if !seen[k] {
				seen[k] = true
				out = append(out, k)
			}
		}
	}
	return out
}

// SaveMerged saves ours into path merged with what another workshop may have written there
// since base (see Merge), holding the worksheet's lock across read and write so two
// workshops' saves never interleave. It returns what was written. A file that cannot be read
// (corrupt, or a newer format) is not merged into: a newer format is refused (*NewerError),
// a corrupt file is kept aside (see Load) and replaced by the merge of base and ours, or left
// in place with a *CorruptError when no copy of it could be kept.
func SaveMerged(path string, base, ours *Worksheet) (*Worksheet, error) {
	if err := privateDir(filepath.Dir(path)); err != nil {
		return nil, fmt.Errorf("saving worksheet: %w", err)
	}
	unlock, err := safefile.Lock(path + ".lock")
	if err != nil {
		return nil, fmt.Errorf("saving worksheet %s: taking its lock: %w", path, err)
	}
	defer unlock()
	safefile.RemoveLeftTemps(path) // every save of path runs under this lock
	disk, err := Load(path)        // a corrupt file is kept aside under its own name first
	var ne *NewerError
	var ce *CorruptError
	switch {
	case errors.As(err, &ne):
		return nil, err
	case errors.As(err, &ce) && ce.Backup == "":
		// it could not be kept aside (a full disk): replacing it would destroy it
		return nil, err
	case errors.As(err, &ce):
		disk = base
	case err != nil:
		if _, serr := os.Stat(path); !errors.Is(serr, fs.ErrNotExist) {
			return nil, err
		}
		disk = base
	}
	if disk != base && disk.Version < Version && base != nil {
		// a file of format 1 keeps ticks under the tasks' positions: they are the ones base
		// holds, renamed when this workshop stamped it (an older scalelab's ticks since are lost)
		disk.Tasks = base.Tasks
	}
	merged := Merge(base, ours, disk)
	if err := merged.Save(path); err != nil {
		return nil, err
	}
	return merged, nil
}
