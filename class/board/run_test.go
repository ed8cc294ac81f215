package board

import (
	"bytes"
	"context"
	"io"
	"strings"
	"sync"
	"testing"
	"time"
)

// lockedBuffer is a bytes.Buffer the program writes while the test reads it.
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

func TestRunQuitsOnQAndOnContext(t *testing.T) {
	for _, stop := range []string{"q", "ctx"} {
		t.Run(stop, func(t *testing.T) {
			src := newChanSource()
			defer close(src.done)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			runCtx, stopRun := context.WithCancel(ctx)
			defer stopRun()
			in, typed := io.Pipe()
			defer typed.Close()
			var out lockedBuffer
			done := make(chan error, 1)
			go func() { done <- Run(runCtx, src, DefaultOptions(), in, &out) }()

			feed(t, src, twoLearners(), nil)
			for !strings.Contains(out.String(), "linus") {
				select {
				case <-ctx.Done():
					t.Fatalf("the board never drew the room:\n%q", out.String())
				case <-time.After(10 * time.Millisecond):
				}
			}
			if !strings.Contains(out.String(), "\x1b[?1049h") {
				t.Fatal("the board does not use the alternate screen")
			}
			if stop == "q" {
				go typed.Write([]byte("q"))
			} else {
				stopRun()
			}
			select {
			case err := <-done:
				if err != nil {
					t.Fatalf("Run: %v", err)
				}
			case <-ctx.Done():
				t.Fatal("Run did not return")
			}
		})
	}
}
