package pg

import (
	"context"
	"errors"
	"net"
	"net/url"
	"path/filepath"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// pingTimeout bounds one connection attempt.
var pingTimeout = 3 * time.Second

// ping opens one connection to url and runs an empty query.
func ping(ctx context.Context, connURL string) error {
	ctx, cancel := context.WithTimeout(ctx, pingTimeout)
	defer cancel()
	conn, err := pgconn.Connect(ctx, connURL)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	return conn.Exec(ctx, ";").Close()
}

// sqlState returns the SQLSTATE of a server error, or "".
func sqlState(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

// serverVersion asks the server its version ("15.18").
func serverVersion(ctx context.Context, connURL string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, pingTimeout)
	defer cancel()
	conn, err := pgconn.Connect(ctx, connURL)
	if err != nil {
		return "", err
	}
	defer conn.Close(context.Background())
	if v := conn.ParameterStatus("server_version"); v != "" {
		return v, nil
	}
	res, err := conn.Exec(ctx, "SHOW server_version").ReadAll()
	if err != nil {
		return "", err
	}
	if len(res) == 0 || len(res[0].Rows) == 0 {
		return "", errors.New("SHOW server_version returned nothing")
	}
	return string(res[0].Rows[0][0]), nil
}

// Redact hides the password of a connection URL, for messages and display: in the user info
// (postgres://user:xxxxx@host/db) and in a password query parameter. A string that does not
// parse as a URL (a key=value DSN, a typo) could hold a password anywhere, so it is not shown.
func Redact(connURL string) string {
	u, err := url.Parse(connURL)
	if err != nil || u.Scheme == "" {
		return "(the given connection string)"
	}
	if q := u.Query(); q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return u.Redacted()
}

// freePort asks the kernel for a free TCP port on 127.0.0.1.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// portFree says whether 127.0.0.1:port can be listened on now.
func portFree(port int) bool {
	if port <= 0 || port > 65535 {
		return false
	}
	l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		return false
	}
	l.Close()
	return true
}

// showInt runs SHOW name and parses the integer answer.
func showInt(ctx context.Context, connURL, name string) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, pingTimeout)
	defer cancel()
	conn, err := pgconn.Connect(ctx, connURL)
	if err != nil {
		return 0, err
	}
	defer conn.Close(context.Background())
	res, err := conn.Exec(ctx, "SHOW "+name).ReadAll()
	if err != nil {
		return 0, err
	}
	if len(res) == 0 || len(res[0].Rows) == 0 {
		return 0, errors.New("SHOW " + name + " returned nothing")
	}
	return strconv.Atoi(string(res[0].Rows[0][0]))
}

// servesDir asks the postgres named by a pid file, with our credentials, which data directory it
// serves: the last word on whether a live postgres we could not recognise from /proc is ours.
func servesDir(ctx context.Context, pf pidFile, adminURL, pgdata string) bool {
	if pf.Port == 0 || !isPostmaster(pf.PID) {
		return false
	}
	ctx, cancel := context.WithTimeout(ctx, pingTimeout)
	defer cancel()
	conn, err := pgconn.Connect(ctx, adminURL)
	if err != nil {
		return false
	}
	defer conn.Close(context.Background())
	res, err := conn.Exec(ctx, "SHOW data_directory").ReadAll()
	if err != nil || len(res) == 0 || len(res[0].Rows) == 0 {
		return false
	}
	dir := string(res[0].Rows[0][0])
	if dir == pgdata {
		return true
	}
	real, err := filepath.EvalSymlinks(pgdata)
	return err == nil && dir == real
}
