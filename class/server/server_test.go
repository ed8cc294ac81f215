package server

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	gossh "golang.org/x/crypto/ssh"

	"scalelab/class/room"
	"scalelab/content"
	"scalelab/content/worksheet"
)

const wait = 20 * time.Second

// The first screen of the first built-in scenario and the step after it.
var (
	firstStep  = content.Builtin().Steps[0].Title
	secondStep = content.Builtin().Steps[1].Title
)

func TestNoKeyIsRefusedAtAuthentication(t *testing.T) {
	ts := startServer(t, Config{NoLab: true, Code: "abc123"})
	for _, auth := range [][]gossh.AuthMethod{
		nil,
		{gossh.Password("abc123")},
		{gossh.KeyboardInteractive(func(string, string, []string, []bool) ([]string, error) { return []string{"abc123"}, nil })},
	} {
		c, err := dial(ts.Addr().String(), "alice", auth...)
		if err == nil {
			c.Close()
			t.Fatalf("a client without a key got in with %v", auth)
		}
		if !strings.Contains(err.Error(), "unable to authenticate") {
			t.Errorf("refused with %v, want an authentication failure", err)
		}
	}
}

func TestWrongCodeThreeTimesDisconnects(t *testing.T) {
	ts := startServer(t, Config{NoLab: true, Code: "abc123"})
	sc := join(t, ts.Server, "alice", newKey(t))
	sc.waitFor(wait, "type the class code", "class code:")
	for i := range codeTries {
		m := sc.mark()
		sc.send("nope\r")
		txt := sc.waitAfter(m, wait, "not the class code")
		if left := []string{"2 tries left", "1 try left"}; i < len(left) && !strings.Contains(squash(txt), squash(left[i])) {
			t.Errorf("wrong code %d does not say %q:\n%s", i+1, left[i], txt)
		}
	}
	sc.waitEnd(wait)
	if !strings.Contains(sc.text(), "ask the instructor for it, then connect again") {
		t.Errorf("the last refusal does not say what to do:\n%s", sc.text())
	}
	if strings.Contains(sc.text(), firstStep) {
		t.Errorf("the workshop opened after three wrong codes")
	}
	if bound, _ := ts.book.lookup("alice", ""); bound {
		t.Errorf("a learner who never typed the code was remembered")
	}
}

func TestCodeOnceThenTheKeyIsRemembered(t *testing.T) {
	ts := startServer(t, Config{NoLab: true, Code: "abc123"})
	key := newKey(t)
	sc := join(t, ts.Server, "Alice", key) // names are lowercased
	sc.waitFor(wait, "class code:")
	sc.send("abc123\r")
	sc.waitFor(wait, "welcome", firstStep)
	sc.close()

	sc = join(t, ts.Server, "alice", key)
	sc.waitFor(wait, firstStep)
	if strings.Contains(sc.text(), "class code") {
		t.Errorf("a remembered key was asked for the code again:\n%s", sc.text())
	}
	var book struct {
		Learners map[string]binding `json:"learners"`
	}
	path := filepath.Join(ts.Dir(), LearnersFile)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &book); err != nil {
		t.Fatal(err)
	}
	if b := book.Learners["alice"]; b.Fingerprint != Fingerprint(key.PublicKey()) || b.ID != LearnerID("alice", key.PublicKey()) {
		t.Errorf("learners.json has %+v for alice", book.Learners)
	}
	if m := fileMode(t, path); m != 0o600 {
		t.Errorf("learners.json is %04o, want 0600", m)
	}

	// the name is alice's now: another key is asked for the code first, then refused with the rule
	other := join(t, ts.Server, "alice", newKey(t))
	other.waitFor(wait, "class code:")
	if strings.Contains(other.text(), "taken") {
		t.Errorf("a stranger learned the name is taken before typing the code:\n%s", other.text())
	}
	other.send("abc123\r")
	other.waitEnd(wait)
	if !strings.Contains(other.text(), "the name alice is taken in this class: connect with another name") {
		t.Errorf("another key as alice was told:\n%s", other.text())
	}
}

