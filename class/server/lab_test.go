package server

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	gossh "golang.org/x/crypto/ssh"

	"scalelab/class/room"
	"scalelab/lab/load"
	"scalelab/lab/pg"
	"scalelab/lab/pg/pgtest"
	"scalelab/lab/running"
	_ "scalelab/lab/singleserver" // the first scenario's lab
)

// needLabs skips a test that starts PostgreSQL clusters when -short or when there is none.
func needLabs(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("starts a PostgreSQL cluster per learner")
	}
	if _, err := exec.LookPath("initdb"); err != nil {
		if m, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb"); len(m) == 0 {
			t.Skip("PostgreSQL is not installed (initdb not found)")
		}
	}
}

// removeRootClusters removes the clusters lab/pg keeps under /var/lib/scalelab/pg for a data
// home root cannot hand to the postgres user (a learner's 0700 directory, when the tests run
// as root): named by the major version and a hash of the cluster's directory.
func removeRootClusters(learnerDirs ...string) {
	for _, d := range learnerDirs {
		for major := 9; major <= 25; major++ {
			sum := sha256.Sum256([]byte(filepath.Join(d, "pg", fmt.Sprint(major))))
			os.RemoveAll(filepath.Join("/var/lib/scalelab/pg", fmt.Sprintf("%d-%x", major, sum[:6])))
		}
	}
}

// clusterDirs are the PostgreSQL clusters of these learner directories that exist.
func clusterDirs(learnerDirs ...string) []string {
	var out []string
	for _, d := range learnerDirs {
		for major := 9; major <= 25; major++ {
			own := filepath.Join(d, "pg", fmt.Sprint(major))
			sum := sha256.Sum256([]byte(own))
			for _, c := range []string{own, filepath.Join("/var/lib/scalelab/pg", fmt.Sprintf("%d-%x", major, sum[:6]))} {
				for _, data := range []string{c, filepath.Join(c, "data")} {
					if _, err := os.Stat(filepath.Join(data, "PG_VERSION")); err == nil {
						out = append(out, data)
					}
				}
			}
		}
	}
	return out
}

// processesWith are the pids whose command line names dir.
func processesWith(dir string) []string {
	var pids []string
	procs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, p := range procs {
		b, err := os.ReadFile(p)
		if err == nil && strings.Contains(string(b), dir) {
			pids = append(pids, filepath.Base(filepath.Dir(p)))
		}
	}
	return pids
}

func TestTwoLearnersLabsAreIsolatedAndTheirLoadTestsQueued(t *testing.T) {
	needLabs(t)
	a, b := newKey(t), newKey(t)
	keys := filepath.Join(t.TempDir(), "keys")
	os.WriteFile(keys, append(gossh.MarshalAuthorizedKey(a.PublicKey()), gossh.MarshalAuthorizedKey(b.PublicKey())...), 0o600)
	ts := startServer(t, Config{KeysFile: keys, Slots: 1, Duration: 4 * time.Second, Users: 10})
	dirA := filepath.Join(ts.Dir(), LearnersDir, LearnerID("alice", a.PublicKey()))
	dirB := filepath.Join(ts.Dir(), LearnersDir, LearnerID("bob", b.PublicKey()))
	t.Cleanup(func() { removeRootClusters(dirA, dirB) })

	alice, bob := join(t, ts.Server, "alice", a), join(t, ts.Server, "bob", b)
	const labUp = 3 * time.Minute // two clusters made one after the other on a shared 2-core machine
	alice.waitFor(labUp, "PG ✓")
	bob.waitFor(labUp, "PG ✓")

	// each lab's API on its own port, recorded in the learner's own data home
	addrOf := func(dir string) string {
		t.Helper()
		var rec running.Record
		data, err := os.ReadFile(filepath.Join(dir, running.FileName))
		if err == nil {
			err = json.Unmarshal(data, &rec)
		}
		if err != nil || rec.Addr == "" {
			t.Fatalf("the lab record in %s: %v (%s)", dir, err, data)
		}
		return rec.Addr
	}
	if pa, pb := addrOf(dirA), addrOf(dirB); pa == pb {
		t.Errorf("alice's and bob's APIs share %s", pa)
	}
	for _, d := range []string{dirA, dirB} {
		if m := fileMode(t, d); m != 0o700 {
			t.Errorf("%s is %04o, want 0700", d, m)
		}
	}

	// K=1: bob's load test waits while alice's runs, and his status line says his place
	alice.send("L")
	waitRoom(t, ts.Server, wait, "alice's load test running", func(ls map[string]room.Learner) bool { return ls["alice"].Running })
	m := bob.mark()
	bob.send("L")
	bob.waitAfter(m, wait, "load test waits its turn: 1st in line")
	waitRoom(t, ts.Server, wait, "bob queued first", func(ls map[string]room.Learner) bool {
		return ls["bob"].Queued == 1 && !ls["bob"].Running
	})
	if snap := ts.Room().Snapshot(); snap.Running != 1 || snap.Queued != 1 || snap.Slots != 1 {
		t.Errorf("the room's queue: running %d, queued %d, slots %d; want 1, 1, 1", snap.Running, snap.Queued, snap.Slots)
	}
	waitRoom(t, ts.Server, time.Minute, "one run each", func(ls map[string]room.Learner) bool {
		return len(ls["alice"].Runs) == 1 && len(ls["bob"].Runs) == 1
	})
	snap := ts.Room().Snapshot()
	for _, l := range snap.Learners {
		if r := l.Runs[0]; r.Beside != 0 || r.Total == 0 {
			t.Errorf("%s's run: %+v; want requests made, and none beside it (K=1)", l.Name, r)
		}
	}

	// the shutdown stops both labs: no PostgreSQL of theirs is left
	clusters := clusterDirs(dirA, dirB)
	if len(clusters) != 2 {
		log, _ := os.ReadFile(filepath.Join(dirA, "scalelab.log"))
		out, _ := exec.Command("find", ts.Dir(), "-maxdepth", "4").CombinedOutput()
		t.Fatalf("found the clusters %v, want one per learner; alice's log:\n%s\n%s", clusters, log, out)
	}
	// alice drops and comes back: the same lab (the same PostgreSQL) is there, not a new one
	before := processesWith(clusters[0])
	alice.close()
	waitRoom(t, ts.Server, wait, "alice away", func(ls map[string]room.Learner) bool { return !ls["alice"].Connected })
	alice = join(t, ts.Server, "alice", a)
	alice.waitFor(wait, "PG ✓")
	if after := processesWith(clusters[0]); strings.Join(after, ",") != strings.Join(before, ",") || len(after) == 0 {
		t.Errorf("alice's PostgreSQL after her return: %v, before: %v", after, before)
	}

	ts.stop(t)
	for _, c := range clusters {
		if pids := processesWith(c); len(pids) > 0 {
			t.Errorf("processes of the cluster %s still run after the shutdown: %v", c, pids)
		}
	}

	// each learner's history holds their run only
	for _, d := range []string{dirA, dirB} {
		h, err := load.OpenHistory(filepath.Join(d, load.HistoryFile))
		if err != nil {
			t.Fatal(err)
		}
		if n := len(h.List()); n != 1 {
			t.Errorf("%s holds %d runs, want 1", h.Path(), n)
		}
	}
}

