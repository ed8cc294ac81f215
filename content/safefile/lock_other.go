//go:build !unix

package safefile

// Lock is a no-op where flock is missing: callers' in-process mutexes still serialise one
// process.
func Lock(string) (func(), error) { return func() {}, nil }

// Claim always succeeds where flock is missing: no other process is ever seen holding it.
func Claim(string) (func(), int, error) { return func() {}, 0, nil }
