// Package running is where the process serving the lab's feed API records itself while it runs
// (lab.json in the data home: the API's address, the process id, what runs it and which lab), so that a
// command in another terminal measures that lab instead of starting its own. The record is
// removed when the API closes and ignored when its process is gone.
//
// It also keeps load tests of one data home apart: a load test holds load.lock (LockLoad) while
// it runs, so that the workshop's run and a `scalelab loadtest` from another terminal never load
// the lab at once and measure each other.
package running
