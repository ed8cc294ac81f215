package pg

import "errors"

var (
	// ErrBinariesNotFound: no initdb/postgres on this machine (or not in Options.BinDir).
	ErrBinariesNotFound = errors.New("PostgreSQL binaries not found: install postgresql (apt install postgresql / brew install postgresql) or set DATABASE_URL")

	// ErrUnreachable: the external server at Options.URL did not answer.
	ErrUnreachable = errors.New("PostgreSQL server unreachable")

	// ErrExternal: the operation needs the private cluster, but the Server points at an external URL.
	ErrExternal = errors.New("not possible on an external PostgreSQL (DATABASE_URL / --db): only the private cluster can be stopped and started")

	// ErrClosed: the Server was closed.
	ErrClosed = errors.New("PostgreSQL server closed")

	// ErrStartFailed: postgres exited or never became ready; the error text quotes its log.
	ErrStartFailed = errors.New("PostgreSQL did not start")
)
