package pg

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// startTimeout bounds how long a starting postgres may take to answer (crash recovery after a
// kill included).
var startTimeout = 2 * time.Minute

// fixedPortWait bounds how long Start waits for the port it must reuse to be free again.
var fixedPortWait = 10 * time.Second

// serverArgs are the settings the private cluster runs with, on the command line so that they
// win over postgresql.conf and need no file edits.
func (s *Server) serverArgs(port int) []string {
	set := []string{
		"listen_addresses=127.0.0.1",
		"port=" + strconv.Itoa(port),
		// No unix socket: clients use TCP like a real deployment, and socket paths under a
		// long data dir would exceed the 107-byte limit.
		"unix_socket_directories=",
		"max_connections=" + strconv.Itoa(s.opt.MaxConnections),
		// A lab, not a bank: no fsync. A crash of the machine (not of PostgreSQL) may lose
		// recent writes or corrupt the cluster (the lab reseeds; delete the data dir to start
		// over); in exchange commits, checkpoints and CREATE DATABASE cost no disk flushes.
		// synchronous_commit stays on: with fsync off a commit is only a write(), and a
		// SIGKILLed server (the failure drills) keeps every committed row.
		"fsync=off",
		"full_page_writes=off",
		"logging_collector=off",
		"huge_pages=off",
		"shared_buffers=128MB",
	}
	args := []string{"-D", s.cl.pgdata()}
	for _, kv := range set {
		args = append(args, "-c", kv)
	}
	return args
}

// launch starts postgres as our child and waits until it answers; the lock is held. It reuses
// s.port (after Stop), else the port of the last run when free, else a fresh free port. It
// retries the transient failures of a restart: a port another process grabbed between our probe
// and postgres' bind, and shared memory still held by backends of a killed postmaster.
func (s *Server) launch(ctx context.Context) error {
	c := s.cl
	s.mu.Lock()
	port, fixed := s.port, s.port != 0
	s.mu.Unlock()
	if !fixed {
		if last := readInt(c.portPath()); portFree(last) {
			port = last
		}
	}
	began := time.Now()
	deadline := began.Add(startTimeout)
	var lastErr error
	for attempt := 0; ; attempt++ {
		if port == 0 {
			p, err := freePort()
			if err != nil {
				return fmt.Errorf("find a free port on 127.0.0.1: %w", err)
			}
			port = p
		}
		ch, err := s.spawn(port)
		if err != nil {
			return err
		}
		err = s.waitReady(ctx, ch, port, deadline)
		if err == nil {
			s.mu.Lock()
			s.child, s.pid, s.port, s.started, s.maxConns = ch, ch.Pid(), port, true, s.opt.MaxConnections
			s.url = s.appURLLocked(port)
			s.mu.Unlock()
			// The owner was recorded by spawn before the start, so an attaching process can
			// tell the postmaster is ours from its first moment; the port is the one kept for
			// next time.
			writeInt(c.portPath(), port)
			return nil
		}
		ch.stop(context.Background())
		if ctx.Err() != nil {
			return fmt.Errorf("starting PostgreSQL: %w", ctx.Err())
		}
		if errors.Is(err, ErrStartFailed) { // already says what to do
			return err
		}
		log := c.logTail(20)
		lastErr = fmt.Errorf("%w: %v\n%s\n(full log: %s)", ErrStartFailed, err, log, c.logPath())
		if time.Now().After(deadline) || attempt >= 100 {
			return lastErr
		}
		switch {
		case strings.Contains(log, "could not bind") || strings.Contains(log, "Address already in use"):
			if !fixed {
				port = 0 // someone took it: pick another
			} else if time.Since(began) > fixedPortWait {
				return fmt.Errorf("%w: port %d, where this cluster ran before, is taken by another program; stop it (see `ss -ltnp 'sport = :%d'`), or Close and Open the lab again to get a new port", ErrStartFailed, port, port)
			}
		case strings.Contains(log, "pre-existing shared memory block"),
			strings.Contains(log, "lock file") && strings.Contains(log, "already exists"):
			// Backends of a killed postmaster still hold shared memory; they exit on their own.
		default:
			return lastErr
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("starting PostgreSQL: %w", ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// spawn starts postgres with its output in the log file (truncated: it holds the current run).
func (s *Server) spawn(port int) (*child, error) {
	c := s.cl
	// A new file each run: removed and created exclusively, never through a link.
	if err := os.Remove(c.logPath()); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("replace the PostgreSQL log %s: %w", c.logPath(), err)
	}
	logf, err := os.OpenFile(c.logPath(), os.O_WRONLY|os.O_CREATE|os.O_EXCL|unix.O_NOFOLLOW, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open the PostgreSQL log: %w", err)
	}
	if err := writeInt(c.ownerPath(), os.Getpid()); err != nil {
		logf.Close()
		return nil, fmt.Errorf("record this process as the cluster's owner in %s: %w", c.ownerPath(), err)
	}
	defer logf.Close() // the child has its own copy
	cmd := exec.Command(c.bins.Path("postgres"), s.serverArgs(port)...)
	cmd.Dir = c.dir
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.Env = append(os.Environ(), "LC_ALL=C", "LANG=C")
	cmd.SysProcAttr = c.as.credential()
	ch, err := startChild(cmd)
	if err != nil {
		return nil, fmt.Errorf("%w: run %s: %v", ErrStartFailed, c.bins.Path("postgres"), err)
	}
	return ch, nil
}

// waitReady polls postmaster.pid until it names our child with status "ready", then pings
// (creating feedapp if missing). It returns when the child exits, ctx ends or deadline passes.
func (s *Server) waitReady(ctx context.Context, ch *child, port int, deadline time.Time) error {
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	var perr error
	for {
		if ch.Exited() {
			return fmt.Errorf("postgres exited: %v", ch.Err())
		}
		if pf, err := readPidFile(s.cl.pgdata()); err == nil && pf.PID == ch.Pid() && pf.Status == "ready" {
			if perr = s.ensureRoles(ctx, port); perr == nil {
				return nil
			}
			if authFailed(perr) {
				return s.cl.authError(perr)
			}
		}
		if time.Now().After(deadline) {
			if perr == nil {
				perr = errors.New("postmaster.pid never said ready")
			}
			return fmt.Errorf("not ready after %v: %v", startTimeout, perr)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-ch.Done():
		case <-tick.C:
		}
	}
}

func (c *cluster) logTail(n int) string {
	b, err := os.ReadFile(c.logPath())
	if err != nil {
		return ""
	}
	return tail(string(b), n)
}

// authFailed: the server answers but refuses our user or password (SQLSTATE class 28), which
// waiting will not change.
func authFailed(err error) bool { return strings.HasPrefix(sqlState(err), "28") }

func (c *cluster) authError(err error) error {
	return fmt.Errorf("%w: the cluster in %s refuses the passwords kept in %s (%v): they were changed by hand; delete %s to start over (the lab reseeds its data), or point scalelab at it with DATABASE_URL",
		ErrStartFailed, c.dir, c.secretPath(), concise(err), c.dir)
}
