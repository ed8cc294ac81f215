package pg_test

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"scalelab/lab/pg"
	"scalelab/lab/pg/pgtest"
)

// On a shared server each learner gets a database and a role of their own: one learner cannot
// connect to another's database, and one who opens every connection their role may (a broken
// run) is stopped at their own limit while another still connects.
func TestSharedServerLearnersAreIsolated(t *testing.T) {
	srv := pgtest.Server(t)
	admin := srv.AdminURL()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	ids := []string{"alice-0a1b2c3d", "bob-4e5f6a7b"}
	urls := map[string]string{}
	for _, id := range ids {
		u, err := pg.ProvisionShared(ctx, admin, id, 3)
		if err != nil {
			t.Fatal(err)
		}
		urls[id] = u
		t.Cleanup(func() { _ = pg.DropShared(context.Background(), admin, id) })
	}
	// provisioning again replaces the password: the old URL no longer logs in
	again, err := pg.ProvisionShared(ctx, admin, ids[0], 3)
	if err != nil {
		t.Fatal(err)
	}
	if c, err := pgconn.Connect(ctx, urls[ids[0]]); err == nil {
		c.Close(ctx)
		t.Fatal("the learner's old password still logs in")
	}
	urls[ids[0]] = again

	alice, bob := urls[ids[0]], urls[ids[1]]
	// alice's role on bob's database: refused
	crossed := withDB(t, alice, pg.SharedName(ids[1]))
	if c, err := pgconn.Connect(ctx, crossed); err == nil {
		c.Close(ctx)
		t.Fatal("a learner's role connected to another learner's database")
	}
	// alice takes every connection her role may; the next is refused for her role only
	var held []*pgconn.PgConn
	defer func() {
		for _, c := range held {
			c.Close(context.Background())
		}
	}()
	for i := 0; i < 3; i++ {
		c, err := pgconn.Connect(ctx, alice)
		if err != nil {
			t.Fatalf("connection %d of 3: %v", i+1, err)
		}
		held = append(held, c)
	}
	_, err = pgconn.Connect(ctx, alice)
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "53300" {
		t.Fatalf("a 4th connection of a role limited to 3: %v, want too many connections (53300)", err)
	}
	c, err := pgconn.Connect(ctx, bob)
	if err != nil {
		t.Fatalf("another learner could not connect while the first was at their limit: %v", err)
	}
	c.Close(ctx)

	n, maxConns, err := pg.SharedCapacity(ctx, admin, 3)
	if err != nil || maxConns <= 0 || n <= 0 || n*3 > maxConns {
		t.Fatalf("SharedCapacity = %d learners of %d, %v", n, maxConns, err)
	}
}

func withDB(t *testing.T, u, db string) string {
	t.Helper()
	cfg, err := pgconn.ParseConfig(u)
	if err != nil {
		t.Fatal(err)
	}
	return "postgres://" + cfg.User + ":" + cfg.Password + "@" + cfg.Host + ":" + strconv.Itoa(int(cfg.Port)) + "/" + db + "?sslmode=disable"
}
