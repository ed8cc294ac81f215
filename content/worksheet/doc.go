// Package worksheet keeps a learner's work on one scenario: answers, ticked tasks, the
// filled result tables and the step they were on. It is saved as JSON with an atomic
// replace (temp file in the same directory, fsync, rename), so a crash leaves either the
// old file or the new one, never half of one. A file that cannot be read is moved aside
// and reported, never silently dropped. Debouncing saves while the learner types is the
// caller's job.
package worksheet
