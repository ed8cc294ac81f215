// Package lab is the contract between the runner and a scenario's lab. A lab (PostgreSQL, the
// API it serves, a load balancer, ...) is a package that implements Lab and registers itself by
// name (Register); a scenario names its lab in its header (`**Lab:** single-server`), and the
// workshop (tui) and the CLI read the lab's action records, stages, status and samples without
// knowing which lab it is.
//
// The shared parts stay in their own packages: pg (the private PostgreSQL), load (the load
// runner and its history), telemetry (what a server did, per second), running (the data home's
// record of a running lab) and home (the data home). A lab's own packages sit under it
// (singleserver is Scenario 1's lab).
package lab
