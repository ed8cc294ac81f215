package pg

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// How the supervisor watches the cluster.
var (
	superviseEvery = 200 * time.Millisecond // how often it looks at a postmaster it did not start
	// takeoverGrace is how long a process attached to a cluster leaves a crash to the live
	// scalelab that owns it before starting the cluster itself.
	takeoverGrace = 2 * time.Second
	retryEvery    = time.Second // between failed restarts
)

// stoppedPath marks a deliberate stop (Stop, Kill): while it exists no supervisor, in any
// scalelab process, restarts the cluster. It lives beside PGDATA, where only scalelab writes.
func (c *cluster) stoppedPath() string { return filepath.Join(c.dir, "stopped") }

func (c *cluster) markStopped(how string) error {
	return writePrivate(c.stoppedPath(), []byte(how+" by scalelab pid "+strconv.Itoa(os.Getpid())+"\n"), 0o644)
}

func (c *cluster) clearStopped() {
	os.Remove(c.stoppedPath())
}

func (c *cluster) stopped() bool {
	_, err := os.Lstat(c.stoppedPath())
	return err == nil
}

// supervise is the one place the private cluster is brought back: when the postmaster this
// process started exits without being asked to, at once; when the one another scalelab process
// started goes away, after takeoverGrace if that process still lives (it restarts its own),
// at once if it is gone. A deliberate stop is left alone. It ends when Close closes stopSup.
func (s *Server) supervise() {
	defer close(s.supDone)
	tick := time.NewTicker(superviseEvery)
	defer tick.Stop()
	var downSince, lastTry time.Time
	for {
		s.mu.Lock()
		ch := s.child
		s.mu.Unlock()
		var exited <-chan struct{}
		if ch != nil {
			exited = ch.Done()
		}
		select {
		case <-s.stopSup:
			return
		case <-exited:
		case <-tick.C:
		}
		if s.running() {
			downSince = time.Time{}
			s.setUp(true)
			continue
		}
		s.mu.Lock()
		wasUp, pid, ours := s.up, s.pid, s.started
		if ch != nil && ch.Exited() {
			s.child, s.pid, s.started = nil, 0, false
		}
		s.mu.Unlock()
		if wasUp {
			downSince = time.Now()
			s.setUp(false)
			if !s.cl.stopped() {
				s.opt.logf("PostgreSQL (pid %d) went away without being asked to: bringing it back", pid)
			}
		}
		if downSince.IsZero() {
			downSince = time.Now()
		}
		if s.cl.stopped() || time.Since(lastTry) < retryEvery {
			continue
		}
		if !ours {
			// The owner restarted it already: attach at once. Else give the owner its grace.
			pf, err := readPidFile(s.cl.pgdata())
			restarted := err == nil && pf.PID != pid && pf.Status == "ready" && postmasterOf(pf.PID, s.cl.pgdata())
			if o := readInt(s.cl.ownerPath()); !restarted && o != os.Getpid() && alive(o) && time.Since(downSince) < takeoverGrace {
				continue
			}
		}
		lastTry = time.Now()
		s.restart(downSince)
	}
}

// running says whether the postmaster this Server uses runs now (cheap: no connection).
func (s *Server) running() bool {
	s.mu.Lock()
	ch, pid := s.child, s.pid
	s.mu.Unlock()
	if ch != nil {
		return !ch.Exited()
	}
	return pid != 0 && isPostmaster(pid)
}

// restart brings the cluster back (or attaches to the one another process brought back),
// unless Close or a deliberate stop came first.
func (s *Server) restart(downSince time.Time) {
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	go func() {
		select {
		case <-s.stopSup:
			cancel()
		case <-ctx.Done():
		}
	}()
	s.op.Lock()
	defer s.op.Unlock()
	if s.usable() != nil || s.cl.stopped() || s.running() {
		return
	}
	if err := s.bringUp(ctx); err != nil {
		if ctx.Err() == nil {
			s.opt.logf("PostgreSQL could not be brought back (trying again): %s", err)
		}
		return
	}
	in := s.Info()
	how := "restarted it"
	if !in.Started {
		how = "another scalelab restarted it"
	}
	s.opt.logf("PostgreSQL is back on 127.0.0.1:%d after %v down (%s, pid %d)", in.Port, time.Since(downSince).Round(10*time.Millisecond), how, in.PID)
	s.setUp(true)
}

// endSupervision stops the supervisor and waits for it (safe more than once, and for a Server
// that never had one).
func (s *Server) endSupervision() {
	if s.stopSup == nil {
		return
	}
	s.supStop.Do(func() { close(s.stopSup) })
	<-s.supDone
}
