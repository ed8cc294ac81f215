package haproxy

import (
	"os"
	"os/exec"
	"runtime"
	"syscall"
	"time"
)

// child is a haproxy process this process started and waits for.
type child struct {
	cmd  *exec.Cmd
	done chan struct{} // closed once the process has exited and been reaped
	err  error         // Wait's result, valid after done
}

// startChild starts cmd from a goroutine locked to its OS thread that stays alive until the
// process exits.
//
// Why: on Linux the parent-death signal (SysProcAttr.Pdeathsig, set in setParentDeath) fires
// when the *thread* that forked the child exits, not the process. The Go runtime may retire the
// thread an arbitrary goroutine ran on, which would kill haproxy long before scalelab exits.
// Locking the starting goroutine to its thread, and keeping that goroutine in cmd.Wait until
// the child is gone, ties the signal to the process's real death. (golang/go#27505)
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

// stop soft-stops the child (SIGUSR1: it stops listening and finishes the requests in flight)
// and waits until it is reaped, sending SIGKILL after wait.
func (c *child) stop(wait time.Duration) {
	if c.exited() {
		return
	}
	c.cmd.Process.Signal(syscall.SIGUSR1)
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-c.done:
		return
	case <-t.C:
	}
	c.cmd.Process.Signal(os.Kill)
	<-c.done
}
