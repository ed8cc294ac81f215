// Package pg gives the lab its PostgreSQL: a private cluster the app owns, or an existing server.
//
// The private cluster is made from the PostgreSQL binaries already on the machine (PATH,
// `pg_config --bindir`, /usr/lib/postgresql/*/bin newest first, Homebrew paths); nothing is
// downloaded. Open runs `initdb` once into the data directory (home.Path("pg", <major>) by
// default), starts `postgres` itself as a child process on 127.0.0.1 with a free port, waits until
// postmaster.pid says "ready" and a query succeeds, and makes sure the database `feedapp` exists.
// It authenticates like a real deployment: user postgres, password postgres, scram-sha-256.
//
// Why `postgres` and not `pg_ctl`: a child started directly dies with us. On Linux it gets a
// parent-death signal (SIGINT, PostgreSQL's fast shutdown) even when scalelab is SIGKILLed; on
// other systems, or if that fails, the next Open finds the orphan and stops it. Stopping is always
// SIGINT and a wait; SIGKILL is only a last resort after a long timeout.
//
// Data directory layout (Info.DataDir):
//
//	scalelab.lock   flock held while a process initialises, starts, attaches to or stops the cluster
//	data/           PGDATA (initdb'd into data.init-<pid> first, then renamed, so a killed initdb never leaves half a cluster)
//	owner           pid of the scalelab process that started the running postgres
//	port            the last port used, tried first next time so the URL stays the same
//	postgres.log    the server's output for the current run (its tail is quoted in start errors)
//
// Sharing: a second process of the same user that calls Open while the cluster runs attaches to it
// (Info.Started is false) and its Close leaves the cluster running. The process that started the
// cluster stops it on Close, or through its parent-death signal; an attached process then sees
// the database go away, and its Start (the lab's recovery path) starts the cluster again as its
// own, on the same port.
//
// Root: PostgreSQL refuses to run as root. When the effective uid is 0, Open runs initdb and
// postgres as an unprivileged system user (scalelab-pg, created with useradd when missing; else
// postgres; else nobody) and, when that user cannot reach the data directory (e.g. under /root),
// moves the cluster to /var/lib/scalelab/pg/<major>[-<hash>].
//
// Recovery: a postmaster.pid whose process is gone, or is not a postgres serving this directory
// (checked through /proc/<pid>/cwd on Linux), is removed. A postgres serving it whose scalelab is
// gone (an orphan) is stopped with SIGINT and replaced by one this process owns. Start after a
// SIGKILL of the server waits out the shared memory its surviving backends still hold.
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
