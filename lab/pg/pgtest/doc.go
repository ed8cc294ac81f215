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
// On the private cluster NewDatabase creates the database as the superuser and gives it to the
// lab's role (pg.AppUser), whose URL it returns: tests run with the privileges the lab has. Run as
// root, each cluster runs as a system user of its own, removed when its test ends.
//
// With SCALELAB_TEST_DATABASE_URL (or DATABASE_URL) set, Server uses that server instead of
// starting one; the URL's user must be allowed to CREATE DATABASE for NewDatabase.
package pgtest
