package haproxy

import "time"

// SetRestartCalm sets how long a haproxy must have run before a crash of it is restarted, and
// returns a func that puts it back.
func SetRestartCalm(d time.Duration) (restore func()) {
	old := restartCalm
	restartCalm = d
	return func() { restartCalm = old }
}
