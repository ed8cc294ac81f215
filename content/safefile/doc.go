// Package safefile writes the learner's private files (worksheets, the run history) so that
// nothing is lost or exposed: atomic replacement with mode 0600, backups that never overwrite
// one another, and lock files that refuse a planted symbolic link.
package safefile
