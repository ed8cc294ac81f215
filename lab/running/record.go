package running

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"scalelab/lab/home"
)

// FileName is the record's file in the data home.
const FileName = "lab.json"

// Record says which process serves the lab's API and where.
type Record struct {
	Addr    string    `json:"addr"`    // host:port of the feed API
	PID     int       `json:"pid"`     // the process that serves it
	What    string    `json:"what"`    // "the workshop", "scalelab serve", ...
	Started time.Time `json:"started"` // when it started
}

// URL is the record's GET /feed.
func (r Record) URL() string { return "http://" + r.Addr + "/feed" }

// Describe names the API for a reader: "the workshop's API at 127.0.0.1:3000 (pid 1234)".
func (r Record) Describe() string {
	return fmt.Sprintf("%s's API at %s (pid %d)", r.What, r.Addr, r.PID)
}

// Path is the record's file in the data home.
func Path() (string, error) { return home.Path(FileName) }

// Handle is a written record; Remove deletes it (safe twice).
type Handle struct {
	path string
	pid  int
	prev *Record // the live lab this record replaced: it is the running lab again after Remove
	once sync.Once
}

// Write records the API at addr, served by this process, in the data home (0600, replaced
// atomically). A record of another live process is replaced: the newest lab is the one a
// second terminal means.
func Write(addr, what string) (*Handle, error) {
	p, err := Path()
	if err != nil {
		return nil, err
	}
	return WriteAt(p, Record{Addr: addr, PID: os.Getpid(), What: what, Started: time.Now().UTC()})
}

// WriteAt writes r at path (see Write): a private temporary file beside it, renamed over it, so that a
// reader sees the old record or the new one, never half of one.
func WriteAt(path string, r Record) (*Handle, error) {
	var prev *Record
	if old, err := FindAt(path); err == nil && old.PID != r.PID {
		prev = &old
	}
	if err := writeRecord(path, r); err != nil {
		return nil, err
	}
	return &Handle{path: path, pid: r.PID, prev: prev}, nil
}

func writeRecord(path string, r Record) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".lab-*.json") // 0600
	if err != nil {
		return fmt.Errorf("recording the running lab: %w", err)
	}
	defer os.Remove(tmp.Name()) // gone after the rename; left over only on error
	_, err = tmp.Write(append(b, '\n'))
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		return fmt.Errorf("recording the running lab in %s: %w", path, err)
	}
	return nil
}

// Remove deletes the record if it is still this handle's (another process may have replaced it).
// The lab it replaced, when that one still runs, is recorded again.
func (h *Handle) Remove() {
	if h == nil {
		return
	}
	h.once.Do(func() {
		r, err := readAt(h.path)
		if err != nil || r.PID != h.pid {
			return
		}
		if h.prev != nil && alive(h.prev.PID) && writeRecord(h.path, *h.prev) == nil {
			return
		}
		os.Remove(h.path)
	})
}

// ErrNone is returned by Find when no live process records a lab.
var ErrNone = errors.New("no running lab is recorded")

// Find returns the running lab's record in the data home. A record whose process is gone
// (killed without removing it) or this very process is not a running lab: ErrNone.
func Find() (Record, error) {
	p, err := Path()
	if err != nil {
		return Record{}, err
	}
	return FindAt(p)
}

// FindAt is Find for the record at path.
func FindAt(path string) (Record, error) {
	r, err := readAt(path)
	if errors.Is(err, fs.ErrNotExist) {
		return Record{}, ErrNone
	}
	if err != nil {
		return Record{}, err
	}
	if r.PID <= 0 || r.Addr == "" || !alive(r.PID) {
		return Record{}, ErrNone
	}
	return r, nil
}

func readAt(path string) (Record, error) {
	var r Record
	b, err := os.ReadFile(path)
	if err != nil {
		return r, err
	}
	if err := json.Unmarshal(b, &r); err != nil {
		return r, fmt.Errorf("the running lab's record %s is unreadable (%v): delete it", path, err)
	}
	return r, nil
}

// alive tells whether a process with that id exists (signal 0 checks without sending one).
func alive(pid int) bool {
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	err = p.Signal(syscall.Signal(0))
	return err == nil || errors.Is(err, syscall.EPERM)
}
