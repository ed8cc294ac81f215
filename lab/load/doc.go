// Package load runs load tests against an HTTP URL and keeps their history.
//
// Run drives github.com/rakyll/hey's requester in this process: Concurrency workers (the
// scenario's 100 users) request the URL for Duration (30 s) or Requests times, whichever ends
// first, and the Result gives the scenario's table — success rate, failed requests, average and
// p99 latency, requests per second — plus the failures grouped by cause and hey's own summary
// text. A run ends on time, on cancel or on error and leaves no worker or connection behind;
// while it runs a progress callback is called about four times a second, never per request.
//
// History keeps every run with the lab state it ran against (broken, fix1, fix2 or custom) in
// runs.json in scalelab's data directory, replaced atomically, so the scenario's comparison
// table can be filled from real runs across restarts.
package load
