package load

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"net"
	"net/http"
	"net/http/httptrace"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/rakyll/hey/requester"
)

// ProgressEvery is how often Run calls its progress callback.
const ProgressEvery = 250 * time.Millisecond

// maxGrace is how long requests still in flight at the deadline may take to finish before the
// runner cuts them off (shorter when Options.Timeout is shorter).
const maxGrace = time.Second

// At the start of a run no response is handed back before every worker has its own connection
// (or the dials still to come failed, or the request timeout passed: the "ramp"). Without that,
// the first worker to finish returns its connection to the pool while others still wait for their
// dials; the transport hands them that connection and the dials they started end up idle in hey's
// pool, unused, where nothing can close them (hey never closes its transport, and only connections
// that carried a request are seen by the runner's httptrace hook). The wait is a few milliseconds
// on loopback and only touches the first wave of requests.

// maxDialWait bounds how long the end of a run waits for dials in progress (see waitDials).
const maxDialWait = time.Second

// maxRatePerWorker bounds how many requests one worker could possibly make per second (one
// request in 10 µs; a loopback HTTP round trip takes several times that). Run sizes hey's N from
// it for duration-bound runs; see sizeN.
const maxRatePerWorker = 100_000

// Progress is what Run reports while it goes, about every 250 ms (never once per request).
type Progress struct {
	Elapsed   time.Duration
	Duration  time.Duration // the planned duration; 0 when only Requests bounds the run
	Requests  int           // requests started so far
	Target    int           // Options.Requests; 0 when the run is bounded by time
	Responses int           // requests that got a response so far (any status)
}

// Fraction is how far the run is, 0..1 (by time, or by count when there is no duration).
func (p Progress) Fraction() float64 {
	switch {
	case p.Duration > 0:
		return math.Min(1, float64(p.Elapsed)/float64(p.Duration))
	case p.Target > 0:
		return math.Min(1, float64(p.Requests)/float64(p.Target))
	}
	return 0
}

// Run loads opt.URL with hey's requester, in this process, and returns what it measured.
//
// A run ends when the duration is over, when Requests requests were made, when ctx is cancelled,
// or on error. hey's Work.Stop only stops workers between requests, so every request carries a
// context the runner cancels: at cancel at once, and after the deadline once in-flight requests
// have had a grace of up to a second. Those cut-off requests are reported as Result.Unfinished.
// hey's transport is never closed by hey, so the runner remembers every connection a request
// used (httptrace GotConn), forgets those net/http closed on the way (connSet), and closes the
// rest at the end: when Run returns, no worker is left and no connection a request used. One residue is out of its reach: on a badly overloaded machine
// net/http sometimes drops a connection (a write that took over 50 ms to report) and dials
// again, racing another worker for the pool, and the loser's dial then sits idle in hey's pool
// without ever carrying a request, unseen by the runner, until the server closes it (the lab's
// API closes a connection that sends no request within its ReadHeaderTimeout, 10 s).
//
// On cancel Run returns what was measured so far together with an error wrapping ctx.Err().
//
// Memory: hey preallocates min(N, 1,000,000) entries in seven per-request slices (8 bytes each,
// about 56 MB at the cap) and copies them once more when it prints its summary. N is sized from
// the duration (sizeN), so short runs stay small; a 30 s run at 100 users reaches the cap.
func Run(ctx context.Context, opt Options, progress func(Progress)) (*Result, error) {
	return RunWith(ctx, opt, nil, progress)
}

