package feed

import "time"

// timeouts are the http.Server's limits on how long a client may take. Each
// bounds what a slow or hostile client can hold (a goroutine, a socket, a
// buffered answer; never a database connection, which the handlers give back
// before writing), and each is far from every duration the scenario's lesson
// is made of: the broken preset's 150 ms to connect and 500 ms slow query, the
// fixed preset's 2 s wait for a pooled connection, hey's 20 s per-request
// timeout in a 30 s run with 100 users.
type timeouts struct {
	// readHeader: from accepting a connection (or the end of the previous
	// request) to the end of the request's headers. hey and curl send their
	// headers in one write, so on loopback they take microseconds; 5 s leaves
	// a busy machine room and cuts a client that dribbles its headers
	// (slowloris) before it can pile up connections.
	readHeader time.Duration
	// read: the whole request, body included. The largest body is MaxBody
	// (64 KiB), one write on loopback; 10 s lets a client on a slow network
	// finish, and no longer.
	read time.Duration
	// write: from the end of the request's headers to the end of the answer,
	// handler time included. It must outlast every answer hey still waits
	// for, so that what the panes and the run record is the handler's own
	// verdict (200, or a 503 with its cause; hey's own "timeout" past 20 s),
	// never a connection cut by the server: 20 s plus 5 s. It frees a client
	// that never reads within 25 s.
	write time.Duration
	// idle: how long a kept-alive connection may wait for its next request.
	// hey's workers send the next request at once, so a run reuses its 100
	// connections throughout (no new TCP handshakes in the figures); 60 s
	// closes the connections that clients left open after a run.
	idle time.Duration
}

var defaultTimeouts = timeouts{
	readHeader: 5 * time.Second,
	read:       10 * time.Second,
	write:      25 * time.Second,
	idle:       60 * time.Second,
}
