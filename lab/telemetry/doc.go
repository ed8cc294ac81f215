// Package telemetry records what the feed API does, request by request, and
// serves it as per-second series and whole-window totals: counts, outcomes by
// cause and latency percentiles (HDR histograms, 1% accurate, microsecond units).
//
// The request path only calls Observe: one clock read, one mutex, two histogram
// increments. The live panes call Snapshot a few times a second; a load run
// calls Reset to start a new window. A nil *Recorder records nothing.
package telemetry
