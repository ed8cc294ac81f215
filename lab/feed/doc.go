// Package feed is the lab's feed API, the app the scenario investigates:
// GET /feed (the 20 newest posts), POST /posts, GET /health and GET /metrics
// (Prometheus text format).
//
// How it talks to PostgreSQL is a set of Knobs with two presets: Broken (a new
// pool per request, 1 connection, 150 ms to connect, a 500 ms slow query, the
// pool closed after) and Fixed (one shared pool of 10, 2 s, no delay). SetKnobs
// switches them in place while the API serves. Close stops it gracefully; Crash
// stops it as a crashed process would (the requests in flight get no answer).
//
// The handler files (handlers.go, connect_per_request.go, connect_shared.go,
// classify.go) are teaching material: Source embeds them so the workshop shows
// the learner the code that really runs. Keep them short and commented.
//
// Every request is timed and classified into telemetry causes (connect timeout,
// too many clients, pool acquire timeout, database down, query error, client
// error) for the live panes and /metrics. A client gets the cause in plain
// words; the driver's text (user, database, address, SQL) stays in Stats.
//
// Slow and hostile clients hold nothing scarce: the handlers give their
// connection back before writing the answer, the http.Server has read-header,
// read, write and idle timeouts (timeouts.go says why each value), POST bodies
// must be application/json, and ExposureWarning says who can reach an API
// bound beyond loopback.
package feed