func TestKeysFileLetsOnlyItsKeysIn(t *testing.T) {
	allowed, stranger := newKey(t), newKey(t)
	keys := filepath.Join(t.TempDir(), "authorized_keys")
	line := "# the class\n" + string(gossh.MarshalAuthorizedKey(allowed.PublicKey()))
	if err := os.WriteFile(keys, []byte(line), 0o600); err != nil {
		t.Fatal(err)
	}
	ts := startServer(t, Config{NoLab: true, KeysFile: keys})
	if ts.Code() != "" {
		t.Errorf("a class with --keys has a code %q", ts.Code())
	}
	if c, err := dial(ts.Addr().String(), "bob", gossh.PublicKeys(stranger)); err == nil {
		c.Close()
		t.Fatal("a key not in --keys got in")
	}
	sc := join(t, ts.Server, "bob", allowed)
	sc.waitFor(wait, firstStep)
	if strings.Contains(sc.text(), "class code") {
		t.Errorf("a listed key was asked for a code")
	}
}

func TestBadNameAndCommandsAreRefused(t *testing.T) {
	ts := startServer(t, Config{NoLab: true, Code: "abc123"})
	key := newKey(t)
	sc := join(t, ts.Server, "../etc", key)
	sc.waitEnd(wait)
	if !strings.Contains(sc.text(), NameRule) {
		t.Errorf("a bad name was told:\n%s", sc.text())
	}

	// exec (a command), a subsystem (sftp), a session without a terminal: none runs
	c, err := dial(ts.Addr().String(), "alice", gossh.PublicKeys(key))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	sess, _ := c.NewSession()
	out, err := sess.CombinedOutput("cat /etc/passwd")
	var exit *gossh.ExitError
	if !errors.As(err, &exit) || exit.ExitStatus() == 0 || strings.Contains(string(out), "root:") || !strings.Contains(string(out), "workshop only") {
		t.Errorf("exec gave %v:\n%s", err, out)
	}
	sess, _ = c.NewSession()
	if err := sess.RequestSubsystem("sftp"); err == nil {
		if out, _ := sess.CombinedOutput(""); !strings.Contains(string(out), "workshop only") {
			t.Errorf("sftp was not refused: %s", out)
		}
	}
	sess, _ = c.NewSession()
	if err := sess.Shell(); err == nil {
		sess.Wait()
	}
	// no port forwarding either way
	if conn, err := c.Dial("tcp", ts.Addr().String()); err == nil {
		conn.Close()
		t.Error("local port forwarding was allowed")
	}
	if ln, err := c.Listen("tcp", "127.0.0.1:0"); err == nil {
		ln.Close()
		t.Error("remote port forwarding was allowed")
	}
}

func TestResumeAtTheSameStepAfterADisconnect(t *testing.T) {
	ts := startServer(t, Config{NoLab: true, Code: "abc123"})
	key := newKey(t)
	sc := join(t, ts.Server, "carol", key)
	sc.waitFor(wait, "class code:")
	sc.send("abc123\r")
	sc.waitFor(wait, firstStep)
	m := sc.mark()
	sc.send("n")
	sc.waitAfter(m, wait, secondStep)
	sc.close() // the connection drops

	id := LearnerID("carol", key.PublicKey())
	waitRoom(t, ts.Server, wait, "carol away", func(ls map[string]room.Learner) bool { return !ls["carol"].Connected })
	path := worksheet.PathFor(filepath.Join(ts.Dir(), LearnersDir, id), content.Builtin().ID)
	ws, err := worksheet.Read(path)
	if err != nil || ws.Step != 1 {
		t.Fatalf("the worksheet after the disconnect is at step %v (%v), want 1", ws, err)
	}

	sc = join(t, ts.Server, "carol", key)
	sc.waitFor(wait, secondStep)
}

func TestASecondSessionTakesOver(t *testing.T) {
	key := newKey(t)
	keys := filepath.Join(t.TempDir(), "keys")
	os.WriteFile(keys, gossh.MarshalAuthorizedKey(key.PublicKey()), 0o600)
	ts := startServer(t, Config{NoLab: true, KeysFile: keys})
	first := join(t, ts.Server, "dan", key)
	first.waitFor(wait, firstStep)
	second := join(t, ts.Server, "dan", key)
	first.waitEnd(wait)
	if !strings.Contains(first.text(), "you opened this workshop in another session") {
		t.Errorf("the first session was told:\n%s", tailText(first.text(), 500))
	}
	second.waitFor(wait, firstStep)
}

