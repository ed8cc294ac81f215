package haproxy_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/cookiejar"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"scalelab/lab/feed"
	"scalelab/lab/haproxy"
)

func twoBackends(t *testing.T) (*backend, *backend, []haproxy.Backend) {
	a, b := startBackend(t, "a", ""), startBackend(t, "b", "")
	return a, b, []haproxy.Backend{{Name: "a", Addr: a.Addr()}, {Name: "b", Addr: b.Addr()}}
}

// Round robin sends requests to each backend in turn; Stats and the request logs agree.
func TestRoundRobinSpreadsRequests(t *testing.T) {
	needHAProxy(t)
	_, _, backends := twoBackends(t)
	var seen logs
	p := start(t, haproxy.Config{Dir: shortDir(t), Listen: freeAddr(t), Backends: backends, OnLog: seen.add})
	checked(t, p)
	c := &http.Client{Timeout: 5 * time.Second}
	served := map[string]int{}
	for range 20 {
		code, srv := get(t, c, p, "/feed")
		if code != 200 {
			t.Fatalf("status %d", code)
		}
		served[srv]++
	}
	if served["a"] < 8 || served["b"] < 8 {
		t.Errorf("20 requests round robin: %v, want about 10 each", served)
	}

	// A response is counted once its stream ends, a moment after the client has read it.
	var st haproxy.Stats
	waitFor(t, 5*time.Second, "20 responses counted", func() bool {
		st = mustStats(t, p)
		return st.Frontend.Responses.R2xx >= 20
	})
	if st.Frontend.Requests < 20 || st.Frontend.Responses.R2xx < 20 || st.Frontend.Status != "OPEN" {
		t.Errorf("frontend %+v", st.Frontend)
	}
	if len(st.Servers) != 2 || st.Backend.Active != 2 {
		t.Fatalf("servers %+v, backend %+v", st.Servers, st.Backend)
	}
	for _, s := range st.Servers {
		if s.State != "UP" || s.Total != int64(served[s.Name]) || s.Responses.R2xx != int64(served[s.Name]) {
			t.Errorf("server %s: %+v, want UP with %d requests", s.Name, s, served[s.Name])
		}
		if !strings.HasSuffix(s.CheckStatus, "L7OK") || s.CheckCode != 200 {
			t.Errorf("server %s last check %q %d (%s), want L7OK 200", s.Name, s.CheckStatus, s.CheckCode, s.CheckDesc)
		}
	}

	fromLogs := map[string]int{}
	waitFor(t, 5*time.Second, "a log line per request", func() bool {
		clear(fromLogs)
		for _, l := range seen.all() {
			if r := l.Request; r != nil && r.Path == "/feed" {
				if r.Status != 200 || r.Termination != "----" || r.Backend != haproxy.BackendName || r.Method != "GET" {
					t.Fatalf("request log %+v from %q", r, l.Text)
				}
				fromLogs[r.Server]++
			}
		}
		return fromLogs["a"]+fromLogs["b"] == 20
	})
	if fromLogs["a"] != served["a"] {
		t.Errorf("logs say %v, responses %v", fromLogs, served)
	}
}

// With Sticky, HAProxy's cookie keeps each client on one backend and is not passed on to it;
// Reload turns stickiness off in place.
func TestStickySendsOneClientToOneServer(t *testing.T) {
	needHAProxy(t)
	_, _, backends := twoBackends(t)
	p := start(t, haproxy.Config{Dir: shortDir(t), Listen: freeAddr(t), Backends: backends, Sticky: true})
	firsts := map[string]bool{}
	for i := range 4 {
		jar, _ := cookiejar.New(nil)
		c := &http.Client{Timeout: 5 * time.Second, Jar: jar}
		_, first := get(t, c, p, "/me/feed")
		firsts[first] = true
		for range 10 {
			resp, err := c.Get(p.URL() + "/me/feed")
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if srv := resp.Header.Get("X-Server"); srv != first {
				t.Fatalf("client %d: first served by %s, then by %s", i, first, srv)
			}
			if ck := resp.Header.Get("X-Cookies"); strings.Contains(ck, haproxy.CookieName) {
				t.Fatalf("the backend was sent HAProxy's cookie: %q", ck)
			}
		}
	}
	if len(firsts) != 2 {
		t.Errorf("4 new clients all landed on %v: new clients must still be spread", firsts)
	}

	old := p.PID()
	cfg := p.Config()
	cfg.Sticky = false
	if err := p.Reload(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	if p.PID() == old {
		t.Fatal("Reload kept the same process")
	}
	waitFor(t, 10*time.Second, "the old haproxy to exit after the reload", func() bool { return gone(old) })
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Timeout: 5 * time.Second, Jar: jar}
	served := map[string]int{}
	for range 10 {
		code, srv := get(t, c, p, "/me/feed")
		if code != 200 {
			t.Fatalf("after reload: status %d", code)
		}
		served[srv]++
	}
	if len(served) != 2 {
		t.Errorf("sticky off: one client's requests all went to %v", served)
	}
	if st, err := p.Stats(context.Background()); err != nil || st.PID != p.PID() {
		t.Errorf("stats after reload: %+v, %v", st, err)
	}
}

