// Package posts manages the lab's posts table: the schema, the seed data
// (generated server-side, millions of rows in seconds), Fix 2 (the index on
// created_at, built CONCURRENTLY while the API serves), EXPLAIN of the feed
// query, growing the table to a million posts and shrinking it back, and the
// reset back to the scenario's starting state.
//
// Every function runs the embedded statements of package scalelab/sql.
package posts