// RunWith is Run with each request shaped by prepare before hey sends it: prepare gets every
// request hey makes (a fresh clone of the run's GET, carrying the run's context), one call per
// request, from hey's workers at once, and may set its headers (a user's session cookie, say).
// It must be safe for concurrent use and must not replace the request's context or body. A nil
// prepare sends the requests as Run does.
func RunWith(ctx context.Context, opt Options, prepare func(*http.Request), progress func(Progress)) (*Result, error) {
	opt, err := opt.Normalize()
	if err != nil {
		return nil, err
	}
	base, err := http.NewRequest(http.MethodGet, opt.URL, nil)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadOptions, err)
	}
	base.Header.Set("User-Agent", "scalelab-load (hey/0.1.5)")

	// Requests live in their own context, cancelled only by the runner: a caller's deadline
	// must not look like a server timeout.
	reqCtx, cancelReqs := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelReqs()
	tr := newRunTrace(opt)
	defer tr.rampTimer.Stop()
	defer tr.closeConns()
	reqCtx = httptrace.WithClientTrace(reqCtx, tr.hooks(opt.Concurrency))

	var out bytes.Buffer
	w := startWork(base, reqCtx, opt, prepare, &out, &tr.started)
	begin := time.Now()
	report := func() {
		if progress != nil {
			progress(Progress{Elapsed: time.Since(begin), Duration: opt.Duration, Requests: int(tr.started.Load()),
				Target: opt.Requests, Responses: int(tr.responses.Load())})
		}
	}
	ended := w.wait(ctx, opt, tr, cancelReqs, report)
	report()
	if w.panicked != nil {
		return nil, fmt.Errorf("load run failed inside hey: %v", w.panicked)
	}
	s, err := parseSummary(out.String())
	if err != nil {
		return nil, err
	}
	res := build(s, int(tr.started.Load()))
	res.Ended = ended
	res.State = StateCustom
	// hey v0.1.5 writes its template's escaped "%%" literally ("50%% in 0.0012 secs").
	res.Summary = strings.ReplaceAll(out.String(), "%% in ", "% in ")
	if ended == EndedCancelled {
		return res, fmt.Errorf("load run cancelled after %.1fs: %w", time.Since(begin).Seconds(), ctx.Err())
	}
	return res, nil
}

// runTrace follows a run's requests through httptrace: how many started and got a response,
// the connections they used (to close them at the end), the dials in progress, and the ramp
// (see the comment above maxDialWait), which ends when every worker has its connection, when
// the dials still to come failed, or after the request timeout.
type runTrace struct {
	started, responses, gotConns atomic.Int64
	dialing                      atomic.Int64 // dials in progress
	conns                        connSet
	rampOnce                     sync.Once
	rampDone                     chan struct{}
	rampTimer                    *time.Timer
}

func newRunTrace(opt Options) *runTrace {
	tr := &runTrace{rampDone: make(chan struct{})}
	tr.rampTimer = time.AfterFunc(opt.Timeout, tr.endRamp)
	return tr
}

func (tr *runTrace) endRamp() { tr.rampOnce.Do(func() { close(tr.rampDone) }) }

// hooks are the trace callbacks of every request of a run with that many workers.
func (tr *runTrace) hooks(workers int) *httptrace.ClientTrace {
	return &httptrace.ClientTrace{
		GotConn: func(info httptrace.GotConnInfo) {
			if !info.Reused {
				tr.conns.add(info.Conn)
			}
			if tr.gotConns.Add(1) >= int64(workers) {
				tr.endRamp()
			}
		},
		ConnectStart: func(network, addr string) { tr.dialing.Add(1) },
		ConnectDone: func(network, addr string, err error) {
			if tr.dialing.Add(-1) == 0 && err != nil {
				tr.endRamp() // the dials that were to come fail: do not wait for them
			}
		},
		GotFirstResponseByte: func() {
			tr.responses.Add(1)
			<-tr.rampDone // the ramp: see the comment above maxDialWait
		},
	}
}

// closeConns closes every connection a request of the run used and net/http did not close.
func (tr *runTrace) closeConns() {
	if testHookConnPeak != nil {
		testHookConnPeak(tr.conns.peak)
	}
	tr.conns.closeAll()
}

// work is hey's requester running in its own goroutine.
type work struct {
	w        *requester.Work
	stopOnce sync.Once
	done     chan struct{} // closed when every worker has returned
	panicked any           // what hey panicked with, if it did (read after done)
}

// startWork starts hey's workers on clones of base carrying reqCtx, each shaped by prepare
// (when not nil) and counted in started, with hey's summary written to out.
func startWork(base *http.Request, reqCtx context.Context, opt Options, prepare func(*http.Request), out *bytes.Buffer, started *atomic.Int64) *work {
	w := &work{done: make(chan struct{}), w: &requester.Work{
		Request: base,
		RequestFunc: func() *http.Request {
			started.Add(1)
			r := base.Clone(reqCtx)
			if prepare != nil {
				prepare(r)
			}
			return r
		},
		N:       sizeN(opt),
		C:       opt.Concurrency,
		Timeout: int(math.Ceil(opt.Timeout.Seconds())),
		Writer:  out,
	}}
	w.w.Init() // makes the stop channel, so Stop works even before Run has begun
	go func() {
		defer close(w.done)
		defer func() { w.panicked = recover() }()
		w.w.Run()
	}()
	return w
}

// stop asks hey's workers to stop between requests. Only once: a second Stop would block,
// as hey's stop channel holds C signals.
func (w *work) stop() { w.stopOnce.Do(w.w.Stop) }

