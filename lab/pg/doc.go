// Package pg gives the lab its PostgreSQL: a private cluster the app owns, or an existing server.
//
// The private cluster is made from the PostgreSQL binaries already on the machine (PATH,
// `pg_config --bindir`, /usr/lib/postgresql/*/bin newest first, Homebrew paths); nothing is
// downloaded. Open runs `initdb` once into the data directory (home.Path("pg", <major>) by
// default), starts `postgres` itself as a child process on 127.0.0.1 with a free port, waits until
// postmaster.pid says "ready" and a query succeeds, and makes sure the database `feedapp` exists.
// It authenticates like a real deployment, scram-sha-256 on every connection, with passwords
// nobody published: initdb gives the superuser (AdminUser) a random password, read from a pipe so
// that it never touches the disk; the lab's own role (AppUser: LOGIN, owner of the database
// feedapp and its tables, nothing more) gets another. Both are kept in secret.json (0600), written
// atomically once the cluster is complete. Server.URL is the lab's role, Server.AdminURL the
// superuser (psql --admin). A cluster made by an older scalelab with the published
// postgres/postgres is logged into once with it, and given a random password.
//
// Why `postgres` and not `pg_ctl`: a child started directly dies with us. On Linux it gets a
// parent-death signal (SIGINT, PostgreSQL's fast shutdown) even when scalelab is SIGKILLed; on
// other systems, or if that fails, the next Open finds the orphan and stops it. Stopping is always
// SIGINT and a wait; SIGKILL is only a last resort after a long timeout.
//
// Data directory layout (Info.DataDir). The directory and every file in it but data/ belong to
// the process running scalelab (0700; root's and 0711 when root runs postgres as another user),
// so root never writes where the unprivileged user can plant a link:
//
//	scalelab.lock   flock held while a process initialises, starts, attaches to or stops the cluster
//	data/           PGDATA, the postgres account's (initdb'd into data.init-<pid> first, then renamed, so a killed initdb never leaves half a cluster)
//	secret.json     the superuser's and the lab role's passwords (0600)
//	owner           pid of the scalelab process that started the running postgres
//	port            the last port used, tried first next time so the URL stays the same
//	postgres.log    the server's output for the current run (its tail is quoted in start errors)
//	stopped         present while the cluster is down on purpose (Stop, Kill): nobody restarts it
//
// Sharing: a second process of the same user that calls Open while the cluster runs attaches to it
// (Info.Started is false) and its Close leaves the cluster running. The process that started the
// cluster stops it on Close, or through its parent-death signal.
//
// Supervision: Open starts one goroutine per Server, ended by Close, and it alone brings the
// cluster back. When the postmaster this process started dies (kill -9, a crash), it restarts it
// at once on the same port and logs that it did; when the one another process started goes away,
// it waits briefly for that process to restart it, and otherwise (the owner exited) starts it as
// its own. Stop and Kill are deliberate: they leave the stopped marker, which every supervisor
// respects until Start (or the next Open) removes it. Epoch counts the down/up transitions, and
// Options.OnChange is told of each, so callers learn of outages and restarts.
//
// Root: PostgreSQL refuses to run as root. When the effective uid is 0, Open runs initdb and
// postgres as an unprivileged system user of that cluster directory's own (scalelab-pg-<hash of
// the directory>, created with useradd when missing; without useradd the shared scalelab-pg,
// postgres or nobody, which is logged), so the superuser of one root-run cluster cannot read the
// files of another. When that user cannot reach the data directory (e.g. under /root), the
// cluster moves to /var/lib/scalelab/pg/<major>[-<hash>].
//
// Recovery: a postmaster.pid whose process is gone, or is not a postgres serving this directory
// (checked through /proc/<pid>/cwd on Linux), is removed. A postgres serving it whose scalelab is
// gone (an orphan) is stopped with SIGINT and replaced by one this process owns. Start after a
// SIGKILL of the server waits out the shared memory its surviving backends still hold.
//
// Passwords never reach a log or an error: show URLs through Redact.
//
// Settings: listen on 127.0.0.1 only, no unix socket, max_connections from Options, fsync and
// full_page_writes off (a machine crash may lose or corrupt lab data, never a process crash:
// synchronous_commit stays on).
//
// External: with Options.URL set (DATABASE_URL or --db), Open only checks the server answers.
//
// Exit paths: callers `defer srv.Close()` (normal return and panics in that goroutine), and call
// Close on SIGINT/SIGTERM, or use StopOnSignals. Close is idempotent and waits for the server.
package pg
