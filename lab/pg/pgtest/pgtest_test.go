package pgtest

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

	"scalelab/lab/pg"
)

func TestMain(m *testing.M) { Main(m) }

func TestNewDatabaseIsEmptyAndSeparate(t *testing.T) {
	ctx := context.Background()
	a, b := NewDatabase(t), NewDatabase(t)
	if a == b {
		t.Fatalf("two databases share a URL: %s", a)
	}
	ca, err := pgx.Connect(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	defer ca.Close(ctx)
	if _, err := ca.Exec(ctx, "CREATE TABLE x (id int); INSERT INTO x VALUES (1)"); err != nil {
		t.Fatal(err)
	}
	cb, err := pgx.Connect(ctx, b)
	if err != nil {
		t.Fatal(err)
	}
	defer cb.Close(ctx)
	var n int
	if err := cb.QueryRow(ctx, "SELECT count(*) FROM pg_tables WHERE tablename = 'x'").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Fatalf("database b sees a table created in a")
	}
}

func TestServerIsShared(t *testing.T) {
	if Server(t) != Server(t) {
		t.Fatal("Server returned two different servers")
	}
	if err := Server(t).Ping(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestOwnServerIsSeparate(t *testing.T) {
	if ExternalURL() != "" {
		t.Skip("external database in use")
	}
	own := OwnServer(t, pg.Options{})
	if own.URL() == Server(t).URL() {
		t.Fatalf("OwnServer shares the shared server's URL %s", own.URL())
	}
	if err := own.Ping(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestDBName(t *testing.T) {
	n := dbName("TestSomething/with sub-test and a very long name that goes on and on and on")
	if len(n) > 63 {
		t.Fatalf("%q is longer than 63 bytes", n)
	}
	for _, r := range n {
		if !(r == '_' || (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9')) {
			t.Fatalf("%q has %q", n, r)
		}
	}
}
