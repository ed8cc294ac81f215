package load

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"scalelab/content/safefile"
	"scalelab/lab/home"
)

// HistoryFile is the name of the run history in scalelab's data directory.
const HistoryFile = "runs.json"

// MaxRecords is how many runs the history keeps (the oldest go first).
const MaxRecords = 500

var maxRecords = MaxRecords // tests lower it

// Record is one load run as the history keeps it.
type Record struct {
	ID      int       `json:"id"`
	At      time.Time `json:"at"`
	Options Options   `json:"options"`
	State   string    `json:"state"` // the lab's stage the run measured (a lab.Stage's Name), or StateOutage, StateMixed, StateCustom
	// Scenario and Lab say which scenario (its ID) and which lab (its registered name) the run
	// belongs to; "" in runs recorded before they were kept (Scenario 1's single-server lab).
	Scenario string `json:"scenario,omitempty"`
	Lab      string `json:"lab,omitempty"`
	Rows     int    `json:"rows,omitempty"`
	// Beside is how many other load tests ran on this machine at some moment of this one (the
	// class server's learners share its CPUs); 0: it ran alone, or outside a class.
	Beside int     `json:"beside,omitempty"`
	Result *Result `json:"result"`
}

// History is the list of past runs, kept in a JSON file. Safe for concurrent use, also by
// several scalelab processes (an exclusive lock around every read-modify-write).
type History struct {
	path string
	mu   sync.Mutex
	recs []Record
	// raw is each record as the file holds it (nil for one added here): written back as it
	// was, so fields a newer scalelab added to a run survive.
	raw []json.RawMessage
	// top is the file's other top-level fields, kept for the same reason.
	top map[string]json.RawMessage
	// Recovered names the file an unreadable history was moved to, when that happened at open.
	Recovered string
	// keptAside names the file a history that turned unreadable after open was moved to
	// (guarded by mu: Add runs beside the readers).
	keptAside string
}

// KeptAside names the file an unreadable history was last moved to, at open or by a later
// Add ("" if none): safe to call while a run is being added.
func (h *History) KeptAside() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.keptAside != "" {
		return h.keptAside
	}
	return h.Recovered
}

// HistoryVersion is the format of runs.json this build writes and the newest it reads.
const HistoryVersion = 1

// NewerHistoryError is returned for a runs.json written in a newer format than this build
// reads: it is left untouched rather than rewritten without what the newer scalelab stored.
type NewerHistoryError struct {
	Path    string
	Version int
}

func (e *NewerHistoryError) Error() string {
	return fmt.Sprintf("run history %s was written by a newer scalelab (format %d; this one reads format %d): upgrade scalelab (the file is left untouched)", e.Path, e.Version, HistoryVersion)
}

// historyData is runs.json as read: the records, each record's raw JSON and the other
// top-level fields.
type historyData struct {
	recs []Record
	raw  []json.RawMessage
	top  map[string]json.RawMessage
}

// DefaultHistoryPath is runs.json in scalelab's data directory (SCALELAB_HOME overrides).
func DefaultHistoryPath() (string, error) { return home.Path(HistoryFile) }

// OpenHistory loads the history at path; a missing file is an empty history. A file that is not
// valid JSON (a hand edit gone wrong) is moved aside to path.broken-<time> and the history starts
// empty, so a learner never loses the ability to record runs; h.Recovered names the moved file.
func OpenHistory(path string) (*History, error) {
	h := &History{path: path}
	err := h.locked(func() error {
		d, err := readHistory(path)
		if errors.Is(err, errCorrupt) {
			moved, rerr := moveAside(path)
			if rerr != nil {
				return fmt.Errorf("run history %s is unreadable (%v) and could not be moved aside: %v; move or delete it", path, err, rerr)
			}
			h.Recovered = moved
			d, err = historyData{}, nil
		}
		h.set(d)
		return err
	})
	if err != nil {
		return nil, err
	}
	return h, nil
}

