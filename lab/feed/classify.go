package feed

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"syscall"

	"github.com/jackc/pgx/v5/pgconn"

	"scalelab/lab/telemetry"
)

// classify names what went wrong, from the error PostgreSQL or the driver
// really returned, and picks the HTTP status the client gets.
func classify(err error, knobs Knobs) (status int, cause telemetry.Cause, msg string) {
	var pgErr *pgconn.PgError
	var connErr *pgconn.ConnectError
	switch {
	case errors.Is(err, context.Canceled):
		// The client hung up before we answered (nginx calls this 499).
		return 499, telemetry.ClientError, "the client closed the request"

	case errors.As(err, &pgErr) && pgErr.Code == "53300":
		// SQLSTATE 53300 too_many_connections:
		// "sorry, too many clients already".
		return http.StatusServiceUnavailable, telemetry.TooManyClients,
			"PostgreSQL refused a new connection: too many clients already (max_connections reached)"

	case isDown(err):
		return http.StatusServiceUnavailable, telemetry.DatabaseDown, "the database is not reachable"

	case errors.Is(err, context.DeadlineExceeded) || pgconn.Timeout(err):
		// A per-request pool is empty until it connects, so waiting on it
		// IS connecting. On the shared pool, a timeout without a connect
		// error means every connection stayed busy for the whole wait.
		if !knobs.SharedPool || errors.As(err, &connErr) {
			return http.StatusServiceUnavailable, telemetry.ConnectTimeout,
				fmt.Sprintf("could not open a database connection within %v", knobs.ConnectTimeout)
		}
		return http.StatusServiceUnavailable, telemetry.PoolAcquireTimeout,
			fmt.Sprintf("all %d pooled connections stayed busy for %v", knobs.MaxConns, knobs.ConnectTimeout)
	}
	return http.StatusInternalServerError, telemetry.QueryError, "the database query failed"
}

// isDown reports errors that mean PostgreSQL is not there: connection
// refused or reset, the server shutting down (57P01 admin_shutdown, 57P02,
// 57P03), or a connection cut in the middle of a query.
func isDown(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code {
		case "57P01", "57P02", "57P03":
			return true
		}
		return false
	}
	var opErr *net.OpError
	return errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.EPIPE) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, net.ErrClosed) || (errors.As(err, &opErr) && !opErr.Timeout())
}

// fail answers a request that could not be served: a JSON error with its
// cause in plain words. The driver's own text names the user, database,
// host:port or SQL: it stays in the lab (Stats.LastErrors), not the answer.
func (app *app) fail(w http.ResponseWriter, err error) {
	status, cause, msg := classify(err, app.knobs)
	app.srv.errs.note(cause, err)
	markCause(w, cause)
	writeJSON(w, status, map[string]string{"error": msg, "cause": string(cause)})
}

// markCause names a failure's cause for the telemetry and, in the
// X-Scalelab-Cause header, for the client; before the answer is written.
func markCause(w http.ResponseWriter, cause telemetry.Cause) {
	if c, ok := w.(interface{ setCause(telemetry.Cause) }); ok {
		c.setCause(cause)
	}
	w.Header().Set("X-Scalelab-Cause", string(cause))
}

// healthDown answers /health when the lab's own connection cannot reach
// PostgreSQL: 503, cause database_down (the error's text stays in the lab).
func (app *app) healthDown(w http.ResponseWriter, err error) {
	app.srv.errs.note(telemetry.DatabaseDown, err)
	markCause(w, telemetry.DatabaseDown)
	writeJSON(w, http.StatusServiceUnavailable, map[string]string{
		"status": "unavailable", "database": "down", "cause": string(telemetry.DatabaseDown),
		"error": "PostgreSQL is not reachable: start the lab again, or check the server DATABASE_URL (--db) names",
	})
}
