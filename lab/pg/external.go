package pg

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// externalTimeout bounds the check of an external server at Open.
var externalTimeout = 5 * time.Second

func openExternal(ctx context.Context, opt Options) (*Server, error) {
	cfg, err := pgconn.ParseConfig(opt.URL)
	if err != nil {
		return nil, fmt.Errorf("%w: cannot parse the database URL %s: %v (expected postgres://user:password@host:5432/dbname)", ErrUnreachable, Redact(opt.URL), err)
	}
	cctx, cancel := context.WithTimeout(ctx, externalTimeout)
	defer cancel()
	v, err := serverVersion(cctx, opt.URL)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v\ncheck that the server runs and listens on %s:%d, that the user, password and database in DATABASE_URL (or --db) are right, and that pg_hba.conf lets this host in; or unset DATABASE_URL to use scalelab's private PostgreSQL",
			ErrUnreachable, Redact(opt.URL), concise(err), cfg.Host, cfg.Port)
	}
	if i := strings.IndexByte(v, ' '); i > 0 {
		v = v[:i]
	}
	return &Server{opt: opt, external: true, url: opt.URL, version: v, port: int(cfg.Port)}, nil
}

// withDatabase returns connURL with its database replaced by db. URLs (postgres://...) get a new
// path; keyword/value strings get a trailing dbname=, which overrides an earlier one.
func withDatabase(connURL, db string) string {
	if u, err := url.Parse(connURL); err == nil && (u.Scheme == "postgres" || u.Scheme == "postgresql") {
		u.Path = "/" + db
		u.RawPath = ""
		return u.String()
	}
	esc := strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(db)
	return connURL + " dbname='" + esc + "'"
}

// concise drops the repeated lines pgx writes when it tried several ways (TLS, then plain).
func concise(err error) string {
	seen := map[string]bool{}
	var out []string
	for _, line := range strings.Split(err.Error(), "\n") {
		key := strings.TrimSpace(line)
		if seen[key] {
			continue
		}
		seen[key] = true
		out = append(out, line)
	}
	return strings.Join(out, "\n")
}