// OpenDefaultHistory opens the history in scalelab's data directory.
func OpenDefaultHistory() (*History, error) {
	p, err := DefaultHistoryPath()
	if err != nil {
		return nil, fmt.Errorf("run history: no data directory (%v): set SCALELAB_HOME to a writable directory", err)
	}
	return OpenHistory(p)
}

// Path is the file the history lives in.
func (h *History) Path() string { return h.path }

var errCorrupt = errors.New("not a scalelab run history")

func readHistory(path string) (historyData, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return historyData{}, nil
	}
	if err != nil {
		return historyData{}, fmt.Errorf("read run history: %w", err)
	}
	var d historyData
	if err := json.Unmarshal(b, &d.top); err != nil || d.top == nil {
		return historyData{}, fmt.Errorf("%w: %v", errCorrupt, err)
	}
	var version int
	if v, ok := d.top["version"]; ok {
		if err := json.Unmarshal(v, &version); err != nil {
			return historyData{}, fmt.Errorf("%w: version: %v", errCorrupt, err)
		}
	}
	if version > HistoryVersion {
		return historyData{}, &NewerHistoryError{Path: path, Version: version}
	}
	if r, ok := d.top["runs"]; ok {
		if err := json.Unmarshal(r, &d.raw); err != nil {
			return historyData{}, fmt.Errorf("%w: runs: %v", errCorrupt, err)
		}
	}
	d.recs = make([]Record, len(d.raw))
	for i, r := range d.raw {
		if err := json.Unmarshal(r, &d.recs[i]); err != nil {
			return historyData{}, fmt.Errorf("%w: run %d: %v", errCorrupt, i+1, err)
		}
	}
	delete(d.top, "version")
	delete(d.top, "runs")
	return d, nil
}

func (h *History) set(d historyData) { h.recs, h.raw, h.top = d.recs, d.raw, d.top }

// file is the history as it is written: unknown fields and records as they were read.
func (h *History) file() (map[string]any, error) {
	runs := make([]json.RawMessage, len(h.recs))
	for i := range h.recs {
		if i < len(h.raw) && h.raw[i] != nil {
			runs[i] = h.raw[i]
			continue
		}
		b, err := json.Marshal(h.recs[i])
		if err != nil {
			return nil, err
		}
		runs[i] = b
	}
	out := map[string]any{}
	for k, v := range h.top {
		out[k] = v
	}
	out["version"] = HistoryVersion
	out["runs"] = runs
	return out, nil
}

// Add appends a run, giving it the next ID (and At, if zero), and saves the file atomically.
// Runs another process added since this history was opened are kept.
func (h *History) Add(r Record) (Record, error) {
	if r.Result == nil {
		return r, errors.New("run history: a record needs a result")
	}
	if r.At.IsZero() {
		r.At = time.Now()
	}
	if r.State == "" {
		r.State = StateCustom
	}
	r.Result.State = r.State
	err := h.locked(func() error {
		d, err := readHistory(h.path)
		switch {
		case errors.Is(err, errCorrupt):
			// it turned unreadable since it was opened (a hand edit): kept aside before
			// this history replaces it, as at open
			moved, rerr := moveAside(h.path)
			if rerr != nil {
				return fmt.Errorf("run history %s is unreadable (%v) and could not be moved aside: %v; move or delete it", h.path, err, rerr)
			}
			h.keptAside = moved
		case err != nil:
			return err
		default:
			h.set(d)
		}
		next := 1
		for _, old := range h.recs {
			next = max(next, old.ID+1)
		}
		r.ID = next
		h.raw = append(h.raw, nil) // raw and recs have the same length: nil is "marshal it"
		h.recs = append(h.recs, r)
		if len(h.recs) > maxRecords {
			cut := len(h.recs) - maxRecords
			h.recs = append([]Record(nil), h.recs[cut:]...)
			h.raw = append([]json.RawMessage(nil), h.raw[cut:]...)
		}
		f, err := h.file()
		if err != nil {
			return err
		}
		return writeAtomic(h.path, f)
	})
	return r, err
}

