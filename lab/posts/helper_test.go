package posts_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"scalelab/lab/pg/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// newPool returns a pool on a fresh empty database of the test PostgreSQL.
func newPool(t testing.TB) *pgxpool.Pool {
	t.Helper()
	pool, err := pgxpool.New(context.Background(), pgtest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// newPoolOn opens another pool on the same database.
func newPoolOn(t testing.TB, url string) *pgxpool.Pool {
	t.Helper()
	pool, err := pgxpool.New(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool
}
