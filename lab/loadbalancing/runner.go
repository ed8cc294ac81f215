package loadbalancing

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
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

// grace is how long requests in flight at the end of a run may take to finish.
const grace = time.Second

// runFigures are what a run measured beyond load.Result: where its failures fell in time
// and which replica answered how often.
type runFigures struct {
	Begin               time.Time
	FirstFail, LastFail time.Duration // since Begin; both 0 without failures
	Logins, LoginFailed int
	ByReplica           map[string]int // responses by the replica that answered (X-Replica)
}

// FailWindow is the time from the run's first failure to its last.
func (f runFigures) FailWindow() time.Duration { return f.LastFail - f.FirstFail }

// user is one simulated user: its own cookie jar (its session, and HAProxy's cookie under
// Fix A) and what its requests met.
type user struct {
	id     int
	client *http.Client
	tally
}

// tally is what a user's requests met; the run adds them up at the end.
type tally struct {
	latencies           []time.Duration
	status              map[int]int
	errors              map[string]int
	messages            map[string]int
	byReplica           map[string]int
	firstFail, lastFail time.Duration
	failed, unfinished  int
}

// runUsers logs opt.Concurrency users in at the target's /login, then has each send GET
// /me/feed with its own cookies, one request after the other, until opt.Duration is over
// (or each made its share of opt.Requests). At the end requests in flight get a grace of a
// second, then are cut off (Result.Unfinished). opt must be normalized.
func runUsers(ctx context.Context, opt load.Options, progress func(load.Progress)) (*load.Result, runFigures, error) {
	u, _ := url.Parse(opt.URL)
	base := u.Scheme + "://" + u.Host
	tr := &http.Transport{MaxIdleConns: opt.Concurrency, MaxIdleConnsPerHost: opt.Concurrency, IdleConnTimeout: 30 * time.Second}
	defer tr.CloseIdleConnections()
	reqCtx, cutOff := context.WithCancel(context.WithoutCancel(ctx))
	defer cutOff()

	users := make([]*user, opt.Concurrency)
	for i := range users {
		jar, _ := cookiejar.New(nil)
		users[i] = &user{id: i + 1, client: &http.Client{Transport: tr, Jar: jar, Timeout: opt.Timeout,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	}
	fig := runFigures{ByReplica: map[string]int{}}
	fig.Logins, fig.LoginFailed = loginAll(reqCtx, users, base)

	var stop atomic.Bool
	var started, responses atomic.Int64
	perUser := 0
	if opt.Requests > 0 {
		perUser = opt.Requests / opt.Concurrency
	}
	fig.Begin = time.Now()
	var wg sync.WaitGroup
	for _, us := range users {
		wg.Add(1)
		go func() {
			defer wg.Done()
			us.loop(reqCtx, opt.URL, perUser, fig.Begin, &stop, &started, &responses)
		}()
	}
	allDone := make(chan struct{})
	go func() { wg.Wait(); close(allDone) }()

	report := func() {
		if progress != nil {
			progress(load.Progress{Elapsed: time.Since(fig.Begin), Duration: opt.Duration, Requests: int(started.Load()),
				Target: opt.Requests, Responses: int(responses.Load())})
		}
	}
	ended := waitRun(ctx, opt, allDone, &stop, cutOff, report)
	elapsed := time.Since(fig.Begin)
	report()
	res := sumUp(users, &fig, elapsed)
	res.Ended = ended
	res.State = load.StateCustom
	res.Summary = summaryText(res, fig)
	if ended == load.EndedCancelled {
		return res, fig, fmt.Errorf("load run cancelled after %.1fs: %w", elapsed.Seconds(), ctx.Err())
	}
	return res, fig, nil
}

// waitRun reports progress until the users are done; at the deadline (or ctx's cancel) it
// tells them to stop, and cuts off what is still in flight after the grace (at once on cancel).
func waitRun(ctx context.Context, opt load.Options, allDone <-chan struct{}, stop *atomic.Bool, cutOff func(), report func()) string {
	var deadline, graceC <-chan time.Time
	if opt.Duration > 0 {
		t := time.NewTimer(opt.Duration)
		defer t.Stop()
		deadline = t.C
	}
	tick := time.NewTicker(load.ProgressEvery)
	defer tick.Stop()
	ended, ctxDone := load.EndedCount, ctx.Done()
	for {
		select {
		case <-allDone:
			return ended
		case <-tick.C:
			report()
		case <-deadline:
			ended, deadline = load.EndedTime, nil
			stop.Store(true)
			g := time.NewTimer(min(grace, opt.Timeout))
			defer g.Stop()
			graceC = g.C
		case <-graceC:
			graceC = nil
			cutOff()
		case <-ctxDone:
			ended, ctxDone = load.EndedCancelled, nil
			stop.Store(true)
			cutOff()
		}
	}
}

// loginAll logs every user in (all at once, as the scenario's users arrive); a user whose
// login fails goes on without a session, and its requests are logged out.
func loginAll(ctx context.Context, users []*user, base string) (ok, failed int) {
	var wg sync.WaitGroup
	var nok, nfail atomic.Int64
	for _, us := range users {
		wg.Add(1)
		go func() {
			defer wg.Done()
			body := fmt.Sprintf(`{"user": %d}`, us.id)
			req, _ := http.NewRequestWithContext(ctx, http.MethodPost, base+"/login", strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			resp, err := us.client.Do(req)
			if err == nil {
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
			if err != nil || resp.StatusCode != http.StatusOK {
				nfail.Add(1)
				return
			}
			nok.Add(1)
		}()
	}
	wg.Wait()
	return int(nok.Load()), int(nfail.Load())
}

// loop sends the user's requests one after the other until stop (or n requests, n > 0).
func (us *user) loop(ctx context.Context, target string, n int, begin time.Time, stop *atomic.Bool, started, responses *atomic.Int64) {
	us.status, us.errors, us.messages, us.byReplica = map[int]int{}, map[string]int{}, map[string]int{}, map[string]int{}
	for i := 0; (n == 0 || i < n) && !stop.Load(); i++ {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
		req.Header.Set("User-Agent", "scalelab-load")
		started.Add(1)
		t0 := time.Now()
		resp, err := us.client.Do(req)
		if err != nil {
			if ctx.Err() != nil { // cut off by the runner at the end
				us.unfinished++
				return
			}
			us.fail(causeOfError(err), time.Since(begin))
			us.messages[trimMessage(err.Error())]++
			continue
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		responses.Add(1)
		us.latencies = append(us.latencies, time.Since(t0))
		us.status[resp.StatusCode]++
		if r := resp.Header.Get("X-Replica"); r != "" {
			us.byReplica[r]++
		}
		if c := causeOfResponse(resp.StatusCode); c != "" {
			us.fail(c, time.Since(begin))
		}
	}
}

func (us *user) fail(cause string, at time.Duration) {
	us.errors[cause]++
	us.failed++
	if us.firstFail == 0 || at < us.firstFail {
		us.firstFail = at
	}
	us.lastFail = max(us.lastFail, at)
}

// trimMessage keeps a transport error's text short and free of the request's details.
func trimMessage(msg string) string {
	if i := strings.LastIndex(msg, ": "); i >= 0 {
		msg = msg[i+2:]
	}
	if len(msg) > 120 {
		msg = msg[:120]
	}
	return msg
}

// sumUp adds the users' tallies into a Result (and the figures' failure times).
func sumUp(users []*user, fig *runFigures, elapsed time.Duration) *load.Result {
	r := &load.Result{StatusCodes: map[int]int{}, Errors: map[string]int{}, Messages: map[string]int{}, Elapsed: elapsed}
	var lat []time.Duration
	for _, us := range users {
		lat = append(lat, us.latencies...)
		r.Failed += us.failed
		r.Unfinished += us.unfinished
		for k, v := range us.status {
			r.StatusCodes[k] += v
			if k >= 200 && k < 300 {
				r.Succeeded += v
			}
		}
		for k, v := range us.errors {
			r.Errors[k] += v
		}
		for k, v := range us.messages {
			r.Messages[k] += v
		}
		for k, v := range us.byReplica {
			fig.ByReplica[k] += v
		}
		if us.failed > 0 {
			if fig.FirstFail == 0 || us.firstFail < fig.FirstFail {
				fig.FirstFail = us.firstFail
			}
			fig.LastFail = max(fig.LastFail, us.lastFail)
		}
	}
	r.Total = r.Succeeded + r.Failed
	if r.Total > 0 {
		r.SuccessRate = 100 * float64(r.Succeeded) / float64(r.Total)
	}
	if elapsed > 0 {
		r.RPS = float64(r.Total) / elapsed.Seconds()
	}
	if len(lat) > 0 {
		slices.Sort(lat)
		var sum time.Duration
		for _, d := range lat {
			sum += d
		}
		r.Avg = sum / time.Duration(len(lat))
		r.P50, r.P99 = percentile(lat, 50), percentile(lat, 99)
		r.Fastest, r.Slowest = lat[0], lat[len(lat)-1]
	}
	return r
}

// percentile of sorted durations (nearest rank).
func percentile(sorted []time.Duration, p float64) time.Duration {
	i := int(math.Ceil(p/100*float64(len(sorted)))) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

// summaryText is the run in a few lines, for the CLI and the export.
func summaryText(r *load.Result, fig runFigures) string {
	var b bytes.Buffer
	fmt.Fprintf(&b, "Users logged in: %d (%d failed)\n", fig.Logins, fig.LoginFailed)
	fmt.Fprintf(&b, "Requests: %d in %.1fs, %.0f req/s, %.1f%% ok\n", r.Total, r.Elapsed.Seconds(), r.RPS, r.SuccessRate)
	fmt.Fprintf(&b, "Latency: avg %v, p50 %v, p99 %v\n", r.Avg.Round(time.Microsecond), r.P50.Round(time.Microsecond), r.P99.Round(time.Microsecond))
	for _, c := range r.SortedErrors() {
		fmt.Fprintf(&b, "Failed, %s: %d\n", c.Cause, c.Count)
	}
	if r.Failed > 0 {
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
	return b.String()
}
