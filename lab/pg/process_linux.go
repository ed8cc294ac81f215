package pg

import (
	"os/exec"
	"syscall"
)

// setParentDeath asks the kernel to send postgres SIGINT (fast shutdown) when we die, even by
// SIGKILL. See startChild for the thread caveat. Go sets it after dropping credentials, so it
// survives running postgres as another user.
func setParentDeath(cmd *exec.Cmd) {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Pdeathsig = syscall.SIGINT
	// Own process group: a Ctrl+C in the terminal reaches scalelab, which then stops postgres
	// itself, in order, instead of postgres racing it.
	cmd.SysProcAttr.Setpgid = true
}
