package pg

import (
	"context"
	"errors"
	"fmt"
	"syscall"
	"time"
)

// Stop shuts the private cluster down (fast shutdown, SIGINT) and waits. It is a deliberate
// stop: no supervisor (of this or another scalelab process) brings the cluster back until Start.
// Start brings it back on the same port. Meant for failure drills: the lab keeps running without
// its database.
func (s *Server) Stop(ctx context.Context) error {
	return s.downOnPurpose(ctx, "stopped", func() error {
		err := s.stopLocked(ctx)
		s.setUp(false)
		return err
	})
}

// Kill ends the private cluster's postmaster with SIGKILL, as a crash would, and waits until it
// is gone. Like Stop it is deliberate: the cluster stays down until Start (which runs crash
// recovery). Its backends notice the postmaster's death and exit by themselves.
func (s *Server) Kill(ctx context.Context) error {
	return s.downOnPurpose(ctx, "killed", func() error {
		if err := s.killLocked(ctx); err != nil {
			return err
		}
		s.mu.Lock()
		s.child, s.pid, s.started = nil, 0, false
		s.mu.Unlock()
		s.setUp(false)
		return nil
	})
}

// downOnPurpose runs down with the operation and directory locks held, after marking the
// cluster as down on purpose (how: "stopped", "killed") so that no supervisor brings it back.
func (s *Server) downOnPurpose(ctx context.Context, how string, down func() error) error {
	s.op.Lock()
	defer s.op.Unlock()
	if err := s.usable(); err != nil {
		return err
	}
	lock, err := lockDir(ctx, s.cl.lockPath(), s.opt.Logf)
	if err != nil {
		return err
	}
	defer lock.unlock()
	if err := s.cl.markStopped(how); err != nil {
		return err
	}
	return down()
}

// killLocked sends SIGKILL to the postmaster (ours, or the one the pid file names) and waits
// until it is gone; the locks are held.
func (s *Server) killLocked(ctx context.Context) error {
	s.mu.Lock()
	ch, pid := s.child, s.pid
	s.mu.Unlock()
	if ch == nil && pid == 0 {
		if pf, err := readPidFile(s.cl.pgdata()); err == nil && postmasterOf(pf.PID, s.cl.pgdata()) {
			pid = pf.PID
		}
	}
	switch {
	case ch != nil:
		ch.Cmd.Process.Signal(syscall.SIGKILL)
		select {
		case <-ch.Done():
		case <-ctx.Done():
			return fmt.Errorf("kill PostgreSQL: %w", ctx.Err())
		}
	case pid != 0:
		if err := syscall.Kill(pid, syscall.SIGKILL); err != nil && !errors.Is(err, syscall.ESRCH) {
			return fmt.Errorf("kill PostgreSQL (pid %d): %w", pid, err)
		}
		for isPostmaster(pid) {
			select {
			case <-ctx.Done():
				return fmt.Errorf("kill PostgreSQL: %w", ctx.Err())
			case <-time.After(10 * time.Millisecond):
			}
		}
	}
	return nil
}

func (s *Server) stopLocked(ctx context.Context) error {
	s.mu.Lock()
	ch, pid := s.child, s.pid
	s.mu.Unlock()
	var err error
	switch {
	case ch != nil:
		err = ch.stop(ctx)
	case pid != 0 && postmasterOf(pid, s.cl.pgdata()):
		err = stopPID(ctx, pid)
	}
	if err != nil {
		return fmt.Errorf("stop PostgreSQL: %w", err)
	}
	s.mu.Lock()
	s.child, s.pid, s.started = nil, 0, false
	s.mu.Unlock()
	return nil
}

// Start brings the private cluster back after Stop or Kill (or after it died), on the same port,
// and ends a deliberate stop for every scalelab process. If another scalelab process started it
// meanwhile, Start attaches to that one.
func (s *Server) Start(ctx context.Context) error {
	s.op.Lock()
	defer s.op.Unlock()
	if err := s.usable(); err != nil {
		return err
	}
	s.cl.clearStopped()
	s.mu.Lock()
	ch := s.child
	s.mu.Unlock()
	if ch != nil && !ch.Exited() {
		if isPostmaster(ch.Pid()) {
			return nil
		}
		// Killed but not yet reaped: wait for it, then start anew.
		select {
		case <-ch.Done():
		case <-ctx.Done():
			return fmt.Errorf("starting PostgreSQL: %w", ctx.Err())
		}
	}
	if err := s.bringUp(ctx); err != nil {
		return err
	}
	s.setUp(true)
	return nil
}
