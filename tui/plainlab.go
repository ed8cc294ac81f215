package tui

import (
	"context"
	"io"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"scalelab/content"
	"scalelab/lab/load"
)

// plainLab drives a LabController without a screen: a bubbletea program with no renderer and no
// input runs the controller's messages (its Cmds, ticks and results) as the workshop does, and
// hands plain mode the messages it prints.
type plainLab struct {
	ctl    *LabController
	prog   *tea.Program
	events chan tea.Msg
	done   chan struct{}
}

// runRecordMsg carries a finished load test's record (plain mode prints its table).
type runRecordMsg struct{ rec *load.Record }

// runActionMsg asks the program to run a lab action (ctl.Run is called on its goroutine).
type runActionMsg struct{ action content.Action }

type plainLabModel struct{ pl *plainLab }

func (m plainLabModel) Init() tea.Cmd { return m.pl.ctl.Init() }

func (m plainLabModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if a, ok := msg.(runActionMsg); ok {
		return m, m.pl.ctl.Run(a.action)
	}
	cmd := m.pl.ctl.Update(msg)
	switch msg.(type) {
	case LabStatusMsg, ActionDoneMsg, ExplainMsg, SetTableMsg, LabAppliedMsg, runRecordMsg:
		select {
		case m.pl.events <- msg:
		case <-m.pl.done:
		}
	}
	return m, cmd
}

func (m plainLabModel) View() string { return "" }

// startPlainLab starts the controller's program; Close stops it and the lab.
func startPlainLab(ctx context.Context, ctl *LabController) *plainLab {
	pl := &plainLab{ctl: ctl, events: make(chan tea.Msg, 256), done: make(chan struct{})}
	pl.prog = tea.NewProgram(plainLabModel{pl}, tea.WithContext(ctx), tea.WithInput(nil),
		tea.WithOutput(io.Discard), tea.WithoutRenderer(), tea.WithoutSignalHandler())
	go func() {
		pl.prog.Run()
	}()
	return pl
}

// run asks for a lab action.
func (pl *plainLab) run(a content.Action) { pl.prog.Send(runActionMsg{action: a}) }

// next waits for the next message, up to d; ok is false when none came.
func (pl *plainLab) next(ctx context.Context, d time.Duration) (tea.Msg, bool) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case m := <-pl.events:
		return m, true
	case <-t.C:
	case <-ctx.Done():
	}
	return nil, false
}

// Close ends the program, then the lab.
func (pl *plainLab) Close() error {
	close(pl.done)
	pl.prog.Quit()
	pl.prog.Wait()
	return pl.ctl.Close()
}
