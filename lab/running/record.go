package running

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
	"unicode"
	"unicode/utf8"

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
	// Lab is the registered name of the lab it runs ("" in records written before it was kept:
	// the default lab); a command in another terminal works on that lab.
	Lab string `json:"lab,omitempty"`
	// Replaced are the labs that were running when this one was recorded, newest first: when
	// it stops, the first of them still running is the running lab again.
	Replaced []Record `json:"replaced,omitempty"`
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
	once sync.Once
}

// Write records the API at addr, served by this process, in the data home (0600, replaced
// atomically). A record of another live process is replaced: the newest lab is the one a
// second terminal means.
func Write(addr, what string) (*Handle, error) { return WriteLab("", addr, what) }

// WriteLab is Write for the lab named labName (a registered lab's name; "" is the default).
func WriteLab(labName, addr, what string) (*Handle, error) {
	return WriteLabIn("", labName, addr, what)
}

// WriteLabIn is WriteLab in the data home dir ("" = home.Dir()).
func WriteLabIn(dir, labName, addr, what string) (*Handle, error) {
	p := filepath.Join(dir, FileName)
	if dir == "" {
		var err error
		if p, err = Path(); err != nil {
			return nil, err
		}
	}
	return WriteAt(p, Record{Addr: addr, PID: os.Getpid(), What: what, Lab: labName, Started: time.Now().UTC()})
}

// WriteAt writes r at path (see Write): a private temporary file beside it, renamed over it, so that a
// reader sees the old record or the new one, never half of one. The labs the old record names
// (it and the ones it replaced) that still run are kept in r.Replaced.
func WriteAt(path string, r Record) (*Handle, error) {
	r.Replaced = nil
	if old, err := readAt(path); err == nil {
		r.Replaced = stillRunning(append([]Record{old}, old.Replaced...), r.PID)
	}
	if err := writeRecord(path, r); err != nil {
		return nil, err
	}
	return &Handle{path: path, pid: r.PID}, nil
}

// stillRunning keeps the records of live processes other than pid, each once, in order.
func stillRunning(recs []Record, pid int) []Record {
	var out []Record
	seen := map[int]bool{pid: true}
	for _, r := range recs {
		if r.PID <= 0 || seen[r.PID] || !alive(r.PID) {
			continue
		}
		seen[r.PID] = true
		r.Replaced = nil
		out = append(out, r)
	}
	return out
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
// The newest lab it replaced that still runs is recorded again, with the older ones.
func (h *Handle) Remove() {
	if h == nil {
		return
	}
	h.once.Do(func() {
		r, err := readAt(h.path)
		if err != nil || r.PID != h.pid {
			return
		}
		if left := stillRunning(r.Replaced, h.pid); len(left) > 0 {
			next := left[0]
			next.Replaced = left[1:]
			if writeRecord(h.path, next) == nil {
				return
			}
		}
		os.Remove(h.path)
	})
}

// ErrNone is returned by Find when no live process records a lab.
var ErrNone = errors.New("no running lab is recorded")

// Find returns the running lab's record in the data home. A record whose process is gone
// (killed without removing it) is not a running lab: ErrNone.
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
	// What, Addr and Lab are printed ("measuring the workshop's API at ..."): a record holding a
	// control character is not one scalelab wrote, and none of it reaches a terminal.
	if text := r.What + r.Addr + r.Lab; strings.IndexFunc(text, unicode.IsControl) >= 0 || !utf8.ValidString(text) {
		return Record{}, fmt.Errorf("the running lab's record %s holds control characters, so scalelab did not write it: delete it", path)
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
