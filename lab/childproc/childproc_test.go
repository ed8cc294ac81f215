package childproc

import (
	"os/exec"
	"syscall"
	"testing"
	"time"
)

func TestStartWaitsAndReaps(t *testing.T) {
	p, err := Start(exec.Command("sleep", "30"), syscall.SIGKILL)
	if err != nil {
		t.Fatal(err)
	}
	if p.Pid() <= 0 || p.Exited() {
		t.Fatalf("pid %d, exited %v right after the start", p.Pid(), p.Exited())
	}
	if pgid, err := syscall.Getpgid(p.Pid()); err != nil || pgid != p.Pid() {
		t.Errorf("process group %d (%v), want its own (%d)", pgid, err, p.Pid())
	}
	p.Cmd.Process.Kill()
	select {
	case <-p.Done():
	case <-time.After(20 * time.Second):
		t.Fatal("Done not closed after the child was killed")
	}
	if !p.Exited() || p.Err() == nil {
		t.Errorf("after the kill: exited %v, err %v", p.Exited(), p.Err())
	}
	if _, err := Start(exec.Command("/nonexistent/binary"), syscall.SIGKILL); err == nil {
		t.Error("starting a missing binary did not fail")
	}
}
