// Package lab is the running lab as one value: the PostgreSQL (private cluster
// or DATABASE_URL), the posts table seeded for the scenario, and the feed API
// listening on loopback with its telemetry. The workshop and the CLI start a
// Lab, read its State and Stats once per tick, and turn its knobs:
// SetKnobs (Fix 1), ApplyIndex (Fix 2), Explain, Reset. Reading State changes nothing: the
// private PostgreSQL is brought back after a crash by lab/pg's supervisor, and a load run during
// which it went down, or the stage changed, is filed as an outage or mixed run (LoadTest).
//
// lab never imports the UI; its subpackages are pg (PostgreSQL), posts (the
// table), feed (the API), telemetry (what the API did) and load (load runs).
package lab
