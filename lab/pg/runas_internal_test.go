package pg

import (
	"path/filepath"
	"testing"
)

// Two data homes the system user cannot reach get two clusters: a cluster (its passwords, its
// system user) never serves another home, the default data dir included.
func TestUnreachableHomesGetTheirOwnClusters(t *testing.T) {
	a := account{Name: "nobody", UID: 65534, GID: 65534, drop: true}
	homeA := filepath.Join(t.TempDir(), "pg", "15") // t.TempDir is 0700 and root's
	homeB := filepath.Join(t.TempDir(), "pg", "15")
	da, db := reachableDataDir(homeA, a, 15), reachableDataDir(homeB, a, 15)
	if da == homeA || db == homeB {
		t.Skipf("the test's temporary directories are reachable by uid 65534 here (%s, %s)", da, db)
	}
	if da == db {
		t.Fatalf("both homes share the cluster %s", da)
	}
	if filepath.Dir(da) != rootClusterBase || reachableDataDir(homeA, a, 15) != da {
		t.Fatalf("cluster dir %s: want a stable dir under %s", da, rootClusterBase)
	}
}