func TestAnIdleLearnersLabIsClosedAndStartedAgainOnReturn(t *testing.T) {
	needLabs(t)
	key := newKey(t)
	keys := filepath.Join(t.TempDir(), "keys")
	os.WriteFile(keys, gossh.MarshalAuthorizedKey(key.PublicKey()), 0o600)
	ts := startServer(t, Config{KeysFile: keys, Idle: time.Second})
	dir := filepath.Join(ts.Dir(), LearnersDir, LearnerID("hana", key.PublicKey()))
	t.Cleanup(func() { removeRootClusters(dir) })

	sc := join(t, ts.Server, "hana", key)
	sc.waitFor(3*time.Minute, "PG ✓")
	clusters := clusterDirs(dir)
	if len(clusters) != 1 {
		t.Fatalf("hana's clusters: %v", clusters)
	}
	sc.close()
	waitRoom(t, ts.Server, time.Minute, "hana's lab stopped", func(ls map[string]room.Learner) bool {
		return ls["hana"].Lab == "lab: stopped (idle)"
	})
	if pids := processesWith(clusters[0]); len(pids) > 0 {
		t.Errorf("hana's PostgreSQL still runs after her lab was closed: %v", pids)
	}

	sc = join(t, ts.Server, "hana", key)
	sc.waitFor(3*time.Minute, "PG ✓")
	if pids := processesWith(clusters[0]); len(pids) == 0 {
		t.Errorf("hana's PostgreSQL did not start again on her return")
	}
}

// With a shared PostgreSQL each learner's lab runs on a database and a role of their own
// there, limited to their share of connections, and no private cluster is made for them.
func TestLearnersLabsOnASharedPostgreSQL(t *testing.T) {
	needLabs(t)
	shared := pgtest.Server(t)
	key := newKey(t)
	keys := filepath.Join(t.TempDir(), "keys")
	os.WriteFile(keys, gossh.MarshalAuthorizedKey(key.PublicKey()), 0o600)
	ts := startServer(t, Config{KeysFile: keys, SharedDB: shared.AdminURL(), SharedConns: 7})
	id := LearnerID("ines", key.PublicKey())
	dir := filepath.Join(ts.Dir(), LearnersDir, id)
	t.Cleanup(func() { _ = pg.DropShared(context.Background(), shared.AdminURL(), id) })

	sc := join(t, ts.Server, "ines", key)
	sc.waitFor(3*time.Minute, "PG ✓")
	if c := clusterDirs(dir); len(c) != 0 {
		t.Errorf("a private cluster was made for a learner of a shared server: %v", c)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgconn.Connect(ctx, shared.AdminURL())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	name := pg.SharedName(id)
	res, err := conn.Exec(ctx, "SELECT r.rolconnlimit, (SELECT count(*) FROM pg_stat_activity WHERE usename = r.rolname AND datname = r.rolname) FROM pg_roles r WHERE r.rolname = '"+name+"'").ReadAll()
	if err != nil || len(res) == 0 || len(res[0].Rows) != 1 {
		t.Fatalf("the learner's role %s: %v %v", name, err, res)
	}
	if limit := string(res[0].Rows[0][0]); limit != "7" {
		t.Errorf("the learner's role may open %s connections, want 7", limit)
	}
	if n := string(res[0].Rows[0][1]); n == "0" {
		t.Errorf("the learner's lab has no connection to their own database %s", name)
	}
}
