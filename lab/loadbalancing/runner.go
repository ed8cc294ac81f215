package loadbalancing

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
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

// After its last request a run waits for HAProxy's log lines of the requests it made (they
// come over a local socket, a moment after the responses): until no line came for logQuiet,
// at most maxLogLag. HAProxy drops lines the socket cannot take at once, so the run cannot
// wait for a count of them.
const (
	logQuiet  = 50 * time.Millisecond
	maxLogLag = time.Second
)

// runFigures are what a run measured beyond load.Result: where its failures fell in time
// (from HAProxy's request log) and which replica answered how often (the replicas' counts).
type runFigures struct {
	Begin               time.Time
	FirstFail, LastFail time.Duration // since Begin; both 0 without failures
	Logins, LoginFailed int
	ByReplica           map[string]int // requests each replica served during the run
}

// FailWindow is the time from the run's first failure to its last.
func (f runFigures) FailWindow() time.Duration { return f.LastFail - f.FirstFail }

// runLog gathers a run's failure window from HAProxy's request log while the run goes.
type runLog struct {
	path                string // the run's URL path: lines of other requests are not the run's
	mu                  sync.Mutex
	begin               time.Time
	firstFail, lastFail time.Duration
	last                time.Time // when the latest line came
	failed              bool      // a logged request failed
}

// add notes one request HAProxy logged at at; when it is one of the run's (its path) and its
// status is a failure, it widens the failure window. A request the client cut off (status -1,
// the runner's own end of the run) is no failure, nor is the 400 HAProxy logs when the logins'
// idle connections close.
func (r *runLog) add(path string, status int, at time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.last = at
	if path != r.path || status < 0 || causeOfResponse(status) == "" {
		return
	}
	d := max(at.Sub(r.begin), time.Nanosecond)
	if !r.failed || d < r.firstFail {
		r.firstFail = d
	}
	r.lastFail = max(r.lastFail, d)
	r.failed = true
}

// start sets the run's beginning, the origin of its failure times.
func (r *runLog) start(at time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.begin = at
}

// window waits for the log to go quiet (see logQuiet) and gives the failure window.
func (r *runLog) window() (first, last time.Duration) {
	for deadline := time.Now().Add(maxLogLag); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		r.mu.Lock()
		quiet := time.Since(r.last) >= logQuiet
		r.mu.Unlock()
		if quiet {
			break
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.firstFail, r.lastFail
}

// loadAsUsers logs opt.Concurrency users in at the target's /login, then loads opt.URL with
// hey's requester (opt.Concurrency workers), each request carrying the cookies of a user drawn
// at random: every request carries its user's session. Drawn, not taken in turn: users taken in
// turn would follow the login order, which HAProxy's round robin also follows, and a request
// would meet its user's replica far more or less often than one time in the replicas' count. hey's causes of failure are renamed to the
// lab's (causeOfResponse). rl, when not nil, is fed HAProxy's log during the run, for the
// failure window; served gives each replica's count of requests served, read before and after
// the run. opt must be normalized.
func loadAsUsers(ctx context.Context, opt load.Options, rl *runLog, served func() map[string]int64, progress func(load.Progress)) (*load.Result, runFigures, error) {
	u, _ := url.Parse(opt.URL)
	cookies, ok, failed := loginAll(ctx, opt.Concurrency, u.Scheme+"://"+u.Host, opt.Timeout)
	prepare := func(r *http.Request) {
		if c := cookies[rand.IntN(len(cookies))]; c != "" {
			r.Header.Set("Cookie", c)
		}
	}
	before := served()
	fig := runFigures{Begin: time.Now(), Logins: ok, LoginFailed: failed, ByReplica: map[string]int{}}
	if rl != nil {
		rl.start(fig.Begin)
	}
	res, err := load.RunWith(ctx, opt, prepare, progress)
	if res == nil {
		return nil, runFigures{}, err
	}
	renameCauses(res)
	for name, n := range served() {
		if d := int(n - before[name]); d > 0 {
			fig.ByReplica[name] = d
		}
	}
	if rl != nil {
		fig.FirstFail, fig.LastFail = rl.window()
	}
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
