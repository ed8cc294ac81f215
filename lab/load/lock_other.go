//go:build !unix

package load

// lockFile is a no-op where flock is missing: the in-process mutex still serialises one process.
func lockFile(string) (func(), error) { return func() {}, nil }
