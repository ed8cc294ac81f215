package haproxy

import (
	"os"
	"os/exec"
	"syscall"
	"time"

	"scalelab/lab/childproc"
)

// child is a haproxy process this process started and waits for: the kernel SIGKILLs it when
// scalelab dies, even by SIGKILL (childproc.Start); HAProxy keeps no state worth a graceful
// stop then.
type child struct{ *childproc.Process }

func startChild(cmd *exec.Cmd) (*child, error) {
	p, err := childproc.Start(cmd, syscall.SIGKILL)
	if err != nil {
		return nil, err
	}
	return &child{p}, nil
}

// stop soft-stops the child (SIGUSR1: it stops listening and finishes the requests in flight)
// and waits until it is reaped, sending SIGKILL after wait.
func (c *child) stop(wait time.Duration) {
	if c.Exited() {
		return
	}
	c.Cmd.Process.Signal(syscall.SIGUSR1)
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-c.Done():
		return
	case <-t.C:
	}
	c.Cmd.Process.Signal(os.Kill)
	<-c.Done()
}
