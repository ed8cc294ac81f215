// Package singleserver is Scenario 1's lab, "single-server": one feed API (lab/feed) on one
// PostgreSQL (lab/pg) with its posts table (lab/posts), behind the lab contract (lab.Lab, with
// lab.CodeViewer and lab.Planner). It registers itself in init; callers make it with
// lab.New("single-server", cfg).
//
// The lab's stages are the scenario's: broken (per-request pools, no index), fix1 (one shared
// pool), fix2 (and the index), and the two of a table grown to 1,000,000 posts with Fix 1,
// without and with the index. Its actions are the scenario's commands (loadtest, start,
// apply-fix, explain-query, reset) and its drills: kill-db and kill-api take PostgreSQL or the
// API down as a crash would until bring-back; grow-table and shrink-table size the table.
//
// The scenario's Fix 1 tasks map to the API's knobs by their tags (shared-pool, pool-size,
// no-close, no-delay), or, untagged in the original text, by the words of their IDs (tasks.go).
package singleserver
