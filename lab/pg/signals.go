package pg

import (
	"io"
	"os"
	"os/signal"
	"sync"
	"syscall"
)

// StopOnSignals closes the closers, in order, when SIGINT, SIGTERM or SIGHUP arrives, then lets
// the signal take its default effect (the process ends as if the signal had not been caught).
// Commands that do not handle signals themselves use it right after Open:
//
//	srv, err := pg.Open(ctx, opt)
//	if err != nil { return err }
//	defer srv.Close()                 // normal return, and panics in this goroutine
//	defer pg.StopOnSignals(srv)()      // Ctrl+C, kill, closed terminal
//
// The returned func stops watching; it does not close anything. A SIGKILL cannot be caught:
// there the parent-death signal (Linux) or the next Open's orphan recovery stops PostgreSQL.
// Commands with their own signal handling (signal.NotifyContext) just Close on the way out.
func StopOnSignals(closers ...io.Closer) (stop func()) {
	ch := make(chan os.Signal, 1)
	sigs := []os.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP}
	signal.Notify(ch, sigs...)
	done := make(chan struct{})
	var once sync.Once
	go func() {
		select {
		case sig := <-ch:
			for _, c := range closers {
				c.Close()
			}
			signal.Reset(sig)
			if p, err := os.FindProcess(os.Getpid()); err == nil {
				p.Signal(sig)
			}
		case <-done:
		}
	}()
	return func() {
		once.Do(func() {
			signal.Stop(ch)
			close(done)
		})
	}
}
