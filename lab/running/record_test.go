package running

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func TestWriteFindRemove(t *testing.T) {
	t.Setenv("SCALELAB_HOME", t.TempDir())
	if _, err := Find(); !errors.Is(err, ErrNone) {
		t.Fatalf("Find with no record: %v, want ErrNone", err)
	}
	h, err := Write("127.0.0.1:3000", "the workshop")
	if err != nil {
		t.Fatal(err)
	}
	p, _ := Path()
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("lab.json mode %v, want 0600", fi.Mode().Perm())
	}
	r, err := Find()
	if err != nil {
		t.Fatal(err)
	}
	if r.Addr != "127.0.0.1:3000" || r.PID != os.Getpid() || r.Describe() != "the workshop's API at 127.0.0.1:3000 (pid "+strconv.Itoa(os.Getpid())+")" {
		t.Fatalf("record %+v (%s)", r, r.Describe())
	}
	h.Remove()
	h.Remove()
	if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("record still there after Remove: %v", err)
	}
}

func TestDeadPidIgnored(t *testing.T) {
	dir := t.TempDir()
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Skip("no `true` to make a dead pid:", err)
	}
	path := filepath.Join(dir, FileName)
	if _, err := WriteAt(path, Record{Addr: "127.0.0.1:3000", PID: cmd.Process.Pid, What: "scalelab serve"}); err != nil {
		t.Fatal(err)
	}
	if r, err := FindAt(path); !errors.Is(err, ErrNone) {
		t.Fatalf("a dead pid's record was found: %+v %v", r, err)
	}
}

func TestRemoveKeepsAnotherProcesssRecord(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	h, err := WriteAt(path, Record{Addr: "127.0.0.1:3000", PID: os.Getpid(), What: "a"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := WriteAt(path, Record{Addr: "127.0.0.1:3001", PID: os.Getppid(), What: "b"}); err != nil {
		t.Fatal(err)
	}
	h.Remove()
	if r, err := FindAt(path); err != nil || r.Addr != "127.0.0.1:3001" {
		t.Fatalf("the newer record was removed: %+v %v", r, err)
	}
}

// A lab started while another runs is the one found; when it stops, the other is found again.
func TestRemoveBringsBackTheLabItReplaced(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	if _, err := WriteAt(path, Record{Addr: "127.0.0.1:3000", PID: os.Getppid(), What: "scalelab serve"}); err != nil {
		t.Fatal(err)
	}
	h, err := WriteAt(path, Record{Addr: "127.0.0.1:3001", PID: os.Getpid(), What: "the workshop"})
	if err != nil {
		t.Fatal(err)
	}
	if r, err := FindAt(path); err != nil || r.Addr != "127.0.0.1:3001" {
		t.Fatalf("the newer lab is not the one found: %+v %v", r, err)
	}
	h.Remove()
	if r, err := FindAt(path); err != nil || r.Addr != "127.0.0.1:3000" || r.What != "scalelab serve" {
		t.Fatalf("the serve that still runs is not found again: %+v %v", r, err)
	}
}

// Three labs on one data home (a serve, then two workshops): the middle one stops first, then
// the newest; the serve that still runs is the one found, not nothing.
func TestRemoveSkipsALabThatStoppedMeanwhile(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	middle := exec.Command("sleep", "60")
	if err := middle.Start(); err != nil {
		t.Skip("no `sleep` to stand for a second workshop:", err)
	}
	t.Cleanup(func() { middle.Process.Kill(); middle.Wait() })
	if _, err := WriteAt(path, Record{Addr: "127.0.0.1:3000", PID: os.Getppid(), What: "scalelab serve"}); err != nil {
		t.Fatal(err)
	}
	hm, err := WriteAt(path, Record{Addr: "127.0.0.1:3001", PID: middle.Process.Pid, What: "the workshop"})
	if err != nil {
		t.Fatal(err)
	}
	hn, err := WriteAt(path, Record{Addr: "127.0.0.1:3002", PID: os.Getpid(), What: "the workshop"})
	if err != nil {
		t.Fatal(err)
	}
	hm.Remove() // not its record any more: nothing changes
	middle.Process.Kill()
	middle.Wait()
	if r, err := FindAt(path); err != nil || r.Addr != "127.0.0.1:3002" {
		t.Fatalf("the newest lab is not the one found: %+v %v", r, err)
	}
	hn.Remove()
	if r, err := FindAt(path); err != nil || r.Addr != "127.0.0.1:3000" || r.What != "scalelab serve" {
		t.Fatalf("the serve that still runs is not found after the others stopped: %+v %v", r, err)
	}
}

// A record with an escape sequence in what it prints is refused, not printed to the terminal.
func TestRecordWithControlsRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	b := `{"addr":"127.0.0.1:3000","pid":` + strconv.Itoa(os.Getpid()) + `,"what":"the workshop\u001b]0;owned\u0007"}`
	if err := os.WriteFile(path, []byte(b), 0o600); err != nil {
		t.Fatal(err)
	}
	r, err := FindAt(path)
	if err == nil || errors.Is(err, ErrNone) || strings.ContainsRune(err.Error()+r.Describe(), 0x1b) {
		t.Fatalf("a record with an escape sequence: %+v %v", r, err)
	}
}

// A record names the lab it runs, so a command in another terminal works on that lab.
func TestRecordNamesItsLab(t *testing.T) {
	t.Setenv("SCALELAB_HOME", t.TempDir())
	h, err := WriteLab("toy", "127.0.0.1:3000", "scalelab serve")
	if err != nil {
		t.Fatal(err)
	}
	defer h.Remove()
	if r, err := Find(); err != nil || r.Lab != "toy" {
		t.Fatalf("Find = %+v, %v; want the lab toy", r, err)
	}
	if _, err := WriteLab("toy\x1b[2J", "127.0.0.1:3001", "scalelab serve"); err != nil {
		t.Fatal(err)
	}
	if _, err := Find(); err == nil || !strings.Contains(err.Error(), "control characters") {
		t.Fatalf("a lab name with a control sequence was read: %v", err)
	}
}
