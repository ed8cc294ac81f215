package haproxy

import (
	"os/exec"
	"syscall"
)

// setParentDeath asks the kernel to SIGKILL haproxy when scalelab dies, even by SIGKILL (see
// startChild for the thread caveat). HAProxy keeps no state worth a graceful stop then.
func setParentDeath(cmd *exec.Cmd) {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Pdeathsig = syscall.SIGKILL
	// Own process group: a Ctrl+C in the terminal reaches scalelab, which then stops haproxy
	// itself, in order.
	cmd.SysProcAttr.Setpgid = true
}
