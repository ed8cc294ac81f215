//go:build !linux

package pg

import (
	"os/exec"
	"syscall"
)

// setParentDeath: there is no parent-death signal outside Linux. A postgres left behind by a
// killed scalelab is found and stopped (or reused) by the next Open.
func setParentDeath(cmd *exec.Cmd) {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Setpgid = true
}
