package childproc

import "syscall"

// setParentDeath asks the kernel to send sig to the child when scalelab dies, even by SIGKILL
// (see Start for the thread caveat). Go sets it after dropping credentials, so it survives
// running the child as another user.
func setParentDeath(a *syscall.SysProcAttr, sig syscall.Signal) { a.Pdeathsig = sig }