// A reload under load loses no request: the new process binds next to the old one, which
// finishes what it has.
func TestReloadUnderLoadLosesNoRequest(t *testing.T) {
	needHAProxy(t)
	_, _, backends := twoBackends(t)
	p := start(t, haproxy.Config{Dir: shortDir(t), Listen: freeAddr(t), Backends: backends})
	checked(t, p)
	stop := make(chan struct{})
	type tally struct{ ok, failed int }
	results := make(chan tally)
	for range 4 {
		go func() {
			var n tally
			c := &http.Client{Timeout: 5 * time.Second}
			for {
				select {
				case <-stop:
					results <- n
					return
				default:
				}
				if code, _ := get(t, c, p, "/feed"); code == 200 {
					n.ok++
				} else {
					n.failed++
				}
			}
		}()
	}
	for i := range 3 {
		cfg := p.Config()
		cfg.Sticky = i%2 == 0
		if err := p.Reload(context.Background(), cfg); err != nil {
			t.Fatal(err)
		}
		checked(t, p)
	}
	close(stop)
	var sum tally
	for range 4 {
		n := <-results
		sum.ok += n.ok
		sum.failed += n.failed
	}
	if sum.failed > 0 || sum.ok == 0 {
		t.Errorf("3 reloads under load: %d requests failed, %d succeeded", sum.failed, sum.ok)
	}
	t.Logf("3 reloads under 4 clients: %d requests, none failed", sum.ok)
}

// A configuration HAProxy would refuse leaves the running one alone.
func TestReloadRefusesABadConfig(t *testing.T) {
	needHAProxy(t)
	_, _, backends := twoBackends(t)
	p := start(t, haproxy.Config{Dir: shortDir(t), Listen: freeAddr(t), Backends: backends})
	pid := p.PID()
	cfg := p.Config()
	cfg.Backends = append(cfg.Backends, haproxy.Backend{Name: "c", Addr: "not-an-address"})
	if err := p.Reload(context.Background(), cfg); err == nil {
		t.Fatal("Reload took a backend without a port")
	}
	cfg.Backends = []haproxy.Backend{{Name: "c", Addr: "no.such.host.invalid:80"}}
	if err := p.Reload(context.Background(), cfg); err == nil || !strings.Contains(err.Error(), "haproxy -c") {
		t.Fatalf("Reload with an unresolvable backend: %v, want haproxy -c's refusal", err)
	}
	c := &http.Client{Timeout: 5 * time.Second}
	if code, _ := get(t, c, p, "/feed"); code != 200 || p.PID() != pid {
		t.Errorf("after refused reloads: status %d, pid %d (was %d)", code, p.PID(), pid)
	}
}

