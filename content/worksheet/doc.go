// Package worksheet keeps a learner's work on one scenario: answers, ticked tasks, the
// filled result tables and the step they were on. It is saved as JSON with an atomic
// replace (temp file in the same directory, fsync, rename), so a crash leaves either the
// old file or the new one, never half of one; files are 0600 in a 0700 directory. A
// worksheet belongs to its scenario's Identity (title and source), not its file name. A file
// that cannot be read is kept aside under a name no other backup has and reported, never
// silently dropped; a file of a newer format is refused untouched; fields this build does not
// know survive a save. Two workshops may have one worksheet open: ClaimSheet tells the second
// which process has it, and SaveMerged merges each save with the other's so none is lost.
// A tick is kept under the task's stable ID (content.Task.ID); a worksheet of format 1, which
// kept ticks under the tasks' positions, has them renamed when it is stamped with its scenario.
// The worksheet records its scenario and the lab it ran in. Debouncing saves while the learner
// types is the caller's job.
package worksheet
