package board

import (
	"context"
	"errors"
	"io"

	tea "github.com/charmbracelet/bubbletea"
)

// Run shows the board full-screen (alternate screen) on in/out until the instructor quits
// or ctx ends; the board's Waits and actions end with it.
func Run(ctx context.Context, src Source, opt Options, in io.Reader, out io.Writer) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	m := New(src, opt)
	m.ctx = ctx
	p := tea.NewProgram(m, tea.WithAltScreen(), tea.WithInput(in), tea.WithOutput(out), tea.WithContext(ctx))
	_, err := p.Run()
	if errors.Is(err, tea.ErrProgramKilled) && ctx.Err() != nil {
		return nil // ctx ended: a normal stop
	}
	return err
}
