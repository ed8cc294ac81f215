package load

import (
	"errors"
	"fmt"
	"net/url"
	"time"
)

// Defaults of a run: the scenario's 100 concurrent users for 30 seconds.
const (
	DefaultConcurrency = 100
	DefaultDuration    = 30 * time.Second
	DefaultTimeout     = 20 * time.Second // hey's own default per-request timeout

	// MaxConcurrency is the most users a run accepts. Each user is a goroutine and a
	// connection (two file descriptors when the API runs in the same process), and hey's
	// result buffer grows with it; far more than the workshop's 100 users, far less than
	// what would exhaust a laptop.
	MaxConcurrency = 10_000
)

// ErrBadOptions is wrapped by every validation error of Options.
var ErrBadOptions = errors.New("bad load options")

// Options says what to load and how hard.
type Options struct {
	URL         string        `json:"url"`                // the target, e.g. http://127.0.0.1:3000/feed
	Concurrency int           `json:"concurrency"`        // concurrent workers (users), up to MaxConcurrency; 0 = 100
	Duration    time.Duration `json:"duration"`           // how long; 0 with Requests 0 = 30s, 0 with Requests > 0 = no time limit
	Requests    int           `json:"requests,omitempty"` // total requests, at least Concurrency; 0 = until Duration ends; rounded down to a multiple of Concurrency (hey's split)
	Timeout     time.Duration `json:"timeout"`            // per request; 0 = 20s; rounded up to whole seconds (hey counts seconds)
}

// Normalize fills zero values with the defaults (100 users, 30 s, 20 s timeout), rounds Requests
// down to a multiple of Concurrency as hey does, and checks the rest; Run does the same, so
// callers only need it to record the settings a run really used.
func (o Options) Normalize() (Options, error) {
	if o.Concurrency == 0 {
		o.Concurrency = DefaultConcurrency
	}
	if o.Duration == 0 && o.Requests == 0 {
		o.Duration = DefaultDuration
	}
	if o.Timeout == 0 {
		o.Timeout = DefaultTimeout
	}
	switch {
	case o.Concurrency < 0 || o.Concurrency > MaxConcurrency:
		return o, fmt.Errorf("%w: concurrency %d: use 1 to %d users, e.g. -c 100", ErrBadOptions, o.Concurrency, MaxConcurrency)
	case o.Duration < 0:
		return o, fmt.Errorf("%w: duration %v: use a positive duration, e.g. -z 30s", ErrBadOptions, o.Duration)
	case o.Requests < 0:
		return o, fmt.Errorf("%w: requests %d: use a positive count, or 0 to run for the duration", ErrBadOptions, o.Requests)
	case o.Timeout < 0:
		return o, fmt.Errorf("%w: timeout %v: use a positive duration, e.g. 20s", ErrBadOptions, o.Timeout)
	}
	if o.Requests > 0 {
		// hey gives each worker Requests/Concurrency requests (rounded down): fewer requests
		// than workers would give every worker none, and any remainder is never made.
		if o.Requests < o.Concurrency {
			return o, fmt.Errorf("%w: %d requests for %d users: -n must be at least -c (hey gives each user n/c requests)",
				ErrBadOptions, o.Requests, o.Concurrency)
		}
		o.Requests -= o.Requests % o.Concurrency
	}
	u, err := url.Parse(o.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return o, fmt.Errorf("%w: URL %q: give a full http URL, e.g. http://127.0.0.1:3000/feed", ErrBadOptions, o.URL)
	}
	return o, nil
}