// wait reports progress every ProgressEvery until the workers return, and ends the run: at
// the deadline it stops the workers and cancels the requests still in flight after a grace
// (up to maxGrace, at most the request timeout); on ctx's cancel at once. It returns how the
// run ended.
func (w *work) wait(ctx context.Context, opt Options, tr *runTrace, cancelReqs func(), report func()) string {
	var deadline, grace <-chan time.Time
	if opt.Duration > 0 {
		t := time.NewTimer(opt.Duration)
		defer t.Stop()
		deadline = t.C
	}
	tick := time.NewTicker(ProgressEvery)
	defer tick.Stop()
	ctxDone := ctx.Done()
	ended := EndedCount
	for {
		select {
		case <-w.done:
			return ended
		case <-tick.C:
			report()
		case <-deadline:
			ended, deadline = EndedTime, nil
			w.stop()
			tr.endRamp()
			g := time.NewTimer(min(maxGrace, opt.Timeout))
			defer g.Stop()
			grace = g.C
		case <-grace:
			grace = nil
			waitDials(&tr.dialing)
			cancelReqs()
		case <-ctxDone:
			ended, ctxDone = EndedCancelled, nil
			w.stop()
			tr.endRamp()
			waitDials(&tr.dialing)
			cancelReqs()
		}
	}
}

// waitDials gives dials in progress up to maxDialWait to finish before the runner cancels the
// requests waiting for them. net/http goes on with a dial whose request was cancelled and parks
// the connection in the pool when it arrives, where no request ever picks it up and the runner,
// which only sees connections handed to a request, cannot close it. On loopback dials take
// microseconds; only a badly overloaded machine ever waits here.
func waitDials(dialing *atomic.Int64) {
	for deadline := time.Now().Add(maxDialWait); dialing.Load() > 0 && time.Now().Before(deadline); {
		time.Sleep(2 * time.Millisecond)
	}
}

// sizeN picks hey's N. For a count-bound run it is the count. For a duration-bound run hey needs
// a number no worker can reach before the deadline (each worker makes N/C requests and then
// stops early): C * duration * maxRatePerWorker, capped at hey's own -z value, MaxInt32. hey
// preallocates min(N, 1e6) result entries, so this keeps short runs small.
func sizeN(opt Options) int {
	if opt.Requests > 0 {
		return opt.Requests
	}
	perWorker := math.Ceil(opt.Duration.Seconds()*maxRatePerWorker) + 1
	n := float64(opt.Concurrency) * perWorker
	if n > math.MaxInt32 {
		return math.MaxInt32
	}
	return int(n)
}

// testHookConnPeak, when a test sets it, gets the most connections a run's connSet held.
var testHookConnPeak func(peak int)

// connSet remembers the connections a run opened so that it can close them at the end. It keeps
// only those still open: when a server answers "Connection: close", or with more users than
// hey's 500 idle connections, every request may open a new connection, and a run would
// otherwise hold every one of them until it ends. add drops the closed ones whenever the set
// has doubled since the last sweep, so it holds at most about twice the open connections (or
// minSweep), whatever the number of requests.
type connSet struct {
	mu    sync.Mutex
	conns []net.Conn
	sweep int // sweep when len(conns) reaches this
	peak  int // the most connections ever held (for tests)
}

// minSweep is the set size below which add does not look for closed connections.
const minSweep = 64

func (s *connSet) add(c net.Conn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.conns) >= max(s.sweep, minSweep) {
		open := s.conns[:0]
		for _, c := range s.conns {
			if !isClosed(c) {
				open = append(open, c)
			}
		}
		clear(s.conns[len(open):]) // let the closed ones go
		s.conns = open
		s.sweep = 2 * len(open)
	}
	s.conns = append(s.conns, c)
	s.peak = max(s.peak, len(s.conns))
}

func (s *connSet) closeAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.conns {
		_ = c.Close()
	}
	s.conns = nil
}

// isClosed tells whether c was closed in this process (by net/http when the server said
// "Connection: close" or the idle pool was full). It reads nothing from the connection: a
// closed socket refuses raw access. A connection of another kind counts as open.
func isClosed(c net.Conn) bool {
	if nc, ok := c.(interface{ NetConn() net.Conn }); ok { // *tls.Conn
		c = nc.NetConn()
	}
	sc, ok := c.(syscall.Conn)
	if !ok {
		return false
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return true
	}
	return raw.Control(func(uintptr) {}) != nil
}