func TestClassDirectoryIsPrivateAndItsHostKeyKept(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "class")
	hostKey := func(s *Server) gossh.PublicKey {
		var got gossh.PublicKey
		c, err := gossh.Dial("tcp", s.Addr().String(), &gossh.ClientConfig{
			User: "x", Auth: []gossh.AuthMethod{gossh.PublicKeys(newKey(t))}, Timeout: 10 * time.Second,
			HostKeyCallback: func(_ string, _ net.Addr, k gossh.PublicKey) error { got = k; return nil },
		})
		if err == nil {
			c.Close()
		}
		if got == nil {
			t.Fatalf("no host key: %v", err)
		}
		return got
	}
	ts := startServer(t, Config{NoLab: true, Dir: dir})
	if code := ts.Code(); len(code) < 6 || len(code) > 8 {
		t.Errorf("the random class code %q is not 6 to 8 characters", code)
	}
	first := hostKey(ts.Server)
	if m := fileMode(t, dir); m != 0o700 {
		t.Errorf("the class directory is %04o, want 0700", m)
	}
	if m := fileMode(t, filepath.Join(dir, HostKeyFile)); m != 0o600 {
		t.Errorf("the host key is %04o, want 0600", m)
	}
	pid, _ := os.ReadFile(filepath.Join(dir, PIDFile))
	if strings.TrimSpace(string(pid)) != strconv.Itoa(os.Getpid()) {
		t.Errorf("server.pid holds %q", pid)
	}
	// a second server on the same directory is refused, naming the pid
	if _, err := New(Config{Dir: dir, Addr: "127.0.0.1:0", MetricsAddr: MetricsOff, NoLab: true}); err == nil ||
		!strings.Contains(err.Error(), "already runs") || !strings.Contains(err.Error(), strconv.Itoa(os.Getpid())) {
		t.Errorf("a second server on the same directory: %v", err)
	}
	ts.stop(t)
	for _, f := range []string{PIDFile, SocketFile} {
		if _, err := os.Stat(filepath.Join(dir, f)); err == nil {
			t.Errorf("%s is left after the shutdown", f)
		}
	}

	// a stale pid file (its server was killed) is replaced; the host key is the same
	os.WriteFile(filepath.Join(dir, PIDFile), []byte(strconv.Itoa(os.Getppid())+"\n"), 0o600) // a live pid, not a server
	again := startServer(t, Config{NoLab: true, Dir: dir})
	if k := hostKey(again.Server); string(k.Marshal()) != string(first.Marshal()) {
		t.Error("the host key changed between two starts")
	}
}

func TestShutdownTellsEverySession(t *testing.T) {
	ts := startServer(t, Config{NoLab: true, Code: "abc123"})
	key := newKey(t)
	sc := join(t, ts.Server, "erin", key)
	sc.waitFor(wait, "class code:")
	sc.send("abc123\r")
	sc.waitFor(wait, firstStep)
	sc.send("n")
	waitRoom(t, ts.Server, wait, "erin at step 1", func(ls map[string]room.Learner) bool { return ls["erin"].Step == 1 })
	ts.stop(t)
	sc.waitEnd(wait)
	if !strings.Contains(sc.text(), stopNotice) {
		t.Errorf("the session was not told the server stops:\n%s", tailText(sc.text(), 500))
	}
	ws, err := worksheet.Read(worksheet.PathFor(filepath.Join(ts.Dir(), LearnersDir, LearnerID("erin", key.PublicKey())), content.Builtin().ID))
	if err != nil || ws.Step != 1 {
		t.Errorf("the worksheet after the shutdown: %+v, %v", ws, err)
	}
}

func TestNamesAndIDs(t *testing.T) {
	for in, want := range map[string]string{"Alice": "alice", "bob_2": "bob_2", "a-b": "a-b"} {
		if got, err := CleanName(in); err != nil || got != want {
			t.Errorf("CleanName(%q) = %q, %v", in, got, err)
		}
	}
	for _, bad := range []string{"", "-a", "_a", "a b", "a/b", "..", strings.Repeat("a", 33), "é", "a\x1b[2J"} {
		if _, err := CleanName(bad); err == nil || strings.ContainsRune(err.Error(), 0x1b) {
			t.Errorf("CleanName(%q) = %v", bad, err)
		}
	}
	k := newKey(t).PublicKey()
	id := LearnerID("alice", k)
	if !strings.HasPrefix(id, "alice-") || len(id) != len("alice-")+8 {
		t.Errorf("LearnerID = %q", id)
	}
}

