package feed_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"scalelab/lab/feed"
	"scalelab/lab/pg"
	"scalelab/lab/pg/pgtest"
	"scalelab/lab/telemetry"
)

// On a class's shared server a learner's API sees its own role's backends against its own
// connection limit, not everyone's against the server's max_connections.
func TestStatsOfALearnersRoleOnASharedServer(t *testing.T) {
	admin := pgtest.Server(t).AdminURL()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	const id = "feed-stats-test"
	url, err := pg.ProvisionShared(ctx, admin, id, 9)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = pg.DropShared(context.Background(), admin, id) })
	seedURL(t, url, 100)
	// someone else's connections on the same server: not this learner's backends
	other, err := pgxpool.New(ctx, admin)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	for i := 0; i < 4; i++ {
		c, err := other.Acquire(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Release()
	}
	s, _ := start(t, url, feed.Fixed(), telemetry.NewRecorder())
	st := s.Stats(ctx)
	if st.DBErr != "" || st.MaxConnections != 9 {
		t.Fatalf("stats %+v: want the role's limit 9 as the ceiling", st)
	}
	if st.Backends < 1 || st.Backends > 9 {
		t.Fatalf("%d backends counted: want this role's only (1 to 9), not the others' 4 and more", st.Backends)
	}
}
