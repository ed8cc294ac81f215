//go:build !linux

package haproxy

import (
	"os/exec"
	"syscall"
)

// setParentDeath: there is no parent-death signal outside Linux. A haproxy left behind by a
// killed scalelab is found through haproxy.pid and killed by the next Start.
func setParentDeath(cmd *exec.Cmd) {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Setpgid = true
}
