package pg

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"runtime"
	"syscall"
	"time"
)

// child is a postgres process this process started and waits for.
type child struct {
	cmd  *exec.Cmd
	done chan struct{} // closed once the process has exited and been reaped
	err  error         // Wait's result, valid after done
}

// startChild starts cmd from a goroutine locked to its OS thread that stays alive until the
// process exits.
//
// Why: on Linux the parent-death signal (SysProcAttr.Pdeathsig, set in setParentDeath) fires
// when the *thread* that forked the child exits, not the process. The Go runtime runs goroutines
// on threads it may retire (a goroutine that exits while locked to its thread takes the thread
// with it), so a child started from an arbitrary goroutine could get SIGINT long before scalelab
// exits. Locking the starting goroutine to its thread, and keeping that goroutine in cmd.Wait
// until the child is gone, ties the signal to the process's real death. (golang/go#27505)
func startChild(cmd *exec.Cmd) (*child, error) {
	setParentDeath(cmd)
	c := &child{cmd: cmd, done: make(chan struct{})}
	started := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		// Never unlocked: when this goroutine returns, its thread exits, after the child did.
		if err := cmd.Start(); err != nil {
			started <- err
			return
		}
		started <- nil
		c.err = cmd.Wait()
		close(c.done)
	}()
	if err := <-started; err != nil {
		return nil, err
	}
	return c, nil
}

func (c *child) pid() int { return c.cmd.Process.Pid }

func (c *child) exited() bool {
	select {
	case <-c.done:
		return true
	default:
		return false
	}
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
	return stopWith(ctx, c.cmd.Process.Signal, c.exited, c.done)
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