// SetBeside records with the run id how many other load tests ran beside it (the class server
// knows only once the run has ended, after the lab recorded it), and returns the run.
func (h *History) SetBeside(id, beside int) (Record, error) {
	var out Record
	err := h.locked(func() error {
		d, err := readHistory(h.path)
		if err != nil {
			return err
		}
		h.set(d)
		for i := range h.recs {
			if h.recs[i].ID != id {
				continue
			}
			h.recs[i].Beside = beside
			if h.raw[i] != nil {
				// the stored record with the field set, so that fields of a newer build survive
				var m map[string]json.RawMessage
				if json.Unmarshal(h.raw[i], &m) == nil {
					m["beside"] = json.RawMessage(strconv.Itoa(beside))
					if b, merr := json.Marshal(m); merr == nil {
						h.raw[i] = b
					}
				} else {
					h.raw[i] = nil
				}
			}
			out = h.recs[i]
			f, err := h.file()
			if err != nil {
				return err
			}
			return writeAtomic(h.path, f)
		}
		return fmt.Errorf("run history: no run %d", id)
	})
	return out, err
}

// List returns every run, oldest first.
func (h *History) List() []Record {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]Record(nil), h.recs...)
}

// Latest returns the newest run against the given state.
func (h *History) Latest(state string) (Record, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for i := len(h.recs) - 1; i >= 0; i-- {
		if h.recs[i].State == state {
			return h.recs[i], true
		}
	}
	return Record{}, false
}

// LatestByState returns the newest run of each state that has one, whatever its scenario
// and lab.
func (h *History) LatestByState() map[string]Record {
	return h.latest(func(Record) bool { return true })
}

// The scenario and lab of a run recorded before runs kept theirs: there was only Scenario 1
// and its lab then.
const (
	EarlyScenario = "01-single-server"
	EarlyLab      = "single-server"
)

// LatestFor returns the newest run of each state among the runs of one scenario (its ID)
// in one lab (its name). A run that records no scenario or lab is one of EarlyScenario in
// EarlyLab, and "" asks for those.
func (h *History) LatestFor(scenario, lab string) map[string]Record {
	scenario, lab = or(scenario, EarlyScenario), or(lab, EarlyLab)
	return h.latest(func(r Record) bool {
		return or(r.Scenario, EarlyScenario) == scenario && or(r.Lab, EarlyLab) == lab
	})
}

// latest is the newest run of each state among the runs keep accepts.
func (h *History) latest(keep func(Record) bool) map[string]Record {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := map[string]Record{}
	for i := len(h.recs) - 1; i >= 0; i-- {
		r := h.recs[i]
		if _, seen := out[r.State]; !seen && keep(r) {
			out[r.State] = r
		}
	}
	return out
}

func or(s, dflt string) string {
	if s == "" {
		return dflt
	}
	return s
}

// Reload reads the file again (another process may have added runs).
func (h *History) Reload() error {
	return h.locked(func() error {
		d, err := readHistory(h.path)
		if err == nil {
			h.set(d)
		}
		return err
	})
}

// locked runs fn holding the in-process mutex and the file lock.
func (h *History) locked(fn func() error) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if err := os.MkdirAll(filepath.Dir(h.path), 0o700); err != nil {
		return fmt.Errorf("run history: %w", err)
	}
	unlock, err := safefile.Lock(h.path + ".lock")
	if err != nil {
		return fmt.Errorf("run history: lock %s: %w", h.path, err)
	}
	defer unlock()
	safefile.RemoveLeftTemps(h.path) // every write of the history runs under this lock
	return fn()
}

// writeAtomic writes v as JSON over path, atomically and 0600 (see safefile.WriteAtomic): a
// reader sees the old file or the new one, never half of one.
func writeAtomic(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	if err := safefile.WriteAtomic(path, append(b, '\n')); err != nil {
		return fmt.Errorf("save run history: %w", err)
	}
	return nil
}

// moveAside keeps an unreadable history as path.broken-<time>[-n], a name no earlier backup
// has, and removes path. It returns the backup's name.
func moveAside(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	return safefile.MoveAside(path, b, "broken")
}
