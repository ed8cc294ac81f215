package pg

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// A class on one shared PostgreSQL (the class server's DATABASE_URL) gives every learner a
// database and a role of their own instead of a private cluster. The server's max_connections
// is shared by everyone, so each learner's role gets a CONNECTION LIMIT: a learner whose broken
// API opens every connection it may reaches their own limit ("too many connections for role"),
// and the other learners keep theirs. SharedCapacity says how many such shares the server holds.

// SharedPrefix starts the name of every learner's role and database on a shared server.
const SharedPrefix = "scalelab_"

// SharedName is the role and database name of the learner id on a shared server: the prefix and
// id with everything but a-z, 0-9 and _ made _, at most 63 bytes (PostgreSQL's limit).
func SharedName(id string) string {
	var b strings.Builder
	b.WriteString(SharedPrefix)
	for _, r := range strings.ToLower(id) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	s := b.String()
	if len(s) > 63 {
		s = s[:63]
	}
	return s
}

// ProvisionShared makes (or updates) the learner id's role and database on the shared server
// adminURL points at (its user may CREATE ROLE and CREATE DATABASE) and returns the URL the
// learner's lab connects with. The role logs in with a new random password each time (nothing
// to keep on disk), may open at most connLimit connections, owns its database and nothing
// else; no other role but the server's superusers may connect to that database.
func ProvisionShared(ctx context.Context, adminURL, id string, connLimit int) (string, error) {
	if connLimit < 1 {
		return "", fmt.Errorf("connection limit %d: give each learner at least 1", connLimit)
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	conn, err := pgconn.Connect(ctx, adminURL)
	if err != nil {
		return "", fmt.Errorf("%w: %s: %v (check DATABASE_URL: its user must be allowed to create roles and databases)", ErrUnreachable, Redact(adminURL), concise(err))
	}
	defer conn.Close(context.Background())
	name := SharedName(id)
	pw, err := randomPassword()
	if err != nil {
		return "", err
	}
	// name is made of a-z, 0-9 and _ and pw of hex digits: nothing to quote
	err = conn.Exec(ctx, `DO $$BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '`+name+`') THEN CREATE ROLE `+name+`; END IF;
END$$;
ALTER ROLE `+name+` LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS CONNECTION LIMIT `+fmt.Sprint(connLimit)+` PASSWORD '`+pw+`';`).Close()
	if err != nil {
		return "", fmt.Errorf("set up the learner's role %s: %w", name, err)
	}
	res, err := conn.Exec(ctx, "SELECT 1 FROM pg_database WHERE datname = '"+name+"'").ReadAll()
	if err != nil {
		return "", err
	}
	if len(res) == 0 || len(res[0].Rows) == 0 {
		if err := conn.Exec(ctx, "CREATE DATABASE "+name+" OWNER "+name).Close(); err != nil && sqlState(err) != "42P04" {
			return "", fmt.Errorf("set up the learner's database %s: %w", name, err)
		}
	}
	// PUBLIC may connect to a new database: another learner's role must not
	if err := conn.Exec(ctx, "REVOKE ALL ON DATABASE "+name+" FROM PUBLIC; GRANT ALL ON DATABASE "+name+" TO "+name).Close(); err != nil {
		return "", fmt.Errorf("keep the learner's database %s private: %w", name, err)
	}
	return withUser(withDatabase(adminURL, name), name, pw)
}

// SharedCapacity reads the shared server's max_connections and says how many learners of
// perLearner connections each it holds, keeping reserved connections for the superusers
// (superuser_reserved_connections) and the class server's own checks.
func SharedCapacity(ctx context.Context, adminURL string, perLearner int) (learners, maxConns int, err error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	conn, err := pgconn.Connect(ctx, adminURL)
	if err != nil {
		return 0, 0, fmt.Errorf("%w: %s: %v", ErrUnreachable, Redact(adminURL), concise(err))
	}
	defer conn.Close(context.Background())
	res, err := conn.Exec(ctx, "SELECT current_setting('max_connections')::int - current_setting('superuser_reserved_connections')::int, current_setting('max_connections')::int").ReadAll()
	if err != nil || len(res) == 0 || len(res[0].Rows) == 0 {
		return 0, 0, fmt.Errorf("read max_connections: %v", err)
	}
	var usable int
	fmt.Sscan(string(res[0].Rows[0][0]), &usable)
	fmt.Sscan(string(res[0].Rows[0][1]), &maxConns)
	const own = 5 // the class server's provisioning and the learners' checks
	return max(0, (usable-own)/max(1, perLearner)), maxConns, nil
}

// DropShared removes the learner id's database and role from the shared server (their
// connections are ended first).
func DropShared(ctx context.Context, adminURL, id string) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	conn, err := pgconn.Connect(ctx, adminURL)
	if err != nil {
		return fmt.Errorf("%w: %s: %v", ErrUnreachable, Redact(adminURL), concise(err))
	}
	defer conn.Close(context.Background())
	name := SharedName(id)
	// one statement each: DROP DATABASE cannot run in the transaction a multi-statement query is
	for _, q := range []string{
		"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '" + name + "'",
		"DROP DATABASE IF EXISTS " + name,
		"DROP ROLE IF EXISTS " + name,
	} {
		if err := conn.Exec(ctx, q).Close(); err != nil {
			return fmt.Errorf("remove the learner's %s: %w", name, err)
		}
	}
	return nil
}

// withUser returns connURL with its user and password replaced.
func withUser(connURL, user, password string) (string, error) {
	if u, err := url.Parse(connURL); err == nil && (u.Scheme == "postgres" || u.Scheme == "postgresql") {
		u.User = url.UserPassword(user, password)
		return u.String(), nil
	}
	// keyword/value: later keywords override earlier ones; user and password need no quoting
	return connURL + " user=" + user + " password=" + password, nil
}