func TestBroadcastAndGotoReachEverySession(t *testing.T) {
	a, b := newKey(t), newKey(t)
	keys := filepath.Join(t.TempDir(), "keys")
	os.WriteFile(keys, append(gossh.MarshalAuthorizedKey(a.PublicKey()), gossh.MarshalAuthorizedKey(b.PublicKey())...), 0o600)
	ts := startServer(t, Config{NoLab: true, KeysFile: keys})
	screens := []*screen{join(t, ts.Server, "fay", a), join(t, ts.Server, "gus", b)}
	for _, sc := range screens {
		sc.waitFor(wait, firstStep)
	}
	waitRoom(t, ts.Server, wait, "both connected", func(ls map[string]room.Learner) bool {
		return ls["fay"].Connected && ls["gus"].Connected && ls["fay"].Steps > 0 && ls["gus"].Steps > 0
	})

	// through the control socket, as the board sends them
	c := room.Dial(filepath.Join(ts.Dir(), SocketFile))
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	marks := []int{screens[0].mark(), screens[1].mark()}
	if err := c.Broadcast(ctx, "break until 11:00"); err != nil {
		t.Fatal(err)
	}
	for i, sc := range screens {
		sc.waitAfter(marks[i], wait, "instructor: break until 11:00")
	}
	third := content.Builtin().Steps[2].Title
	marks = []int{screens[0].mark(), screens[1].mark()}
	if err := c.Goto(ctx, 2); err != nil {
		t.Fatal(err)
	}
	for i, sc := range screens {
		sc.waitAfter(marks[i], wait, third)
	}
	waitRoom(t, ts.Server, wait, "both at step 2", func(ls map[string]room.Learner) bool {
		return ls["fay"].Step == 2 && ls["gus"].Step == 2 && ls["gus"].StepTitle == third
	})
	if snap, err := c.Snapshot(ctx); err != nil || snap.Message != "break until 11:00" {
		t.Errorf("the room's snapshot: %q, %v", snap.Message, err)
	}
}

func TestAnswersStayInTheLearnersOwnWorksheet(t *testing.T) {
	a, b := newKey(t), newKey(t)
	keys := filepath.Join(t.TempDir(), "keys")
	os.WriteFile(keys, append(gossh.MarshalAuthorizedKey(a.PublicKey()), gossh.MarshalAuthorizedKey(b.PublicKey())...), 0o600)
	ts := startServer(t, Config{NoLab: true, KeysFile: keys})
	alice, bob := join(t, ts.Server, "alice", a), join(t, ts.Server, "bob", b)
	bob.waitFor(wait, firstStep)
	alice.waitFor(wait, firstStep)
	for i := 0; ; i++ {
		m := alice.mark()
		alice.send("\t")
		if txt := alice.waitAfter(m, wait, "enter:"); strings.Contains(squash(txt), squash("enter: write your answer")) {
			break
		}
		if i == 12 {
			t.Fatal("no question reached with Tab")
		}
	}
	alice.send("\r")
	alice.waitFor(wait, "esc/ctrl+s: done")
	alice.send("alpha-only-alice")
	alice.waitFor(wait, "alpha-only-alice")
	alice.send("\x13") // ctrl+s
	alice.close()
	waitRoom(t, ts.Server, wait, "alice away", func(ls map[string]room.Learner) bool { return !ls["alice"].Connected })

	sheetOf := func(name string, k gossh.Signer) string {
		dir := filepath.Join(ts.Dir(), LearnersDir, LearnerID(name, k.PublicKey()))
		if m := fileMode(t, dir); m != 0o700 {
			t.Errorf("%s's directory is %04o, want 0700", name, m)
		}
		data, err := os.ReadFile(worksheet.PathFor(dir, content.Builtin().ID))
		if err != nil {
			t.Fatal(err)
		}
		return string(data)
	}
	if s := sheetOf("alice", a); !strings.Contains(s, "alpha-only-alice") {
		t.Errorf("alice's worksheet lacks her answer:\n%s", s)
	}
	if s := sheetOf("bob", b); strings.Contains(s, "alpha-only-alice") {
		t.Errorf("bob's worksheet holds alice's answer:\n%s", s)
	}
}

