// Package load runs load tests against an HTTP URL and keeps their history.
//
// Run drives github.com/rakyll/hey's requester in this process: Concurrency workers (the
// scenario's 100 users) request the URL for Duration (30 s) or Requests times, whichever ends
// first, and the Result gives the scenario's table — success rate, failed requests, average and
// p99 latency, requests per second — plus the failures grouped by cause and hey's own summary
// text. A run ends on time, on cancel or on error and leaves no worker or connection behind;
// while it runs a progress callback is called about four times a second, never per request.
//
// History keeps every run with the stage it measured (one of its lab's stages, or custom,
// outage, mixed), its scenario and its lab in runs.json in scalelab's data directory, replaced
// atomically, so a scenario's comparison tables can be filled from real runs across restarts
// (LatestFor).
//
// How Scenario 1's three runs come out, from the real mechanism only (nothing is injected; the
// story test shows it):
//
//   - broken: each request builds its own pool (max 1 connection, 150 ms connect timeout) and
//     holds that connection through the 500 ms slow query. 100 users need ~100 connections at
//     once; the lab's PostgreSQL allows 50 (singleserver.DefaultMaxConnections explains the choice), so
//     the rest are refused (too_many_clients), and connection setup (TCP, scram authentication,
//     a new backend process) under dozens of concurrent connects on 2 cores often passes 150 ms
//     (connect_timeout). Failures return fast and their users retry at once, so most requests fail.
//   - fix1: one shared pool of 10 connections, opened once; requests wait their turn (up to 2 s)
//     instead of failing, and the slow query is gone: every request succeeds.
//   - fix2: the index on created_at turns the sequential scan and sort of every row into an
//     index scan of 20 rows: every request succeeds, and more of them per second.
package load
