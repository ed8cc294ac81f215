package main

import (
	"bytes"
	"io"
	"path/filepath"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"scalelab/content"
	"scalelab/content/worksheet"
	"scalelab/tui"
)

// crashing is the workshop's app with a bug: it panics on crashMsg.
type crashing struct{ *tui.App }
type crashMsg struct{}

func (c crashing) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if _, ok := msg.(crashMsg); ok {
		panic("a bug")
	}
	_, cmd := c.App.Update(msg)
	return c, cmd
}

func workshopExitApp(t *testing.T) (*tui.App, string, string) {
	t.Helper()
	sc := content.Builtin()
	var id string
	for _, tb := range sc.Tables() {
		if tb.Fillable {
			id = tb.ID
			break
		}
	}
	if id == "" {
		t.Fatal("the built-in scenario has no result table")
	}
	path := worksheet.PathFor(t.TempDir(), sc.ID)
	app := tui.New(tui.Options{Scenario: sc, Worksheet: &worksheet.Worksheet{}, WorksheetPath: path, GlamourStyle: "notty"})
	return app, path, id
}

// A panic inside the program is a failure (exit 1), not "answers saved" and exit 0; the
// answers are saved all the same.
func TestWorkshopPanicIsAnError(t *testing.T) {
	app, path, id := workshopExitApp(t)
	p := tea.NewProgram(crashing{app}, tea.WithInput(nil), tea.WithOutput(io.Discard), tea.WithoutSignalHandler())
	go func() {
		p.Send(tui.SetTableMsg{ID: id, Rows: [][]string{{"Success rate", "12.5%"}}})
		p.Send(crashMsg{})
	}()
	var stderr bytes.Buffer
	_, err := runApp(p, app, path, false, &stderr)
	if err == nil || !strings.Contains(err.Error(), "crashed") || !strings.Contains(err.Error(), filepath.Base(path)) {
		t.Fatalf("after a panic runApp returned %v, want a crash error naming the worksheet", err)
	}
	if strings.Contains(stderr.String(), "saved") {
		t.Errorf("a crash printed %q", stderr.String())
	}
	ws, lerr := worksheet.Load(path)
	if lerr != nil {
		t.Fatal(lerr)
	}
	if rows := ws.Tables[id]; len(rows) == 0 || rows[0][1] != "12.5%" {
		t.Errorf("the table typed before the crash was not saved: %q", rows)
	}
}

// A normal end (q) returns nil and says where the answers are.
func TestWorkshopQuitSaves(t *testing.T) {
	app, path, id := workshopExitApp(t)
	p := tea.NewProgram(app, tea.WithInput(nil), tea.WithOutput(io.Discard), tea.WithoutSignalHandler())
	go func() {
		p.Send(tui.SetTableMsg{ID: id, Rows: [][]string{{"Success rate", "40%"}}})
		p.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("q")})
	}()
	var stderr bytes.Buffer
	next, err := runApp(p, app, path, false, &stderr)
	if err != nil {
		t.Fatal(err)
	}
	if next != "" {
		t.Errorf("q chose scenario %q, want none (the workshop ends)", next)
	}
	if !strings.Contains(stderr.String(), "saved in "+path) {
		t.Errorf("stderr = %q", stderr.String())
	}
}
