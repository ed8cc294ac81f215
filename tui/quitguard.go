package tui

import (
	"encoding/json"
	"fmt"
	"os"
	"time"

	tea "github.com/charmbracelet/bubbletea"
)

// quitAskFor is how long a held-back quit waits for the second q.
const quitAskFor = 8 * time.Second

// guardQuit holds back a quit while the answers are unsaved because the last save failed (a
// read-only or full data home): it says so, tries the save again, and lets the next quit within
// quitAskFor through (the caller then writes a rescue file, see Rescue). nil: quit now.
func (a *App) guardQuit() tea.Cmd {
	sh := a.c.sheet
	if sh.path == "" || !sh.dirty() || sh.lastErr == nil {
		return nil
	}
	if !sh.quitAsk.IsZero() && time.Since(sh.quitAsk) < quitAskFor {
		return nil
	}
	sh.quitAsk = time.Now()
	text := fmt.Sprintf("NOT SAVED: %v. Fix the disk or permissions, or press q again to quit: your answers then go to a rescue file named on exit", sh.lastErr)
	return tea.Batch(a.setNotice(text, true), sh.saveCmd())
}

// SaveFailed reports unsaved answers whose last save failed.
func (a *App) SaveFailed() error {
	if a.c.sheet.dirty() {
		return a.c.sheet.lastErr
	}
	return nil
}

// Rescue writes the worksheet as it is in memory to a new private file (0600) in dir (the
// system's temp directory when ""), for when it cannot be saved where it belongs. It returns
// the file's name.
func (a *App) Rescue(dir string) (string, error) {
	snap := a.c.sheet.snapshot()
	if snap == nil {
		return "", errSnapshot
	}
	b, err := json.MarshalIndent(snap, "", "  ")
	if err != nil {
		return "", err
	}
	if dir == "" {
		dir = os.TempDir()
	}
	f, err := os.CreateTemp(dir, "scalelab-rescue-"+snap.Scenario+"-*.json")
	if err != nil {
		return "", fmt.Errorf("writing a rescue file in %s: %w", dir, err)
	}
	name := f.Name()
	if _, err := f.Write(append(b, '\n')); err != nil {
		f.Close()
		os.Remove(name)
		return "", fmt.Errorf("writing %s: %w", name, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return "", fmt.Errorf("writing %s: %w", name, err)
	}
	if err := f.Close(); err != nil {
		return "", fmt.Errorf("writing %s: %w", name, err)
	}
	return name, nil
}
