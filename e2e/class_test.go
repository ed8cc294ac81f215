package e2e

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The classroom end to end: the real binary's `class serve`, a learner joining with OpenSSH's
// ssh in a terminal, the class code typed once, their own lab started, /metrics, and SIGTERM
// ending the class with the worksheet saved and no PostgreSQL left.

func needSSH(t *testing.T) {
	t.Helper()
	for _, tool := range []string{"ssh", "ssh-keygen"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed: the classroom test joins with OpenSSH (apt install openssh-client, or make tools)", tool)
		}
	}
}

// freePort is a loopback port free a moment ago.
func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return fmt.Sprint(ln.Addr().(*net.TCPAddr).Port)
}

// lockedBuffer is a process's output read while it runs.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// learnerClusters are the PostgreSQL data directories of a learner directory: in it, or, for
// a root-run test, where lab/pg moves a cluster the postgres user could not reach (named by a
// hash of the cluster's directory).
func learnerClusters(learnerDir string) (own []string, moved []string) {
	for major := 9; major <= 25; major++ {
		d := filepath.Join(learnerDir, "pg", fmt.Sprint(major))
		sum := sha256.Sum256([]byte(d))
		own = append(own, d)
		moved = append(moved, filepath.Join("/var/lib/scalelab/pg", fmt.Sprintf("%d-%x", major, sum[:6])))
	}
	return own, moved
}

// processesNaming are the pids whose command line names dir.
func processesNaming(dir string) []string {
	var pids []string
	procs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, p := range procs {
		if b, err := os.ReadFile(p); err == nil && strings.Contains(string(b), dir) {
			pids = append(pids, filepath.Base(filepath.Dir(p)))
		}
	}
	return pids
}

func TestClassOverOpenSSH(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the class server and a learner's PostgreSQL")
	}
	needSSH(t)
	tt := newTerm(t)
	bin := binary(t)
	tmp := labHome(t)
	dir := filepath.Join(tmp, "class")
	key := filepath.Join(tmp, "id_ed25519")
	if out, err := exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key).CombinedOutput(); err != nil {
		t.Fatalf("ssh-keygen: %v\n%s", err, out)
	}
	port, mport := freePort(t), freePort(t)
	srv := exec.Command(bin, "class", "serve", "--dir", dir, "--addr", "127.0.0.1:"+port,
		"--metrics-addr", "127.0.0.1:"+mport, "--code", "e2ecode", "--duration", "3s", "--users", "10")
	srv.Env = append(os.Environ(), "SCALELAB_HOME="+tmp)
	var out lockedBuffer
	srv.Stdout, srv.Stderr = &out, &out
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- srv.Wait() }()
	t.Cleanup(func() {
		srv.Process.Kill()
		<-exited
		if t.Failed() {
			t.Logf("the server said:\n%s", out.String())
		}
		// a root-run test's clusters are moved under /var/lib/scalelab/pg: remove them
		learners, _ := filepath.Glob(filepath.Join(dir, "learners", "*"))
		for _, l := range learners {
			_, moved := learnerClusters(l)
			for _, m := range moved {
				os.RemoveAll(m)
			}
		}
	})
	for deadline := time.Now().Add(30 * time.Second); !strings.Contains(out.String(), "ssh -p "+port+" NAME@127.0.0.1"); {
		if time.Now().After(deadline) {
			t.Fatalf("the server never said how to join:\n%s", out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if !strings.Contains(out.String(), "e2ecode") || !strings.Contains(out.String(), "scalelab class board --dir "+dir) {
		t.Errorf("the server's start does not give the code and the board command:\n%s", out.String())
	}

	ssh := fmt.Sprintf("ssh -tt -p %s -i %s -o IdentitiesOnly=yes -o PasswordAuthentication=no -o StrictHostKeyChecking=accept-new -o UserKnownHostsFile=%s juno@127.0.0.1; echo SSH-ENDED; sleep 120",
		port, key, filepath.Join(tmp, "known_hosts"))
	tt.start(100, 30, nil, "sh", "-c", ssh)
	tt.waitLong(30*time.Second, "class code:")
	tt.text("e2ecode")
	tt.keys("Enter")
	tt.waitLong(3*time.Minute, "PG ✓")
	tt.keys("n")

	// /metrics counts the learner connected
	metric := `scalelab_class_learners{state="connected"} 1`
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		resp, err := http.Get("http://127.0.0.1:" + mport + "/metrics")
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if strings.Contains(string(b), metric) {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("/metrics never showed %s (%v)", metric, err)
		}
	}

	learners, _ := filepath.Glob(filepath.Join(dir, "learners", "juno-*"))
	if len(learners) != 1 {
		t.Fatalf("learner directories: %v", learners)
	}
	own, moved := learnerClusters(learners[0])
	var cluster string
	for _, c := range append(own, moved...) {
		for _, d := range []string{c, filepath.Join(c, "data")} {
			if _, err := os.Stat(filepath.Join(d, "PG_VERSION")); err == nil {
				cluster = d
			}
		}
	}
	if cluster == "" || len(processesNaming(cluster)) == 0 {
		t.Fatalf("juno's PostgreSQL does not run (cluster %q)", cluster)
	}

	// SIGTERM: the learner is told, the worksheet saved at step 1, the lab stopped
	srv.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-exited:
		exited <- err
		if err != nil {
			t.Errorf("the server exited with %v after SIGTERM", err)
		}
	case <-time.After(60 * time.Second):
		t.Fatal("the server did not stop within 60 s of SIGTERM")
	}
	tt.waitLong(20*time.Second, "the class server is stopping", "SSH-ENDED")
	if pids := processesNaming(cluster); len(pids) > 0 {
		t.Errorf("juno's PostgreSQL still runs after SIGTERM: %v", pids)
	}
	sheet, err := os.ReadFile(filepath.Join(learners[0], "worksheets", "01-single-server.json"))
	if err != nil || !strings.Contains(string(sheet), `"step": 1`) {
		t.Errorf("juno's worksheet after SIGTERM (%v):\n%s", err, sheet)
	}
	for _, f := range []string{"server.pid", "control.sock"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err == nil {
			t.Errorf("%s is left after SIGTERM", f)
		}
	}
}
