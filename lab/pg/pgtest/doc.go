// Package pgtest gives tests a real PostgreSQL through lab/pg: one shared private cluster per
// test binary (started on first use, stopped and removed when the tests end), a fresh database
// per test, or a cluster of a test's own for tests that stop or kill it.
//
//	func TestMain(m *testing.M) { pgtest.Main(m) }
//
//	func TestFeed(t *testing.T) {
//		url := pgtest.NewDatabase(t) // empty database, dropped when the test ends
//		...
//	}
//
// With SCALELAB_TEST_DATABASE_URL (or DATABASE_URL) set, Server uses that server instead of
// starting one; the URL's user must be allowed to CREATE DATABASE for NewDatabase.
package pgtest
