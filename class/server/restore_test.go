package server

import (
	"path/filepath"
	"testing"
	"time"

	"scalelab/class/room"
)

// A restarted server's board shows the learners who joined before, away, at the step they
// left, before any of them comes back.
func TestRestartedServerRemembersTheClass(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "class")
	key := newKey(t)
	ts := startServer(t, Config{Dir: dir, Code: "k3y-abc", NoLab: true})
	sc := join(t, ts.Server, "jo", key)
	sc.waitFor(wait, "class code:")
	sc.send("k3y-abc\r")
	sc.waitFor(wait, firstStep, "your worksheet, kept by the class server") // not a path on the server
	sc.send("n")
	sc.send("n")
	waitRoom(t, ts.Server, wait, "jo at the third step", func(ls map[string]room.Learner) bool { return ls["jo"].Step == 2 })
	sc.close()
	ts.stop(t)

	again := startServer(t, Config{Dir: dir, Code: "k3y-abc", NoLab: true})
	snap := again.Room().Snapshot()
	if len(snap.Learners) != 1 {
		t.Fatalf("the restarted server's room: %+v", snap.Learners)
	}
	l := snap.Learners[0]
	if l.Name != "jo" || l.Connected || l.Step != 2 || l.Steps == 0 || l.StepTitle == "" || l.LastSeen.After(time.Now()) {
		t.Fatalf("jo after the restart: %+v", l)
	}
}
