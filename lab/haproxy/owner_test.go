package haproxy_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"scalelab/lab/haproxy"
)

// ownerDirEnv makes TestOwnerProcess act as a scalelab that starts haproxy in that directory.
const ownerDirEnv = "HAPROXY_TEST_OWNER_DIR"

// TestOwnerProcess is the owner process of TestKilledOwnerTakesHAProxyAlong, run as a child
// of the test binary: it starts haproxy, prints its pid, and waits to be killed.
func TestOwnerProcess(t *testing.T) {
	dir := os.Getenv(ownerDirEnv)
	if dir == "" {
		t.Skip("only run as the owner process of TestKilledOwnerTakesHAProxyAlong")
	}
	p, err := haproxy.Start(context.Background(), haproxy.Config{Dir: dir, Listen: os.Getenv(ownerDirEnv + "_LISTEN"),
		Backends: []haproxy.Backend{{Name: "a", Addr: "127.0.0.1:1"}}})
	if err != nil {
		fmt.Println("error:", err)
		return
	}
	fmt.Println("pid", p.PID())
	time.Sleep(time.Minute) // killed long before
}

// A scalelab killed with SIGKILL, or ended by a SIGTERM it does not catch, takes its haproxy
// along (Linux: the parent-death signal), and the next Start in the directory finds the pid
// file of a dead owner and takes over.
func TestKilledOwnerTakesHAProxyAlong(t *testing.T) {
	needHAProxy(t)
	if runtime.GOOS != "linux" {
		t.Skip("the parent-death signal is Linux's; elsewhere the next Start kills the leftover (TestStartKillsALeftover)")
	}
	for _, sig := range []syscall.Signal{syscall.SIGKILL, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) { ownerDies(t, sig) })
	}
}

func ownerDies(t *testing.T, sig syscall.Signal) {
	dir, addr := shortDir(t), freeAddr(t)
	owner, pid := startOwner(t, dir, addr)
	owner.Process.Signal(sig)
	owner.Wait()
	waitFor(t, 5*time.Second, "haproxy to die with its owner", func() bool { return gone(pid) })

	_, _, backends := twoBackends(t)
	p := start(t, haproxy.Config{Dir: dir, Listen: addr, Backends: backends})
	if p.PID() == pid {
		t.Fatal("same pid")
	}
}

// The directory of a haproxy whose scalelab still runs is refused, and that haproxy is left
// alone.
func TestDirOfARunningOwnerIsRefused(t *testing.T) {
	needHAProxy(t)
	dir, addr := shortDir(t), freeAddr(t)
	_, pid := startOwner(t, dir, addr)
	_, err := haproxy.Start(context.Background(), haproxy.Config{Dir: dir, Backends: []haproxy.Backend{{Name: "a", Addr: "127.0.0.1:1"}}})
	if !errors.Is(err, haproxy.ErrBusy) {
		t.Fatalf("Start in a directory another scalelab serves: %v, want ErrBusy", err)
	}
	if gone(pid) {
		t.Fatal("the other scalelab's haproxy was stopped")
	}
}

// startOwner runs TestOwnerProcess as another process serving dir on addr, killed when the test
// ends, and returns it with its haproxy's pid.
func startOwner(t *testing.T, dir, addr string) (*exec.Cmd, int) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestOwnerProcess$", "-test.v")
	cmd.Env = append(os.Environ(), ownerDirEnv+"="+dir, ownerDirEnv+"_LISTEN="+addr)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		line := sc.Text()
		if msg, ok := strings.CutPrefix(line, "error: "); ok {
			t.Fatal(msg)
		}
		if s, ok := strings.CutPrefix(line, "pid "); ok {
			pid, _ := strconv.Atoi(s)
			return cmd, pid
		}
	}
	t.Fatal("the owner process printed no haproxy pid")
	return nil, 0
}
