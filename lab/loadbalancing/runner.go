package loadbalancing

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"scalelab/lab/load"
)

// maxLogLag bounds how long a run waits, after its last request, for HAProxy's log lines of
// the requests it made (they come over a local socket, a moment after the responses).
const maxLogLag = time.Second

// runFigures are what a run measured beyond load.Result: where its failures fell in time
// and which replica answered how often, both from HAProxy's request log.
type runFigures struct {
	Begin               time.Time
	FirstFail, LastFail time.Duration // since Begin; both 0 without failures
	Logins, LoginFailed int
	ByReplica           map[string]int // requests by the replica HAProxy sent them to
}

// FailWindow is the time from the run's first failure to its last.
func (f runFigures) FailWindow() time.Duration { return f.LastFail - f.FirstFail }

// runLog gathers a run's figures from HAProxy's request log while the run goes.
type runLog struct {
	mu     sync.Mutex
	fig    runFigures
	lines  int  // requests logged during the run
	failed bool // a logged request failed
}

func newRunLog(begin time.Time) *runLog {
	return &runLog{fig: runFigures{Begin: begin, ByReplica: map[string]int{}}}
}

// add counts one request HAProxy logged at at: the replica that served it (none for
// "<NOSRV>"), and, when its status is a failure, the failure window. A request the client
// cut off (status -1, the runner's own end of the run) is no failure.
func (r *runLog) add(server string, status int, at time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.lines++
	if server != "" && server != "<NOSRV>" {
		r.fig.ByReplica[server]++
	}
	if status < 0 || causeOfResponse(status) == "" {
		return
	}
	d := max(at.Sub(r.fig.Begin), time.Nanosecond)
	if !r.failed || d < r.fig.FirstFail {
		r.fig.FirstFail = d
	}
	r.fig.LastFail = max(r.fig.LastFail, d)
	r.failed = true
}

// waitLines waits until at least n requests were logged, up to maxLogLag.
func (r *runLog) waitLines(n int) {
	for deadline := time.Now().Add(maxLogLag); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		r.mu.Lock()
		lines := r.lines
		r.mu.Unlock()
		if lines >= n {
			return
		}
	}
}

// figures is a copy of what the run's log showed.
func (r *runLog) figures() runFigures {
	r.mu.Lock()
	defer r.mu.Unlock()
	f := r.fig
	f.ByReplica = maps.Clone(r.fig.ByReplica)
	return f
}

// runUsers logs opt.Concurrency users in at the target's /login, then loads opt.URL with
// hey's requester (opt.Concurrency workers), request i carrying the cookies of user i mod the
// users: every request carries its user's session. hey's causes of failure are renamed to the
// lab's (causeOfResponse). rl, when not nil, is fed HAProxy's log during the run; the run
// waits for the lines of its responses before it returns. opt must be normalized.
func runUsers(ctx context.Context, opt load.Options, rl *runLog, progress func(load.Progress)) (*load.Result, runFigures, error) {
	u, _ := url.Parse(opt.URL)
	cookies, ok, failed := loginAll(ctx, opt.Concurrency, u.Scheme+"://"+u.Host, opt.Timeout)
	var next atomic.Uint64
	prepare := func(r *http.Request) {
		if c := cookies[(next.Add(1)-1)%uint64(len(cookies))]; c != "" {
			r.Header.Set("Cookie", c)
		}
	}
	begin := time.Now()
	if rl != nil {
		rl.mu.Lock()
		rl.fig.Begin = begin
		rl.mu.Unlock()
	}
	res, err := load.RunWith(ctx, opt, prepare, progress)
	if res == nil {
		return nil, runFigures{}, err
	}
	renameCauses(res)
	fig := runFigures{Begin: begin}
	if rl != nil {
		responses := 0
		for _, n := range res.StatusCodes {
			responses += n
		}
		rl.waitLines(responses)
		fig = rl.figures()
	}
	fig.Logins, fig.LoginFailed = ok, failed
	res.State = load.StateCustom
	res.Summary = summaryText(res, fig)
	return res, fig, err
}

// renameCauses gives hey's failed statuses the lab's causes (a 401 is a user logged out, ...);
// transport errors keep load's own causes.
func renameCauses(res *load.Result) {
	for code, n := range res.StatusCodes {
		c := causeOfResponse(code)
		if c == "" || c == load.StatusCause(code) {
			continue
		}
		res.Errors[c] += n
		delete(res.Errors, load.StatusCause(code))
	}
}

// loginAll logs users 1..n in at base's /login (all at once, as the scenario's users arrive),
// each with its own cookie jar, and returns the Cookie header of each: its session and, under
// Fix A, HAProxy's cookie naming its replica. A user whose login fails goes on without a
// session (""), and its requests are logged out.
func loginAll(ctx context.Context, n int, base string, timeout time.Duration) (cookies []string, ok, failed int) {
	tr := &http.Transport{MaxIdleConns: n, MaxIdleConnsPerHost: n}
	defer tr.CloseIdleConnections()
	target, _ := url.Parse(base + "/login")
	cookies = make([]string, n)
	var wg sync.WaitGroup
	var nok, nfail atomic.Int64
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			jar, _ := cookiejar.New(nil)
			client := &http.Client{Transport: tr, Jar: jar, Timeout: timeout,
				CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			body := fmt.Sprintf(`{"user": %d}`, i+1)
			req, _ := http.NewRequestWithContext(ctx, http.MethodPost, target.String(), strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			resp, err := client.Do(req)
			if err == nil {
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
			if err != nil || resp.StatusCode != http.StatusOK {
				nfail.Add(1)
				return
			}
			nok.Add(1)
			var parts []string
			for _, c := range jar.Cookies(target) {
				parts = append(parts, c.Name+"="+c.Value)
			}
			cookies[i] = strings.Join(parts, "; ")
		}()
	}
	wg.Wait()
	return cookies, int(nok.Load()), int(nfail.Load())
}

// summaryText is the run in a few lines, for the CLI and the export: the lab's own figures,
// then hey's summary.
func summaryText(r *load.Result, fig runFigures) string {
	var b bytes.Buffer
	fmt.Fprintf(&b, "Users logged in: %d (%d failed)\n", fig.Logins, fig.LoginFailed)
	fmt.Fprintf(&b, "Requests: %d in %.1fs, %.0f req/s, %.1f%% ok\n", r.Total, r.Elapsed.Seconds(), r.RPS, r.SuccessRate)
	fmt.Fprintf(&b, "Latency: avg %v, p50 %v, p99 %v\n", r.Avg.Round(time.Microsecond), r.P50.Round(time.Microsecond), r.P99.Round(time.Microsecond))
	for _, c := range r.SortedErrors() {
		fmt.Fprintf(&b, "Failed, %s: %d\n", c.Cause, c.Count)
	}
	if fig.LastFail > 0 {
		fmt.Fprintf(&b, "Failures from %.2fs to %.2fs into the run (%.2fs)\n", fig.FirstFail.Seconds(), fig.LastFail.Seconds(), fig.FailWindow().Seconds())
	}
	names := make([]string, 0, len(fig.ByReplica))
	for n := range fig.ByReplica {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		fmt.Fprintf(&b, "Answered by %s: %d\n", n, fig.ByReplica[n])
	}
	if r.Summary != "" {
		fmt.Fprintf(&b, "\nhey's summary:\n%s", r.Summary)
	}
	return b.String()
}