// A backend that dies is marked DOWN by the health checks within the configured window;
// requests meanwhile may fail (502, 503), afterwards all go to the live one. Brought back, it
// is UP again after Rise checks.
func TestDeadBackendMarkedDownThenBack(t *testing.T) {
	needHAProxy(t)
	a, _, backends := twoBackends(t)
	var seen logs
	cfg := haproxy.Config{Dir: shortDir(t), Listen: freeAddr(t), Backends: backends,
		CheckInterval: 250 * time.Millisecond, OnLog: seen.add}
	p := start(t, cfg)
	_, max := cfg.DetectionWindow()
	bound := max + 3*time.Second // the window, plus slack for a loaded machine
	checked(t, p)

	a.kill()
	killed := time.Now()
	c := &http.Client{Timeout: 5 * time.Second}
	failed := map[int]int{}
	for serverState(t, p, "a") != "DOWN" {
		if time.Since(killed) > bound {
			t.Fatalf("a not DOWN %v after it died", bound)
		}
		if code, _ := get(t, c, p, "/feed"); code != 200 {
			failed[code]++
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Logf("marked DOWN %v after the kill (configured window %v); failed meanwhile: %v",
		time.Since(killed).Round(time.Millisecond), max, failed)
	for code := range failed {
		if code != 502 && code != 503 {
			t.Errorf("during the window: status %d, want only 502 or 503", code)
		}
	}
	sa, _ := mustStats(t, p).Server("a")
	if sa.CheckStatus != "L4CON" || sa.Downs != 1 {
		t.Errorf("dead server: check %q (%s), downs %d; want L4CON, 1", sa.CheckStatus, sa.CheckDesc, sa.Downs)
	}
	for range 20 {
		if code, srv := get(t, c, p, "/feed"); code != 200 || srv != "b" {
			t.Fatalf("after DOWN: %d from %q, want 200 from b", code, srv)
		}
	}
	var down *haproxy.Change
	for _, l := range seen.all() {
		if ch := l.Change; ch != nil && ch.Server == "a" && ch.State == "DOWN" {
			down = ch
			if l.Time.Before(killed) {
				t.Errorf("a logged DOWN before it was killed: %q", l.Text)
			}
		}
	}
	if down == nil || down.Backend != haproxy.BackendName || down.Reason != "Layer4 connection problem" || down.Info != "Connection refused" {
		t.Errorf("the DOWN of a in the logs: %+v", down)
	}

	startBackend(t, "a", backends[0].Addr)
	waitFor(t, bound, "a UP again", func() bool { return serverState(t, p, "a") == "UP" })
	waitFor(t, 5*time.Second, "a's UP in the logs", func() bool {
		ls := seen.all()
		for i := len(ls) - 1; i >= 0; i-- {
			if ch := ls[i].Change; ch != nil && ch.Server == "a" {
				return ch.State == "UP"
			}
		}
		return false
	})
	served := map[string]int{}
	for range 10 {
		_, srv := get(t, c, p, "/feed")
		served[srv]++
	}
	if served["a"] == 0 {
		t.Errorf("a back UP but served none of 10: %v", served)
	}
}

// With a retry sent to another server, a dead one costs no request: the requests sent its way
// before the checks mark it DOWN are served by the live one.
func TestRedispatchHidesADeadServer(t *testing.T) {
	needHAProxy(t)
	a, _, backends := twoBackends(t)
	cfg := haproxy.Config{Dir: shortDir(t), Listen: freeAddr(t), Backends: backends,
		CheckInterval: 250 * time.Millisecond, Retries: 1, Redispatch: true}
	p := start(t, cfg)
	_, window := cfg.DetectionWindow()
	bound := window + 3*time.Second
	checked(t, p)
	a.kill()
	killed := time.Now()
	c := &http.Client{Timeout: 5 * time.Second}
	var slowest time.Duration
	for n := 0; serverState(t, p, "a") != "DOWN"; n++ {
		if time.Since(killed) > bound {
			t.Fatalf("a not DOWN %v after it died", bound)
		}
		t0 := time.Now()
		if code, srv := get(t, c, p, "/feed"); code != 200 || srv != "b" {
			t.Fatalf("request %d in the window: %d from %q, want 200 from b", n, code, srv)
		}
		slowest = max(slowest, time.Since(t0))
	}
	st, _ := mustStats(t, p).Server("a")
	if st.Redispatches == 0 {
		t.Error("no request sent to the dead server was redispatched")
	}
	t.Logf("%d requests redispatched; the slowest took %v (HAProxy waits before a retry)", st.Redispatches, slowest.Round(time.Millisecond))
}

// A backend that crashes under a request makes it a 502; with every backend DOWN, HAProxy
// answers 503 itself. The logs say which.
func TestCrashMidRequestIs502AndNoServerIs503(t *testing.T) {
	needHAProxy(t)
	a, b, backends := twoBackends(t)
	var seen logs
	cfg := haproxy.Config{Dir: shortDir(t), Listen: freeAddr(t), Backends: backends[:1],
		CheckInterval: 250 * time.Millisecond, OnLog: seen.add}
	p := start(t, cfg)
	b.kill()
	c := &http.Client{Timeout: 10 * time.Second}
	got := make(chan int, 1)
	go func() { code, _ := get(t, c, p, "/hang"); got <- code }()
	waitFor(t, 5*time.Second, "the request to reach the backend", func() bool {
		s, _ := mustStats(t, p).Server("a")
		return s.Current == 1
	})
	a.kill()
	if code := <-got; code != 502 {
		t.Fatalf("request in flight on a crashed backend: %d, want 502", code)
	}
	_, window := cfg.DetectionWindow()
	waitFor(t, window+3*time.Second, "a DOWN", func() bool { return serverState(t, p, "a") == "DOWN" })
	if code, _ := get(t, c, p, "/feed"); code != 503 {
		t.Fatalf("no backend UP: %d, want 503", code)
	}
	terms := map[string]string{}
	waitFor(t, 5*time.Second, "both requests logged", func() bool {
		for _, l := range seen.all() {
			if r := l.Request; r != nil {
				terms[r.Path] = fmt.Sprintf("%d %s %s", r.Status, r.Server, r.Termination[:2])
			}
		}
		return len(terms) == 2
	})
	if terms["/hang"] != "502 a SH" || terms["/feed"] != "503 <NOSRV> SC" {
		t.Errorf("logged %v, want /hang 502 from a (SH), /feed 503 with no server (SC)", terms)
	}
	if st := mustStats(t, p); st.Backend.Status != "DOWN" || st.Backend.Active != 0 || st.Frontend.Responses.R5xx != 2 {
		t.Errorf("backend %+v, frontend %+v", st.Backend, st.Frontend)
	}
}

// Through the runtime API a server is taken out of rotation and put back; a server name
// HAProxy does not know is an error.
func TestSetServerState(t *testing.T) {
	needHAProxy(t)
	_, _, backends := twoBackends(t)
	p := start(t, haproxy.Config{Dir: shortDir(t), Listen: freeAddr(t), Backends: backends})
	ctx := context.Background()
	if err := p.SetServerState(ctx, "a", haproxy.Maint); err != nil {
		t.Fatal(err)
	}
	if s := serverState(t, p, "a"); s != "MAINT" {
		t.Fatalf("a in maintenance: %s", s)
	}
	c := &http.Client{Timeout: 5 * time.Second}
	for range 6 {
		if code, srv := get(t, c, p, "/feed"); code != 200 || srv != "b" {
			t.Fatalf("a in maintenance: %d from %q, want 200 from b", code, srv)
		}
	}
	if err := p.SetServerState(ctx, "a", haproxy.Ready); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 5*time.Second, "a back in rotation", func() bool { return serverState(t, p, "a") == "UP" })
	if err := p.SetServerState(ctx, "nosuch", haproxy.Maint); err == nil {
		t.Error("an unknown server was accepted")
	}
}

// checked waits until each server has passed a health check. Until its first check a server
// counts as UP, but one failure marks it DOWN at once; from then on it takes Fall failures.
func checked(t *testing.T, p *haproxy.Proc) {
	t.Helper()
	waitFor(t, 10*time.Second, "a passed health check of each server", func() bool {
		for _, s := range mustStats(t, p).Servers {
			if s.CheckStatus != "L7OK" {
				return false
			}
		}
		return true
	})
}

func mustStats(t testing.TB, p *haproxy.Proc) haproxy.Stats {
	t.Helper()
	st, err := p.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// Close stops haproxy: no process, no socket, no pid file; a second Close is harmless.
func TestCloseLeavesNoProcess(t *testing.T) {
	needHAProxy(t)
	_, _, backends := twoBackends(t)
	dir := shortDir(t)
	addr := freeAddr(t)
	p := start(t, haproxy.Config{Dir: dir, Listen: addr, Backends: backends})
	pid := p.PID()
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if !gone(pid) {
		t.Fatalf("haproxy pid %d still runs after Close", pid)
	}
	for _, f := range []string{"haproxy.pid", "stats.sock", "log.sock"} {
		if _, err := os.Stat(filepath.Join(dir, f)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s left after Close: %v", f, err)
		}
	}
	if err := p.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := p.Stats(context.Background()); !errors.Is(err, haproxy.ErrClosed) {
		t.Errorf("Stats after Close: %v, want ErrClosed", err)
	}
	if err := feed.CheckAddr(addr); err != nil {
		t.Errorf("the port after Close: %v", err)
	}
	select {
	case <-p.Done():
		t.Errorf("Close closed Done: %v", p.Err())
	default:
	}
}

// A haproxy that its owner never stopped (the owner was killed, or lost track of it) is killed
// by the next Start in the same directory, which then serves the same port.
func TestStartKillsALeftover(t *testing.T) {
	needHAProxy(t)
	_, _, backends := twoBackends(t)
	defer haproxy.SetRestartCalm(0)() // the first Proc would start a crashed haproxy again at once
	cfg := haproxy.Config{Dir: shortDir(t), Listen: freeAddr(t), Backends: backends, Logf: t.Logf}
	first := start(t, cfg)
	leftover := first.PID()
	second := start(t, cfg)
	if !gone(leftover) {
		t.Fatalf("leftover haproxy pid %d still runs", leftover)
	}
	select {
	case <-first.Done():
		if !strings.Contains(first.Err().Error(), "taken over") {
			t.Errorf("the first Proc's haproxy is gone because %v, want taken over", first.Err())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the first Proc did not notice its haproxy was taken away")
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	c := &http.Client{Timeout: 5 * time.Second}
	if code, _ := get(t, c, second, "/feed"); code != 200 {
		t.Fatalf("the second haproxy: status %d", code)
	}
	if _, err := second.Stats(context.Background()); err != nil {
		t.Errorf("the old Proc's Close broke the new one's runtime API: %v", err)
	}
}

// A haproxy crashing under a running Proc is started again on the same port.
func TestCrashedHAProxyIsStartedAgain(t *testing.T) {
	needHAProxy(t)
	_, _, backends := twoBackends(t)
	restore := haproxy.SetRestartCalm(0)
	defer restore()
	p := start(t, haproxy.Config{Dir: shortDir(t), Listen: freeAddr(t), Backends: backends})
	old := p.PID()
	proc, _ := os.FindProcess(old)
	proc.Kill()
	waitFor(t, 15*time.Second, "a new haproxy", func() bool { return p.PID() != old })
	c := &http.Client{Timeout: 5 * time.Second}
	if code, _ := get(t, c, p, "/feed"); code != 200 {
		t.Fatalf("after the restart: status %d", code)
	}
}

// A busy port is a clear error, and nothing is left running.
func TestBusyPort(t *testing.T) {
	needHAProxy(t)
	_, _, backends := twoBackends(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	dir := shortDir(t)
	_, err = haproxy.Start(context.Background(), haproxy.Config{Dir: dir, Listen: ln.Addr().String(), Backends: backends})
	var inUse *feed.AddrInUseError
	if !errors.As(err, &inUse) || !strings.Contains(err.Error(), ln.Addr().String()+" is already in use") {
		t.Fatalf("Start on a busy port: %v, want an *feed.AddrInUseError naming it", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "haproxy.pid")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a pid file after a failed Start: %v", err)
	}
}

// Without a Dir, HAProxy's files go to a private directory of the data home.
func TestDefaultDirInTheDataHome(t *testing.T) {
	needHAProxy(t)
	_, _, backends := twoBackends(t)
	home := shortDir(t)
	t.Setenv("SCALELAB_HOME", home)
	p := start(t, haproxy.Config{Listen: freeAddr(t), Backends: backends})
	if want := filepath.Join(home, "haproxy"); p.Dir() != want {
		t.Fatalf("Dir = %s, want %s", p.Dir(), want)
	}
	files := map[string]os.FileMode{"": 0o700, "haproxy.cfg": 0o600, "haproxy.pid": 0o600, "haproxy.log": 0o600,
		"stats.sock": 0o600, "log.sock": 0o600}
	for name, mode := range files {
		fi, err := os.Stat(filepath.Join(p.Dir(), name))
		if err != nil {
			t.Error(err)
		} else if fi.Mode().Perm() != mode {
			t.Errorf("%s/%s: mode %v, want %v", p.Dir(), name, fi.Mode().Perm(), mode)
		}
	}
}

// Version reads the installed HAProxy's version, for doctor.
func TestVersion(t *testing.T) {
	needHAProxy(t)
	v, err := haproxy.Version(context.Background(), "")
	if err != nil || !strings.Contains(v, ".") {
		t.Fatalf("Version = %q, %v", v, err)
	}
}