func TestTheScenariosScreenOpensTheNextScenarioInTheSameSession(t *testing.T) {
	key := newKey(t)
	keys := filepath.Join(t.TempDir(), "keys")
	os.WriteFile(keys, gossh.MarshalAuthorizedKey(key.PublicKey()), 0o600)
	ts := startServer(t, Config{NoLab: true, KeysFile: keys})
	sc := join(t, ts.Server, "iris", key)
	sc.waitFor(wait, firstStep)
	second := content.Builtins()[1]
	m := sc.mark()
	sc.send("o")
	sc.waitAfter(m, wait, second.Title)
	m = sc.mark()
	sc.send("\x1b[B") // down
	time.Sleep(100 * time.Millisecond)
	sc.send("\r")
	sc.waitAfter(m, wait, second.Steps[0].Title)
	waitRoom(t, ts.Server, wait, "iris in the second scenario", func(ls map[string]room.Learner) bool {
		return ls["iris"].Scenario == second.ID && ls["iris"].Connected
	})
	// the keys still reach the new program
	m = sc.mark()
	sc.send("n")
	sc.waitAfter(m, wait, second.Steps[1].Title)
	sc.close()

	// the next session opens where iris was: the second scenario
	sc = join(t, ts.Server, "iris", key)
	sc.waitFor(wait, second.Steps[1].Title)
}

func TestNoColorSessionGetsNoColours(t *testing.T) {
	a, b := newKey(t), newKey(t)
	keys := filepath.Join(t.TempDir(), "keys")
	os.WriteFile(keys, append(gossh.MarshalAuthorizedKey(a.PublicKey()), gossh.MarshalAuthorizedKey(b.PublicKey())...), 0o600)
	ts := startServer(t, Config{NoLab: true, KeysFile: keys})
	plain := join(t, ts.Server, "jo", a, "NO_COLOR", "1")
	colour := join(t, ts.Server, "kai", b)
	plain.waitFor(wait, firstStep)
	colour.waitFor(wait, firstStep)
	time.Sleep(300 * time.Millisecond) // the first frame drawn whole
	sgrColour := regexp.MustCompile(`\x1b\[[0-9;]*(3[0-9]|4[0-9]|9[0-7]|10[0-7])(;[0-9;]*)?m`)
	if m := sgrColour.FindString(plain.raw()); m != "" {
		t.Errorf("the NO_COLOR session got the colour %q", m)
	}
	if !sgrColour.MatchString(colour.raw()) {
		t.Error("the xterm-256color session got no colour at all")
	}
}

func TestExposureIsSaidOffLoopback(t *testing.T) {
	ts := startServer(t, Config{NoLab: true, Code: "abc123"})
	if w := ts.Exposure(); w != "" {
		t.Errorf("a loopback server warns: %s", w)
	}
	// what a server on every network would say (tests listen on loopback only)
	if w := ts.exposure("0.0.0.0:2222"); !strings.Contains(w, "anyone who can reach this machine") || !strings.Contains(w, "--addr 127.0.0.1:2222") || !strings.Contains(w, "abc123") {
		t.Errorf("a server on every network warns: %q", w)
	}
}

// The class code cannot be guessed fast: each source address gets only so many wrong codes a
// minute, and more once the minute has passed; another address is not affected, and the guard
// forgets the addresses of the minute before.
func TestWrongClassCodesAreBoundedPerAddress(t *testing.T) {
	g := newCodeGuard(3, time.Millisecond, t.Logf)
	now := time.Now()
	a, b := codeAttempt{addr: "192.0.2.1", name: "eve"}, codeAttempt{addr: "192.0.2.2", name: "bob"}
	for i := 0; i < 3; i++ {
		if !g.allow(a.addr, now) {
			t.Fatalf("try %d refused before the bound", i+1)
		}
		g.done(a.addr)
		if d := g.failed(a, now); d != time.Millisecond {
			t.Errorf("a wrong code costs %v", d)
		}
	}
	if g.allow(a.addr, now.Add(30*time.Second)) {
		t.Fatal("a 4th wrong code within the minute was allowed")
	}
	if !g.allow(b.addr, now.Add(30*time.Second)) {
		t.Fatal("another address was locked out too")
	}
	if !g.allow(a.addr, now.Add(61*time.Second)) {
		t.Fatal("tries are still refused a minute later")
	}
	for i := range 100 {
		g.failed(codeAttempt{addr: "198.51.100." + strconv.Itoa(i)}, now)
	}
	g.failed(b, now.Add(2*time.Minute))
	if n := len(g.recent); n != 1 {
		t.Errorf("the guard keeps %d addresses a minute later, want 1", n)
	}
}

