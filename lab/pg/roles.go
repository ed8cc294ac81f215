package pg

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// urlFor returns the URL of database db on the private cluster listening on port, as user.
func urlFor(user, password string, port int, db string) string {
	u := url.URL{Scheme: "postgres", User: url.UserPassword(user, password), Host: "127.0.0.1:" + strconv.Itoa(port), Path: "/" + db, RawQuery: "sslmode=disable"}
	return u.String()
}

// connectAdmin connects as the superuser with the kept password. A cluster made by an older
// scalelab still has the published password: it is logged in with once and replaced by the kept
// one (which was saved before, so a kill between the two is retried the same way next time).
func (s *Server) connectAdmin(ctx context.Context, port int, db string) (*pgconn.PgConn, error) {
	sec := s.secrets()
	conn, err := pgconn.Connect(ctx, urlFor(AdminUser, sec.Admin, port, db))
	if err == nil || !authFailed(err) {
		return conn, err
	}
	old, lerr := pgconn.Connect(ctx, urlFor(AdminUser, legacyPassword, port, db))
	if lerr != nil {
		return nil, err
	}
	defer old.Close(context.Background())
	if err := old.Exec(ctx, "ALTER ROLE "+AdminUser+" PASSWORD '"+sec.Admin+"'").Close(); err != nil {
		return nil, fmt.Errorf("replace the published superuser password: %w", err)
	}
	s.opt.logf("replaced the cluster's published superuser password (postgres/postgres) with a random one, kept in %s", s.cl.secretPath())
	return pgconn.Connect(ctx, urlFor(AdminUser, sec.Admin, port, db))
}

// ensureRoles makes the cluster what the lab expects, as the superuser: the role AppUser with
// its kept password and no privileges beyond LOGIN, the database feedapp owned by it, and every
// table, view and sequence in its public schema owned by it (a cluster made before the role
// existed has them owned by the superuser). Cheap when all is in place already.
func (s *Server) ensureRoles(ctx context.Context, port int) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	conn, err := s.connectAdmin(ctx, port, "postgres")
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	sec := s.secrets()
	err = conn.Exec(ctx, `DO $$BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '`+AppUser+`') THEN CREATE ROLE `+AppUser+`; END IF;
END$$;
ALTER ROLE `+AppUser+` LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD '`+sec.App+`';`).Close()
	if err != nil {
		return fmt.Errorf("set up the role %s: %w", AppUser, err)
	}
	res, err := conn.Exec(ctx, "SELECT 1 FROM pg_database WHERE datname = '"+Database+"'").ReadAll()
	if err != nil {
		return err
	}
	q := "ALTER DATABASE " + Database + " OWNER TO " + AppUser
	if len(res) == 0 || len(res[0].Rows) == 0 {
		q = "CREATE DATABASE " + Database + " OWNER " + AppUser
	}
	if err := conn.Exec(ctx, q).Close(); err != nil && sqlState(err) != "42P04" { // 42P04: made meanwhile
		return fmt.Errorf("set up the database %s: %w", Database, err)
	}
	db, err := s.connectAdmin(ctx, port, Database)
	if err != nil {
		return err
	}
	defer db.Close(context.Background())
	err = db.Exec(ctx, `DO $$DECLARE r record;
BEGIN
  FOR r IN SELECT c.oid::regclass AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
             AND c.relowner <> '`+AppUser+`'::regrole
             AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype IN ('a', 'i') AND d.classid = 'pg_class'::regclass)
  LOOP
    EXECUTE format('ALTER TABLE %s OWNER TO `+AppUser+`', r.name);
  END LOOP;
END$$;`).Close()
	if err != nil {
		return fmt.Errorf("give the tables of %s to %s: %w", Database, AppUser, err)
	}
	return nil
}
