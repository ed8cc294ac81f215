package board

import (
	"context"
	"fmt"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"scalelab/class/room"
)

// Source is the class server as the board sees it; room.Client satisfies it.
type Source interface {
	// Wait returns the room once its Version is greater than after, or the same snapshot
	// again after a while (a long poll), so a caller can loop on it.
	Wait(ctx context.Context, after uint64) (room.Snapshot, error)
	// Broadcast sends a one-line message to every learner's status line.
	Broadcast(ctx context.Context, message string) error
	// Goto sends every learner to a step (0-based).
	Goto(ctx context.Context, step int) error
}

// retryAfter is how long the board waits before asking a server that did not answer again.
const retryAfter = time.Second

// snapshotMsg carries the room as Wait returned it.
type snapshotMsg struct{ snap room.Snapshot }

// waitFailedMsg says that Wait failed; the board shows it and retries after retryAfter.
type waitFailedMsg struct{ err error }

// retryMsg asks the board to wait on the server again after a failure.
type retryMsg struct{}

// sentMsg is the outcome of an instructor's action: what was asked, and the error if it failed.
type sentMsg struct {
	what string
	err  error
}

// waitCmd long-polls the server for the next snapshot after version.
func waitCmd(ctx context.Context, src Source, after uint64) tea.Cmd {
	return func() tea.Msg {
		snap, err := src.Wait(ctx, after)
		if err != nil {
			return waitFailedMsg{err}
		}
		return snapshotMsg{snap}
	}
}

// retryCmd waits retryAfter, then asks the board to wait on the server again.
func retryCmd() tea.Cmd {
	return tea.Tick(retryAfter, func(time.Time) tea.Msg { return retryMsg{} })
}

// broadcastCmd sends message to every learner.
func broadcastCmd(ctx context.Context, src Source, message string) tea.Cmd {
	return func() tea.Msg {
		err := src.Broadcast(ctx, message)
		return sentMsg{what: fmt.Sprintf("message sent to everyone: %q", message), err: err}
	}
}

// gotoCmd sends every learner to step (0-based); the status says it 1-based, as typed.
func gotoCmd(ctx context.Context, src Source, step int) tea.Cmd {
	return func() tea.Msg {
		err := src.Goto(ctx, step)
		return sentMsg{what: fmt.Sprintf("everyone sent to step %d", step+1), err: err}
	}
}
