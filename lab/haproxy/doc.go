// Package haproxy gives a lab a real HAProxy in front of its replicas: found among the local
// binaries, configured into a private directory of the data home, bound to loopback, started as
// a child of scalelab and stopped on every exit path.
//
// Find locates the haproxy binary (PATH, then the usual install places); Version reads its
// version for doctor. Nothing is downloaded: a missing binary is ErrNotFound, whose text says
// what to install.
//
// Start writes haproxy.cfg into Config.Dir (the data home's haproxy directory by default; 0600), checks it with `haproxy -c`, and runs
// `haproxy -db` (foreground, one process) as a child: round robin over Config.Backends, health
// checks of GET /health on each (Config.CheckInterval, Fall, Rise; DetectionWindow says how long
// a dead backend keeps getting requests), and with Config.Sticky HAProxy's own cookie
// (`cookie SERVERID insert indirect nocache`, one cookie value per server) so one client stays on
// one backend. Start returns once the new process answers on its stats socket.
//
// Failures are left visible on purpose: by default HAProxy does not retry a failed connection
// (Config.Retries 0), so a request sent to a crashed backend before the checks mark it DOWN is a
// 503 at once (termination state SC), and one in flight on it when it crashed is a 502 (SH).
// With Retries >= 1 and Config.Redispatch the retry goes to another backend instead, after
// HAProxy's turn-around of up to a second.
//
// Files in Config.Dir (0700):
//
//	haproxy.cfg   the generated configuration (0600)
//	haproxy.pid   "<haproxy pid> <scalelab pid>": lets a later Start find a leftover
//	haproxy.log   haproxy's own output (warnings, alerts); its tail is quoted in start errors
//	stats.sock    the runtime API (mode 600, level admin): Stats, SetServerState, Command
//	log.sock      a unix datagram socket this process reads: one Log per request (which server
//	              served it, status, timers, termination state) and per server state change
//
// Never outliving scalelab: on Linux the child gets SIGKILL from the kernel when scalelab dies,
// even by SIGKILL (the child is forked from a goroutine locked to its thread, which lives until
// the child exits; see startChild). Everywhere, Start reads haproxy.pid and kills a haproxy left
// there by a scalelab that is gone (or by this very process, which then lost track of it); one
// whose scalelab is still running is refused with ErrBusy. Close soft-stops (SIGUSR1: stop
// listening, finish the requests in flight), then SIGKILLs after closeWait, and waits; a Proc
// is an io.Closer, for pg.StopOnSignals.
//
// Supervision: a haproxy that exits by itself (a crash, a kill) is started again at once with
// the same configuration and port, and Config.Logf is told. One that dies within restartCalm of
// its start would only die again, and one whose haproxy.pid now names another process was
// taken over: those are not started again, and Done is closed (Err says why).
//
// Reload switches the configuration (Sticky on or off, other backends) in place, the way
// HAProxy's own reload works without its master process: a new `haproxy -db -sf <old pid>`
// binds the same port next to the old one (SO_REUSEPORT), then tells the old one to soft-stop.
// No connection is refused meanwhile and requests in flight finish on the old process; the
// counters in Stats start again from zero, as they belong to the process. A configuration that
// fails `haproxy -c` leaves the running process alone.
//
// Stats reads `show stat` (CSV) from the runtime API: each server's state as the health checks
// see it, the last check's result, the time since its last state change, its sessions and
// request rate and its responses by class, plus the frontend's and backend's totals.
package haproxy
