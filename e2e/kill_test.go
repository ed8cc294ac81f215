package e2e

import "syscall"

func syscallKill(pid, sig int) error { return syscall.Kill(pid, syscall.Signal(sig)) }