// Over real SSH: one address typing wrong codes is locked out (and told, and logged); a learner
// from another address still gets in.
func TestWrongCodesLockOutOneAddressOnly(t *testing.T) {
	logs := &serverLog{t: t}
	ts := startServer(t, Config{NoLab: true, Code: "abc123", Logf: logs.logf, wrongCodesPerMinute: 3, wrongCodeDelay: time.Millisecond})
	eve := join(t, ts.Server, "eve", newKey(t))
	for range codeTries {
		m := eve.mark()
		eve.waitFor(wait, "class code:")
		eve.send("nope\r")
		eve.waitAfter(m, wait, "not the class code")
	}
	eve.waitEnd(wait)
	logs.waitLog(wait, "a wrong class code from 127.0.0.1", `"eve"`)
	logs.waitLog(wait, "127.0.0.1 is refused the class code for a minute")

	again := join(t, ts.Server, "eve2", newKey(t))
	again.waitEnd(wait)
	if !strings.Contains(again.text(), "too many wrong class codes from your address") {
		t.Errorf("the locked-out address was told:\n%s", again.text())
	}

	alice := joinFrom(t, ts.Server, "127.0.0.2", "alice", newKey(t))
	alice.waitFor(wait, "class code:")
	alice.send("abc123\r")
	alice.waitFor(wait, "welcome", firstStep)
}

// A key is one learner: once joined as alice, it is refused under any other name, with the
// code (the code is not even asked) and with --keys.
func TestAKeyJoinsUnderOneNameOnly(t *testing.T) {
	key := newKey(t)
	ts := startServer(t, Config{NoLab: true, Code: "abc123"})
	sc := join(t, ts.Server, "alice", key)
	sc.waitFor(wait, "class code:")
	sc.send("abc123\r")
	sc.waitFor(wait, firstStep)
	sc.close()
	bob := join(t, ts.Server, "bob", key)
	bob.waitEnd(wait)
	if txt := bob.text(); !strings.Contains(txt, "this key joined this class as alice: connect as alice") || strings.Contains(txt, "class code:") {
		t.Errorf("alice's key as bob was told:\n%s", txt)
	}
	if bound, _ := ts.book.lookup("bob", ""); bound {
		t.Error("alice's key was bound to bob too")
	}

	keys := filepath.Join(t.TempDir(), "keys")
	os.WriteFile(keys, gossh.MarshalAuthorizedKey(key.PublicKey()), 0o600)
	tk := startServer(t, Config{NoLab: true, KeysFile: keys})
	join(t, tk.Server, "carol", key).waitFor(wait, firstStep)
	dave := join(t, tk.Server, "dave", key)
	dave.waitEnd(wait)
	if !strings.Contains(dave.text(), "this key joined this class as carol: connect as carol") {
		t.Errorf("carol's key as dave (--keys) was told:\n%s", dave.text())
	}
}

// A class of --max-learners N takes no N+1th learner; those who joined still get in.
func TestAFullClassRefusesANewLearner(t *testing.T) {
	ts := startServer(t, Config{NoLab: true, Code: "abc123", MaxLearners: 1})
	key := newKey(t)
	sc := join(t, ts.Server, "alice", key)
	sc.waitFor(wait, "class code:")
	sc.send("abc123\r")
	sc.waitFor(wait, firstStep)
	sc.close()
	bob := join(t, ts.Server, "bob", newKey(t))
	bob.waitFor(wait, "class code:")
	bob.send("abc123\r")
	bob.waitEnd(wait)
	if !strings.Contains(bob.text(), "this class is full: 1 learners joined it, its most (the instructor can raise --max-learners)") {
		t.Errorf("the learner beyond the class's size was told:\n%s", bob.text())
	}
	join(t, ts.Server, "alice", key).waitFor(wait, firstStep)
}

// The class code's prompt does not wait forever.
func TestTheCodePromptGivesUp(t *testing.T) {
	ts := startServer(t, Config{NoLab: true, Code: "abc123", codeTimeout: 300 * time.Millisecond})
	sc := join(t, ts.Server, "alice", newKey(t))
	sc.waitFor(wait, "class code:")
	sc.waitEnd(wait)
	if !strings.Contains(sc.text(), "no code typed: connect again when you have it") {
		t.Errorf("the prompt that timed out said:\n%s", sc.text())
	}
}

