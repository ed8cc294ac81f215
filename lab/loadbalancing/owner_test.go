package loadbalancing

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"scalelab/lab"
	"scalelab/lab/haproxy"
	"scalelab/lab/pg/pgtest"
)

// ownerDBEnv makes TestLabOwnerProcess act as a scalelab running the lab on that database.
const ownerDBEnv = "LOADBALANCING_TEST_OWNER_DB"

// TestLabOwnerProcess is the owner process of TestKilledOwnerLeavesNoHAProxy, run as a child of
// the test binary: it starts the lab, prints its HAProxy's pid and address, and waits to be
// killed. It installs no signal handling of its own, as the lab installs none.
func TestLabOwnerProcess(t *testing.T) {
	dbURL := os.Getenv(ownerDBEnv)
	if dbURL == "" {
		t.Skip("only run as the owner process of TestKilledOwnerLeavesNoHAProxy")
	}
	l, err := lab.New(labName, lab.Config{DBURL: dbURL, Addr: "127.0.0.1:0", Rows: 2_000})
	if err == nil {
		err = l.Start(context.Background())
	}
	if err != nil {
		fmt.Println("error:", err)
		return
	}
	hap := l.(*lbLab).balancer()
	fmt.Println("haproxy", hap.PID(), hap.Addr())
	time.Sleep(time.Minute) // killed long before
}

// A scalelab killed with SIGKILL, or ended by a SIGTERM (the lab catches none: the CLI's own
// handler closes the lab on the way out), takes its HAProxy along: its process is gone and its
// port refuses connections.
func TestKilledOwnerLeavesNoHAProxy(t *testing.T) {
	if _, err := haproxy.Find(); err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "linux" {
		t.Skip("the parent-death signal is Linux's; elsewhere the next start kills the leftover")
	}
	for _, sig := range []syscall.Signal{syscall.SIGKILL, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			t.Setenv("SCALELAB_HOME", t.TempDir())
			owner, pid, addr := startLabOwner(t, pgtest.NewDatabase(t))
			if processGone(pid) {
				t.Fatalf("haproxy %d is not running before the kill", pid)
			}
			owner.Process.Signal(sig)
			owner.Wait()
			// A dying process's first thread can be a zombie while its other threads still hold
			// the sockets: wait for both the process and its port.
			deadline := time.Now().Add(5 * time.Second)
			for !(processGone(pid) && refused(addr)) && time.Now().Before(deadline) {
				time.Sleep(50 * time.Millisecond)
			}
			if !processGone(pid) {
				t.Fatalf("haproxy %d outlived its owner's %v", pid, sig)
			}
			if !refused(addr) {
				t.Errorf("%s still accepts connections after the owner's %v", addr, sig)
			}
		})
	}
}

// startLabOwner runs TestLabOwnerProcess as another process on dbURL, killed when the test
// ends, and returns it with its HAProxy's pid and address.
func startLabOwner(t *testing.T, dbURL string) (*exec.Cmd, int, string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestLabOwnerProcess$", "-test.v")
	cmd.Env = append(os.Environ(), ownerDBEnv+"="+dbURL)
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
		if f := strings.Fields(line); len(f) == 3 && f[0] == "haproxy" {
			pid, _ := strconv.Atoi(f[1])
			go func() { // keep the pipe drained until the owner dies
				for sc.Scan() {
				}
			}()
			return cmd, pid, f[2]
		}
	}
	t.Fatal("the owner process printed no haproxy pid")
	return nil, 0, ""
}

// refused tells whether nothing accepts connections on addr.
func refused(addr string) bool {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err == nil {
		c.Close()
	}
	return err != nil
}

// processGone tells whether pid has exited (a zombie waiting for its parent's wait has).
func processGone(pid int) bool {
	if syscall.Kill(pid, 0) != nil {
		return true
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	return err != nil || strings.Contains(string(b), ") Z ")
}
