package pg

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"syscall"
	"time"

	"scalelab/lab/childproc"
)

// child is a postgres (or initdb) process this process started and waits for: it gets SIGINT
// (fast shutdown) when scalelab dies, even by SIGKILL (childproc.Start).
type child struct{ *childproc.Process }

// startChild starts cmd as such a child, in its own process group: a Ctrl+C in the terminal
// reaches scalelab, which then stops postgres itself, in order, instead of postgres racing it.
func startChild(cmd *exec.Cmd) (*child, error) {
	p, err := childproc.Start(cmd, syscall.SIGINT)
	if err != nil {
		return nil, err
	}
	return &child{p}, nil
}

// Shutdown timeouts. SIGINT is PostgreSQL's fast shutdown (disconnect clients, checkpoint, exit);
// it takes well under a second for the lab's data. SIGQUIT (immediate shutdown, crash recovery on
// the next start) and SIGKILL are last resorts.
var (
	fastShutdownWait      = 60 * time.Second
	immediateShutdownWait = 10 * time.Second
)

// stop shuts the child down and waits until it is reaped. When ctx ends first it escalates to
// SIGQUIT at once instead of waiting out fastShutdownWait.
func (c *child) stop(ctx context.Context) error {
	return stopWith(ctx, c.Cmd.Process.Signal, c.Exited, c.Done())
}

// stopPID does the same for a postmaster this process did not start (an orphan, or a cluster
// another process started): it polls until the pid is gone.
func stopPID(ctx context.Context, pid int) error {
	p, _ := os.FindProcess(pid)
	gone := make(chan struct{})
	stopPoll := make(chan struct{})
	defer close(stopPoll)
	go func() {
		for isPostmaster(pid) {
			select {
			case <-stopPoll:
				return
			case <-time.After(10 * time.Millisecond):
			}
		}
		close(gone)
	}()
	exited := func() bool {
		select {
		case <-gone:
			return true
		default:
			return false
		}
	}
	return stopWith(ctx, p.Signal, exited, gone)
}

func stopWith(ctx context.Context, signal func(os.Signal) error, exited func() bool, done <-chan struct{}) error {
	if exited() {
		return nil
	}
	if err := signal(syscall.SIGINT); err != nil && !exited() && !errors.Is(err, os.ErrProcessDone) {
		return err
	}
	t := time.NewTimer(fastShutdownWait)
	defer t.Stop()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
	case <-t.C:
	}
	signal(syscall.SIGQUIT)
	select {
	case <-done:
		return nil
	case <-time.After(immediateShutdownWait):
	}
	signal(syscall.SIGKILL)
	<-done
	return nil
}