// One address holds at most connsPerAddr connections at once; another address is not
// affected, and a closed connection gives its place back.
func TestConnectionsAreCappedPerAddress(t *testing.T) {
	logs := &serverLog{t: t}
	ts := startServer(t, Config{NoLab: true, Code: "abc123", Logf: logs.logf, connsPerAddr: 2})
	var held []net.Conn
	for range 2 {
		c, err := net.DialTimeout("tcp", ts.Addr().String(), 10*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		held = append(held, c)
	}
	// wait until the server accepted both (a third is then over the cap)
	deadline := time.Now().Add(wait)
	for {
		ts.ln.(*capListener).mu.Lock()
		n := ts.ln.(*capListener).byAddr["127.0.0.1"]
		ts.ln.(*capListener).mu.Unlock()
		if n == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the server holds %d connections from 127.0.0.1, want 2", n)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if c, err := dial(ts.Addr().String(), "alice", gossh.PublicKeys(newKey(t))); err == nil {
		c.Close()
		t.Fatal("a third connection from one address got in")
	}
	logs.waitLog(wait, "a connection from 127.0.0.1 was closed at once", "the most from one address")

	other := joinFrom(t, ts.Server, "127.0.0.2", "bob", newKey(t))
	other.waitFor(wait, "class code:")

	held[0].Close()
	for {
		c, err := dial(ts.Addr().String(), "alice", gossh.PublicKeys(newKey(t)))
		if err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("a closed connection did not give its place back: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// A second server on the same directory, from another binary (a copy of this test binary: its
// /proc/PID/exe differs), is refused naming the first's pid and removes nothing of it.
func TestASecondServerFromAnotherBinaryTouchesNothing(t *testing.T) {
	if dir := os.Getenv("SCALELAB_SECOND_SERVER_DIR"); dir != "" {
		_, err := New(Config{Dir: dir, Addr: "127.0.0.1:0", MetricsAddr: MetricsOff, NoLab: true})
		if err == nil {
			os.Stdout.WriteString("started\n")
			os.Exit(0) // without Run: what it took stays taken, as a server that would go on
		}
		os.Stdout.WriteString("refused: " + err.Error() + "\n")
		os.Exit(0)
	}
	ts := startServer(t, Config{NoLab: true, Code: "abc123"})
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "copy.test")
	data, err := os.ReadFile(self)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, data, 0o700); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "-test.run=^TestASecondServerFromAnotherBinaryTouchesNothing$")
	cmd.Env = append(os.Environ(), "SCALELAB_SECOND_SERVER_DIR="+ts.Dir())
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the second server: %v\n%s", err, out)
	}
	ours := strconv.Itoa(os.Getpid())
	if !strings.Contains(string(out), "refused: a class server (pid "+ours+") already runs on "+ts.Dir()) {
		t.Errorf("the second server from another binary said:\n%s", out)
	}
	if pid, _ := os.ReadFile(filepath.Join(ts.Dir(), PIDFile)); strings.TrimSpace(string(pid)) != ours {
		t.Errorf("server.pid holds %q after the second server, want %s", pid, ours)
	}
	c := room.Dial(filepath.Join(ts.Dir(), SocketFile))
	defer c.Close()
	if _, err := c.Snapshot(ctx); err != nil {
		t.Errorf("the first server's control socket no longer answers: %v", err)
	}
	join(t, ts.Server, "alice", newKey(t)).waitFor(wait, "class code:")
}

// A session taken over is waited for until its program has really ended: one that does not
// quit is killed, and the wait ends only after its Run has returned.
func TestATakeoverWaitsForTheOldProgramToEnd(t *testing.T) {
	st := &session{released: make(chan struct{})}
	p := tea.NewProgram(stubbornModel{}, tea.WithInput(nil), tea.WithOutput(io.Discard), tea.WithoutRenderer(), tea.WithoutSignalHandler())
	st.p = p
	runReturned := make(chan struct{})
	go func() {
		p.Run()
		close(runReturned)
		st.release() // as afterProgram does once the app is flushed
	}()
	done := make(chan struct{})
	go func() { st.waitReleased(); close(done) }()
	select {
	case <-done:
	case <-time.After(wait):
		t.Fatal("the takeover still waits for a program that does not quit")
	}
	select {
	case <-runReturned:
	default:
		t.Fatal("the takeover went on while the old program still ran")
	}
}

// stubbornModel never quits by itself (the session was asked to, and did not).
type stubbornModel struct{}

func (stubbornModel) Init() tea.Cmd                         { return nil }
func (m stubbornModel) Update(tea.Msg) (tea.Model, tea.Cmd) { return m, nil }
func (stubbornModel) View() string                          { return "" }

