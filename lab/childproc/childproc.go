// Package childproc starts a lab component's server process (PostgreSQL, HAProxy) so that it
// dies with scalelab, and waits for it: on Linux the kernel signals it when scalelab dies,
// even by SIGKILL; elsewhere the component finds and stops a leftover at its next start.
package childproc

import (
	"os/exec"
	"runtime"
	"syscall"
)

// Process is a child process this process started and waits for.
type Process struct {
	Cmd  *exec.Cmd
	done chan struct{} // closed once the process has exited and been reaped
	err  error         // Wait's result, valid after done
}

// Start starts cmd in its own process group (a Ctrl+C in the terminal reaches scalelab, which
// stops the child itself, in order), with onParentDeath sent to it when scalelab dies (Linux).
// It starts it from a goroutine locked to its OS thread that stays alive until the process
// exits.
//
// Why: on Linux the parent-death signal (SysProcAttr.Pdeathsig) fires when the *thread* that
// forked the child exits, not the process. The Go runtime may retire the thread an arbitrary
// goroutine ran on (a goroutine that exits while locked to its thread takes the thread with
// it), which would signal the child long before scalelab exits. Locking the starting goroutine
// to its thread, and keeping that goroutine in cmd.Wait until the child is gone, ties the
// signal to the process's real death. (golang/go#27505)
func Start(cmd *exec.Cmd, onParentDeath syscall.Signal) (*Process, error) {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Setpgid = true
	setParentDeath(cmd.SysProcAttr, onParentDeath)
	p := &Process{Cmd: cmd, done: make(chan struct{})}
	started := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		// Never unlocked: when this goroutine returns, its thread exits, after the child did.
		if err := cmd.Start(); err != nil {
			started <- err
			return
		}
		started <- nil
		p.err = cmd.Wait()
		close(p.done)
	}()
	if err := <-started; err != nil {
		return nil, err
	}
	return p, nil
}

// Pid is the child's process ID.
func (p *Process) Pid() int { return p.Cmd.Process.Pid }

// Done is closed once the child has exited and been reaped.
func (p *Process) Done() <-chan struct{} { return p.done }

// Err is how the child ended (cmd.Wait's result); valid once Done is closed.
func (p *Process) Err() error { return p.err }

// Exited reports that the child has exited and been reaped.
func (p *Process) Exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}
