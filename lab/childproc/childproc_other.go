//go:build !linux

package childproc

import "syscall"

// setParentDeath: there is no parent-death signal outside Linux. A child left behind by a
// killed scalelab is found and stopped by the component's next start (its pid file).
func setParentDeath(*syscall.SysProcAttr, syscall.Signal) {}
