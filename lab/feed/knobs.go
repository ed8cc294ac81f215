package feed

import (
	"errors"
	"fmt"
	"time"
)

// Knobs is how the API connects to PostgreSQL.
type Knobs struct {
	SharedPool      bool          // one pool for the whole server (false: a new pool per request)
	MaxConns        int32         // connections per pool
	ConnectTimeout  time.Duration // how long to wait for a connection (0: no limit)
	ClosePerRequest bool          // close the per-request pool after the request (false leaks it)
	SlowQuery       time.Duration // simulated slow query in GET /feed (0: none)
}

// Broken is the server as shipped in the scenario.
func Broken() Knobs {
	return Knobs{SharedPool: false, MaxConns: 1, ConnectTimeout: 150 * time.Millisecond, ClosePerRequest: true, SlowQuery: 500 * time.Millisecond}
}

// Fixed is the server after Fix 1 (connection pooling).
func Fixed() Knobs {
	return Knobs{SharedPool: true, MaxConns: 10, ConnectTimeout: 2 * time.Second, ClosePerRequest: false, SlowQuery: 0}
}

// Preset names the knobs: "broken", "fixed" or "custom".
func (k Knobs) Preset() string {
	switch k {
	case Broken():
		return "broken"
	case Fixed():
		return "fixed"
	}
	return "custom"
}

// ParsePreset returns the knobs of a preset name ("broken" or "fixed").
func ParsePreset(name string) (Knobs, error) {
	switch name {
	case "broken":
		return Broken(), nil
	case "fixed":
		return Fixed(), nil
	}
	return Knobs{}, fmt.Errorf("%w: %q: use broken or fixed", ErrUnknownPreset, name)
}

// ErrUnknownPreset is returned by ParsePreset; ErrBadKnobs by Validate.
var (
	ErrUnknownPreset = errors.New("unknown preset")
	ErrBadKnobs      = errors.New("invalid knobs")
)

// Validate checks that the knobs make sense.
func (k Knobs) Validate() error {
	switch {
	case k.MaxConns < 1:
		return fmt.Errorf("%w: MaxConns %d: a pool needs at least 1 connection", ErrBadKnobs, k.MaxConns)
	case k.ConnectTimeout < 0:
		return fmt.Errorf("%w: ConnectTimeout %v is negative", ErrBadKnobs, k.ConnectTimeout)
	case k.SlowQuery < 0:
		return fmt.Errorf("%w: SlowQuery %v is negative", ErrBadKnobs, k.SlowQuery)
	}
	return nil
}

// String is a one-line description, e.g. "per-request pool, 1 conn, 150ms connect timeout, closed after, 500ms slow query".
func (k Knobs) String() string {
	pool := "shared pool"
	if !k.SharedPool {
		pool = "per-request pool"
	}
	s := fmt.Sprintf("%s, %d conn, %v connect timeout", pool, k.MaxConns, k.ConnectTimeout)
	if !k.SharedPool {
		if k.ClosePerRequest {
			s += ", closed after"
		} else {
			s += ", never closed (leaks)"
		}
	}
	if k.SlowQuery > 0 {
		s += fmt.Sprintf(", %v slow query", k.SlowQuery)
	}
	return s
}
