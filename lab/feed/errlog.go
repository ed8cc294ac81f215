package feed

import (
	"maps"
	"sync"

	"scalelab/lab/telemetry"
)

// errLog keeps the full text of the latest failure of each cause: the
// driver's message, with user, database, host:port or SQL in it. Clients get
// only the cause and a sentence (classify.go); the lab reads this through
// Stats.LastErrors, for its panes and logs.
type errLog struct {
	mu   sync.Mutex
	last map[telemetry.Cause]string
}

func (l *errLog) note(c telemetry.Cause, err error) {
	if err == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.last == nil {
		l.last = map[telemetry.Cause]string{}
	}
	l.last[c] = err.Error()
}

// snapshot copies the latest failures (nil when there was none).
func (l *errLog) snapshot() map[telemetry.Cause]string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return maps.Clone(l.last)
}
