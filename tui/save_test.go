package tui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/teatest"

	"scalelab/content/worksheet"
)

// Steady typing with no pause as long as the debounce still reaches the disk while it goes
// on: the keys come every 100 ms (faster than saveDelay) for 3 s, and the file must hold typed
// text before the typing stops.
func TestSavedDuringContinuousTyping(t *testing.T) {
	dir := testHome(t)
	path := worksheet.PathFor(dir, "workshop")
	tm := start(t, newTestApp(t, path), 80, 24)
	waitText(t, tm, "small feed API")
	send(tm, "tab", "enter")
	waitText(t, tm, "esc/ctrl+s: done")
	onDisk := 0
	for i := 0; i < 30; i++ {
		tm.Type("x")
		time.Sleep(100 * time.Millisecond) // the learner's typing pace, not a wait for the app
		if ws, err := worksheet.Read(path); err == nil {
			onDisk = max(onDisk, strings.Count(ws.Answers["Q1"], "x"))
		}
	}
	if onDisk == 0 {
		t.Fatalf("3 s of steady typing and nothing saved while it went on")
	}
	send(tm, "ctrl+c")
	tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
}

// A save that fails (the data home cannot be written) holds the first quit back with what went
// wrong; the second quits, and the answers can be rescued into a private file.
func TestQuitAsksWhenSaveFailed(t *testing.T) {
	dir := testHome(t)
	// worksheets/ is a file: no save can create the worksheet (also as root)
	if err := os.WriteFile(filepath.Join(dir, "worksheets"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	path := worksheet.PathFor(dir, "workshop")
	a := newTestApp(t, "", func(o *Options) { o.WorksheetPath = path })
	tm := start(t, a, 100, 30)
	waitText(t, tm, "small feed API")
	send(tm, "tab", "enter")
	waitText(t, tm, "esc/ctrl+s: done")
	tm.Type("an answer the disk refuses")
	send(tm, "esc")
	waitText(t, tm, "NOT SAVED")
	send(tm, "q")
	waitText(t, tm, "press q again")
	send(tm, "q")
	m := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(*App)
	if m.SaveFailed() == nil || m.Flush() == nil {
		t.Fatalf("the save did not fail")
	}
	rescueDir := t.TempDir()
	name, err := m.Rescue(rescueDir)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(name)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("rescue file %s: %v %v", name, fi, err)
	}
	ws, err := worksheet.Read(name)
	if err != nil || ws.Answers["Q1"] != "an answer the disk refuses" {
		t.Fatalf("rescue file holds %+v, %v", ws, err)
	}
}
