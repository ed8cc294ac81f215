package worksheet

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"scalelab/content"
	"scalelab/content/safefile"
)

// Version is the file format version written by Save. Format 2 keeps a task's tick under the
// task's stable ID (its tag, or its step and text); format 1 kept it under the task's position
// ("step3-task1"), which Stamp renames.
const Version = 2

// Worksheet is the learner's work on one scenario.
type Worksheet struct {
	Version  int                   `json:"version"`
	Scenario string                `json:"scenario"`         // Scenario.ID
	Title    string                `json:"title,omitempty"`  // the scenario's title (Identity)
	Source   string                `json:"source,omitempty"` // SourceBuiltin or the file's absolute path
	Step     int                   `json:"step"`             // index in Scenario.Steps where the learner was
	Answers  map[string]string     `json:"answers"`          // question ID ("Q1") -> answer text
	Tasks    map[string]bool       `json:"tasks"`            // task ID ("no-delay") -> ticked
	Tables   map[string][][]string `json:"tables"`           // table ID -> rows like Table.Rows ("" = not filled)
	Updated  time.Time             `json:"updated"`
	// Lab is what the learner last applied to the lab (the fix tags of the Fix 1 boxes when the
	// API was restarted, e.g. "shared-pool"): the lab comes back with it on resume. nil: nothing.
	Lab []string `json:"lab,omitempty"`
	// LabName is the lab the scenario ran in (Identity.Lab: "single-server"); "" when not known.
	LabName string `json:"lab_name,omitempty"`

	// extra holds the fields this build does not know (a newer scalelab's), written back as
	// they were.
	extra map[string]json.RawMessage
}

// New returns an empty worksheet for a scenario.
func New(scenarioID string) *Worksheet {
	w := &Worksheet{Version: Version, Scenario: scenarioID}
	w.init()
	return w
}

func (w *Worksheet) init() {
	if w.Answers == nil {
		w.Answers = map[string]string{}
	}
	if w.Tasks == nil {
		w.Tasks = map[string]bool{}
	}
	if w.Tables == nil {
		w.Tables = map[string][][]string{}
	}
}

// PathFor is where the worksheet of a scenario lives under scalelab's data directory
// (callers pass home.Dir()).
func PathFor(dataDir, scenarioID string) string {
	return filepath.Join(dataDir, "worksheets", scenarioID+".json")
}

// CorruptError is returned by Load for a file that exists but is not a worksheet.
// The file was moved to Backup so the learner's next save does not destroy it.
type CorruptError struct {
	Path   string
	Backup string // "" if moving it aside failed too
	Err    error
}

func (e *CorruptError) Error() string {
	if e.Backup == "" {
		return fmt.Sprintf("worksheet %s cannot be read (%v): move or repair it, then start again", e.Path, e.Err)
	}
	return fmt.Sprintf("worksheet %s cannot be read (%v): it was kept as %s and a new worksheet started; copy your answers back from it if you need them", e.Path, e.Err, e.Backup)
}

func (e *CorruptError) Unwrap() error { return e.Err }

// ErrCorrupt matches every *CorruptError with errors.Is.
var ErrCorrupt = errors.New("worksheet file is corrupt")

func (e *CorruptError) Is(target error) bool { return target == ErrCorrupt }

// NewerError is returned for a file written in a newer format than this build reads. The
// file is left as it is: rewriting it would drop what the newer scalelab put in it.
type NewerError struct {
	Path    string
	Version int
}

func (e *NewerError) Error() string {
	return fmt.Sprintf("worksheet %s was written by a newer scalelab (format %d; this one reads format %d): upgrade scalelab to open it (the file is left untouched)", e.Path, e.Version, Version)
}

// Load reads the worksheet at path. A missing file gives an empty worksheet and no error.
// It always returns a usable worksheet: when the file exists but cannot be parsed, the
// error is a *CorruptError (the file moved aside to its Backup) alongside an empty
// worksheet; other read errors (permissions) are returned as they are, with the path.
func Load(path string) (*Worksheet, error) { return load(path, true) }

// Read is Load for readers that must not change anything (export): an unreadable file
// gives a *CorruptError with no Backup and stays where it is.
func Read(path string) (*Worksheet, error) { return load(path, false) }

func load(path string, moveAside bool) (*Worksheet, error) {
	w := &Worksheet{Version: Version}
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		w.init()
		return w, nil
	}
	if err != nil {
		w.init()
		return w, fmt.Errorf("reading worksheet %s: %w", path, err)
	}
	if err := decode(b, w); err != nil {
		var ne *NewerError
		if errors.As(err, &ne) {
			ne.Path = path
			w = &Worksheet{Version: Version}
			w.init()
			return w, ne
		}
		ce := &CorruptError{Path: path, Err: err}
		if moveAside {
			if backup, berr := safefile.MoveAside(path, b, "bad"); berr == nil {
				ce.Backup = backup
			}
		}
		w = &Worksheet{Version: Version}
		w.init()
		return w, ce
	}
	w.init()
	w.clean()
	return w, nil
}

func decode(b []byte, w *Worksheet) error {
	if len(bytes.TrimSpace(b)) == 0 {
		return errors.New("the file is empty")
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(w); err != nil {
		return fmt.Errorf("not valid worksheet JSON: %w", err)
	}
	if dec.More() {
		return errors.New("unexpected data after the worksheet")
	}
	if w.Version > Version {
		return &NewerError{Version: w.Version}
	}
	return nil
}

// Save writes the worksheet to path atomically: a temp file in the same directory is
// written, synced and renamed over path, then the directory is synced. The directory is
// created if needed. On error the old file is untouched and no temp file is left.
func (w *Worksheet) Save(path string) error {
	cp := *w
	cp.Version = Version
	cp.Updated = time.Now().UTC()
	b, err := json.MarshalIndent(&cp, "", "  ")
	if err != nil {
		return fmt.Errorf("encoding worksheet: %w", err)
	}
	b = append(b, '\n')
	dir := filepath.Dir(path)
	if err := privateDir(dir); err != nil {
		return fmt.Errorf("saving worksheet: %w", err)
	}
	if err := WriteFileAtomic(path, b); err != nil {
		return fmt.Errorf("saving worksheet: %w", err)
	}
	return nil
}

// WriteFileAtomic replaces path with b, mode 0600, never leaving a half-written file (see
// safefile.WriteAtomic). The directory must exist. Errors name path.
func WriteFileAtomic(path string, b []byte) error { return safefile.WriteAtomic(path, b) }

// Export returns the scenario's markdown with the worksheet's answers, ticked tasks and
// table cells filled in (model answers left out): a file the learner can hand in.
func Export(s *content.Scenario, w *Worksheet) []byte {
	if w == nil {
		w = New(s.ID)
	}
	tasks := w.Tasks
	if w.Version < Version {
		tasks = renameTasks(tasks, s.PositionTaskIDs())
	}
	return content.Fill(s, content.Filling{Answers: w.Answers, Tasks: tasks, Tables: w.Tables})
}
