package singleserver

import (
	"context"
	"errors"
	"fmt"
	"time"

	"scalelab/lab/feed"
	"scalelab/lab/numfmt"
	"scalelab/lab/posts"
)

// Errors of the failure drills.
var (
	// errExternalDB: kill-db on a DATABASE_URL server, which is not the lab's to kill.
	errExternalDB = errors.New("the lab uses an existing PostgreSQL (DATABASE_URL): kill-db only kills the lab's private cluster; unset DATABASE_URL to try it")
	// errPGKilled is what table work answers while PostgreSQL is down after kill-db.
	errPGKilled = errors.New("PostgreSQL is down (killed): bring it back first (B, or scalelab bring-back)")
)

// startAPI starts the feed API with l.knobs on l.addr, recording into l.rec.
func (l *Lab) startAPI() error {
	l.apiMu.Lock()
	defer l.apiMu.Unlock()
	return l.startAPILocked()
}

// startAPILocked is startAPI with apiMu held; l.addr becomes the address it listens on.
func (l *Lab) startAPILocked() error {
	f := feed.New(l.pg.URL(), l.knobs, l.rec)
	if err := f.Listen(l.addr); err != nil {
		f.Close()
		return err
	}
	l.addr = f.Addr()
	l.api.Store(f)
	if l.apiKilled.Swap(false) {
		l.apiEpoch.Add(1)
	}
	return nil
}

// KillAPI ends the feed API as a crash would: its port closes and the requests in flight are
// dropped without an answer. It stays down until BringBack (or SetKnobs) starts it again on the
// same port with the same knobs. killed is false when it was down already.
func (l *Lab) KillAPI() (killed bool, err error) {
	if l.cfg.NoAPI {
		return false, ErrNoAPI
	}
	l.apiMu.Lock()
	defer l.apiMu.Unlock()
	f := l.api.Swap(nil)
	if f == nil {
		return false, nil
	}
	l.knobs = f.Knobs()
	l.apiKilled.Store(true)
	l.apiEpoch.Add(1)
	f.Crash()
	return true, nil
}

// KillDB ends the private cluster's postmaster with SIGKILL, as a crash would. No supervisor
// brings it back: it stays down until BringBack. killed is false when it was down already.
func (l *Lab) KillDB(ctx context.Context) (killed bool, err error) {
	in := l.pg.Info()
	if in.External {
		return false, errExternalDB
	}
	if !in.Running {
		return false, nil
	}
	l.rows.Store(int64(l.State(ctx).Rows))
	if err := l.pg.Kill(ctx); err != nil {
		return false, err
	}
	return true, nil
}

// BringBack starts what was killed: PostgreSQL first (crash recovery runs), then the API with
// its knobs on its port. what lists what it started ("PostgreSQL", "the API"); none when
// everything was up.
func (l *Lab) BringBack(ctx context.Context) (what []string, err error) {
	if in := l.pg.Info(); !in.External && (!in.Running || in.Stopped) {
		if err := l.pg.Start(ctx); err != nil {
			return what, fmt.Errorf("start PostgreSQL again: %w", err)
		}
		what = append(what, "PostgreSQL")
		if err := l.waitPG(ctx); err != nil {
			return what, err
		}
		if f := l.Feed(); f != nil {
			f.ResetPools()
		}
	}
	if l.apiKilled.Load() {
		if err := l.startAPI(); err != nil {
			return what, fmt.Errorf("start the API again: %w", err)
		}
		what = append(what, "the API")
	}
	return what, nil
}

// waitPG waits until the lab's own pool reaches PostgreSQL again after a restart (its old
// connections went with the killed server), for at most 30 s.
func (l *Lab) waitPG(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	l.db.Reset()
	for {
		err := l.db.Ping(ctx)
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("PostgreSQL did not answer after its restart: %w", err)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// Grow grows the posts table to rows posts (growRows when 0), dropping the index first, with
// progress lines through progress and Config.Logf. dropped says an index was dropped.
func (l *Lab) Grow(ctx context.Context, rows int, progress func(line string)) (dropped bool, took time.Duration, err error) {
	if rows == 0 {
		rows = growRows
	}
	l.changing.Add(1)
	defer l.changed(true)
	start := time.Now()
	dropped, err = posts.Grow(ctx, l.db, rows, l.lines("grown to", progress))
	if err == nil {
		l.rows.Store(int64(rows))
	}
	return dropped, time.Since(start), err
}

// Shrink brings the posts table back to the lab's rows (Config.Rows), the index kept as it is.
func (l *Lab) Shrink(ctx context.Context, progress func(line string)) (shrunk bool, err error) {
	l.changing.Add(1)
	defer l.changed(true)
	shrunk, err = posts.Shrink(ctx, l.db, l.cfg.Rows, l.lines("reseeded", progress))
	if err == nil {
		l.rows.Store(int64(l.cfg.Rows))
	}
	return shrunk, err
}

// lines is a seeding progress callback that says "grown to 400,000 of 1,000,000 posts" to
// progress and to Config.Logf.
func (l *Lab) lines(what string, progress func(line string)) func(done, total int) {
	return func(done, total int) {
		line := fmt.Sprintf("%s %s of %s posts", what, numfmt.Int(done), numfmt.Int(total))
		l.cfg.Logf("%s", line)
		if progress != nil {
			progress(line)
		}
	}
}

// pgDown is errPGKilled while the private cluster is down on purpose (kill-db), else nil.
func (l *Lab) pgDown() error {
	if in := l.pg.Info(); !in.External && (in.Stopped || !in.Running) {
		return errPGKilled
	}
	return nil
}