// The instructor's notices queue per session without waiting: a session that does not take
// them misses the next ones instead of piling goroutines up.
func TestNoticesToASessionAreBounded(t *testing.T) {
	st := &session{notices: make(chan tea.Msg, noticeQueue)}
	for i := range noticeQueue {
		if !st.deliver(i) {
			t.Fatalf("notice %d was dropped before the queue was full", i+1)
		}
	}
	if st.deliver("one more") {
		t.Error("a notice was queued beyond the queue's size")
	}
}

func TestDurationsAreWrittenForPeople(t *testing.T) {
	for d, want := range map[time.Duration]string{
		20 * time.Minute: "20 min", 90 * time.Second: "90 s", time.Second: "1 s",
		90 * time.Minute: "1 h 30 min", 2 * time.Hour: "2 h", 150 * time.Second: "2 min 30 s",
	} {
		if got := humanDuration(d); got != want {
			t.Errorf("humanDuration(%v) = %q, want %q", d, got, want)
		}
	}
}

// The learner quitting is told how long their lab waits, written for people.
func TestTheQuitLineSaysHowLongTheLabWaits(t *testing.T) {
	key := newKey(t)
	keys := filepath.Join(t.TempDir(), "keys")
	os.WriteFile(keys, gossh.MarshalAuthorizedKey(key.PublicKey()), 0o600)
	ts := startServer(t, Config{NoLab: true, KeysFile: keys})
	sc := join(t, ts.Server, "lee", key)
	sc.waitFor(wait, firstStep)
	sc.send("q")
	sc.waitEnd(wait)
	if !strings.Contains(sc.text(), "your lab keeps running for 20 min: connect again to go on") {
		t.Errorf("the quit line:\n%s", tailText(sc.text(), 500))
	}
}

// A connection that never logs in does not keep its place: it is closed after the login time.
func TestAConnectionThatNeverLogsInIsClosed(t *testing.T) {
	logs := &serverLog{t: t}
	ts := startServer(t, Config{NoLab: true, Code: "abc123", Logf: logs.logf, loginTimeout: 300 * time.Millisecond})
	c, err := net.DialTimeout("tcp", ts.Addr().String(), 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetReadDeadline(time.Now().Add(wait))
	for buf := make([]byte, 256); ; { // the server's version line, then nothing: the end
		if _, err := c.Read(buf); err != nil {
			if errors.Is(err, os.ErrDeadlineExceeded) {
				t.Fatal("a connection that never logged in is still open")
			}
			break
		}
	}
	logs.waitLog(wait, "a connection from 127.0.0.1 was closed: it opened no session within")

	// a learner who logs in is not cut by the clock
	sc := join(t, ts.Server, "alice", newKey(t))
	sc.waitFor(wait, "class code:")
	time.Sleep(600 * time.Millisecond) // past the login time, in the prompt
	sc.send("abc123\r")
	sc.waitFor(wait, firstStep)
}

// A restarted server's room holds every learner who joined before, away until they return.
func TestARestartedServerKnowsTheClass(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "class")
	ts := startServer(t, Config{NoLab: true, Code: "abc123", Dir: dir})
	sc := join(t, ts.Server, "alice", newKey(t))
	sc.waitFor(wait, "class code:")
	sc.send("abc123\r")
	sc.waitFor(wait, firstStep)
	ts.stop(t)
	again := startServer(t, Config{NoLab: true, Code: "abc123", Dir: dir})
	waitRoom(t, again.Server, wait, "alice away", func(ls map[string]room.Learner) bool {
		a, ok := ls["alice"]
		return ok && !a.Connected
	})
}

// Prompts open at once from one address share its tries: each reserves one before its code is
// typed. The addresses of one IPv6 /64 count as one.
func TestParallelPromptsShareTheBound(t *testing.T) {
	g := newCodeGuard(3, time.Millisecond, t.Logf)
	now := time.Now()
	for i := 0; i < 3; i++ {
		if !g.allow("192.0.2.9", now) {
			t.Fatalf("prompt %d refused before the bound", i+1)
		}
	}
	if g.allow("192.0.2.9", now) {
		t.Fatal("a 4th prompt open at once got a try")
	}
	for i := 0; i < 3; i++ {
		g.allow("2001:db8:1:2::"+strconv.Itoa(i+1), now)
	}
	if g.allow("2001:db8:1:2:ffff::1", now) {
		t.Fatal("another address of the same /64 got a 4th try")
	}
	if !g.allow("2001:db8:1:3::1", now) {
		t.Fatal("another /64 was locked out too")
	}
}
