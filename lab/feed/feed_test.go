package feed_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"scalelab/lab/feed"
	"scalelab/lab/telemetry"
)

func checkFeed(t *testing.T, r reply) []feed.Post {
	t.Helper()
	if r.Status != 200 {
		t.Fatalf("GET /feed = %d %s", r.Status, r.Body)
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q", ct)
	}
	var ps []feed.Post
	if err := json.Unmarshal(r.Body, &ps); err != nil {
		t.Fatal(err)
	}
	if len(ps) != 20 {
		t.Fatalf("got %d posts, want 20", len(ps))
	}
	for i := 1; i < len(ps); i++ {
		if ps[i].CreatedAt.After(ps[i-1].CreatedAt) {
			t.Fatalf("posts not newest first at %d", i)
		}
	}
	return ps
}

func TestFeedBothPresets(t *testing.T) {
	url := seeded(t, 1000)
	for _, k := range []feed.Knobs{feed.Fixed(), feed.Broken()} {
		t.Run(k.Preset(), func(t *testing.T) {
			rec := telemetry.NewRecorder()
			s, base := start(t, url, k, rec)
			ps := checkFeed(t, doPatient(t, "GET", base+"/feed", nil))
			if ps[0].Content == "" || ps[0].UserID < 1 || ps[0].ID < 1 {
				t.Errorf("first post %+v", ps[0])
			}
			st := s.Stats(context.Background())
			if st.Preset != k.Preset() || st.Backends < 1 || st.MaxConnections < 1 || st.DBErr != "" {
				t.Errorf("stats %+v", st)
			}
			if k.SharedPool {
				if st.LivePools != 1 || st.Pool.MaxConns != 10 || st.Pool.Total < 1 {
					t.Errorf("fixed: stats %+v", st)
				}
			} else {
				// The per-request pools were closed after their request.
				if st.LivePools != 0 || st.PoolsCreated < 1 || st.Pool.NewConns != st.PoolsCreated {
					t.Errorf("broken: stats %+v", st)
				}
			}
			if snap := rec.Snapshot(); snap.Total.OK != 1 || snap.Total.Failed != snap.Total.ByCause[telemetry.ConnectTimeout] {
				t.Errorf("telemetry %+v", snap.Total)
			}
		})
	}
}

func TestCreatePost(t *testing.T) {
	url := seeded(t, 100)
	for _, k := range []feed.Knobs{feed.Fixed(), feed.Broken()} {
		t.Run(k.Preset(), func(t *testing.T) {
			_, base := start(t, url, k, nil)
			content := "hello from " + k.Preset()
			r := doPatient(t, "POST", base+"/posts", []byte(fmt.Sprintf(`{"user_id": 42, "content": %q}`, content)))
			if r.Status != 201 {
				t.Fatalf("POST /posts = %d %s", r.Status, r.Body)
			}
			var p feed.Post
			if err := json.Unmarshal(r.Body, &p); err != nil {
				t.Fatal(err)
			}
			if p.ID < 1 || p.UserID != 42 || p.Content != content || p.CreatedAt.IsZero() {
				t.Errorf("created %+v", p)
			}
			ps := checkFeed(t, doPatient(t, "GET", base+"/feed", nil))
			if ps[0].ID != p.ID {
				t.Errorf("newest post is %+v, want the one just created %+v", ps[0], p)
			}
		})
	}
}

func TestBadPosts(t *testing.T) {
	rec := telemetry.NewRecorder()
	_, base := start(t, seeded(t, 10), feed.Fixed(), rec)
	big := `{"user_id": 1, "content": "` + strings.Repeat("x", feed.MaxBody) + `"}`
	cases := []struct {
		name, body string
		status     int
		says       string
	}{
		{"malformed", `{"user_id": 1, "content": "hi"`, 400, "malformed JSON"},
		{"not json", `hello`, 400, "malformed JSON"},
		{"empty", ``, 400, "empty body"},
		{"missing user_id", `{"content": "hi"}`, 400, `missing field "user_id"`},
		{"missing content", `{"user_id": 1}`, 400, `missing field "content"`},
		{"user_id string", `{"user_id": "1", "content": "hi"}`, 400, `"user_id" must be an integer`},
		{"user_id float", `{"user_id": 1.5, "content": "hi"}`, 400, `"user_id" must be an integer`},
		{"content number", `{"user_id": 1, "content": 7}`, 400, `"content" must be a string`},
		{"user_id zero", `{"user_id": 0, "content": "hi"}`, 400, "between 1 and"},
		{"user_id too big", `{"user_id": 2147483648, "content": "hi"}`, 400, "between 1 and"},
		{"blank content", `{"user_id": 1, "content": "   "}`, 400, "must not be empty"},
		{"NUL in content", `{"user_id": 1, "content": "a\u0000b"}`, 400, "must not contain a NUL"},
		{"unknown field", `{"user_id": 1, "content": "hi", "admin": true}`, 400, "unknown field"},
		{"array", `[1, 2]`, 400, "must be a JSON object"},
		{"two objects", `{"user_id": 1, "content": "a"} {"user_id": 2, "content": "b"}`, 400, "extra data"},
		{"too large", big, 413, "larger than"},
		{"large whitespace tail", `{"user_id": 1, "content": "hi"}` + strings.Repeat(" ", feed.MaxBody), 413, "larger than"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := do(t, "POST", base+"/posts", []byte(c.body))
			if r.Status != c.status {
				t.Fatalf("status %d, want %d: %s", r.Status, c.status, r.Body)
			}
			m := r.errBody(t)
			if !strings.Contains(m["error"], c.says) {
				t.Errorf("error %q does not say %q", m["error"], c.says)
			}
			if m["cause"] != "client_error" {
				t.Errorf("cause %q", m["cause"])
			}
		})
	}
	snap := rec.Snapshot()
	if snap.Total.ByCause[telemetry.ClientError] != len(cases) || snap.Total.OK != 0 {
		t.Errorf("telemetry counted %+v", snap.Total)
	}
	// Wrong method and unknown path come from the router.
	if r := get(t, base+"/posts"); r.Status != 405 {
		t.Errorf("GET /posts = %d", r.Status)
	}
	if r := get(t, base+"/nope"); r.Status != 404 {
		t.Errorf("GET /nope = %d", r.Status)
	}
}

// POST bodies are JSON by their Content-Type too: anything else is a 415 that
// says which header to send, and nothing is stored.
func TestPostsWantJSONContentType(t *testing.T) {
	rec := telemetry.NewRecorder()
	_, base := start(t, seeded(t, 10), feed.Fixed(), rec)
	body := `{"user_id": 1, "content": "hi"}`
	for _, ct := range []string{"", "text/plain", "application/x-www-form-urlencoded", "application/json; charset=latin1", "application/json;;"} {
		t.Run(ct, func(t *testing.T) {
			req, err := http.NewRequest("POST", base+"/posts", strings.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			if ct != "" {
				req.Header.Set("Content-Type", ct)
			}
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			r := reply{resp.StatusCode, resp.Header, b}
			if r.Status != http.StatusUnsupportedMediaType {
				t.Fatalf("status %d, want 415: %s", r.Status, r.Body)
			}
			m := r.errBody(t)
			if !strings.Contains(m["error"], "Content-Type: application/json") || m["cause"] != "client_error" {
				t.Errorf("error body %s does not say which Content-Type to send", r.Body)
			}
		})
	}
	for _, ct := range []string{"application/json", "application/json; charset=utf-8", "Application/JSON; charset=UTF-8"} {
		req, _ := http.NewRequest("POST", base+"/posts", strings.NewReader(body))
		req.Header.Set("Content-Type", ct)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusCreated {
			t.Errorf("Content-Type %q: status %d, want 201", ct, resp.StatusCode)
		}
	}
}

func TestHealthAndMetrics(t *testing.T) {
	_, base := start(t, seeded(t, 100), feed.Fixed(), nil)
	r := get(t, base+"/health")
	if r.Status != 200 || !strings.Contains(string(r.Body), `"database":"up"`) ||
		!strings.Contains(string(r.Body), `"index":false`) || !strings.Contains(string(r.Body), `"preset":"fixed"`) ||
		!strings.Contains(string(r.Body), `"rows":100`) {
		t.Fatalf("health %d %s", r.Status, r.Body)
	}
	get(t, base+"/feed")
	do(t, "POST", base+"/posts", []byte(`{}`))
	m := get(t, base+"/metrics")
	if m.Status != 200 {
		t.Fatalf("metrics %d", m.Status)
	}
	for _, want := range []string{
		`scalelab_http_requests_total{route="/feed",status="200"} 1`,
		`scalelab_http_requests_total{route="/posts",status="400"} 1`,
		`scalelab_http_failures_total{cause="client_error",route="/posts"} 1`,
		`scalelab_http_request_duration_seconds_bucket{route="/feed",le="+Inf"} 1`,
		`scalelab_pool_max_conns 10`,
		`scalelab_pool_total_conns 1`,
		`scalelab_postgres_up 1`,
		`scalelab_postgres_backends{kind="api"} 1`,
		`scalelab_postgres_max_connections`,
		`go_goroutines`,
	} {
		if !strings.Contains(string(m.Body), want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
}

func TestListenBusyPort(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	addr := ln.Addr().String()
	s := feed.New(seeded(t, 1), feed.Fixed(), nil)
	defer s.Close()
	err = s.Listen(addr)
	if !errors.Is(err, feed.ErrAddrInUse) {
		t.Fatalf("Listen on a busy port = %v, want ErrAddrInUse", err)
	}
	var e *feed.AddrInUseError
	if !errors.As(err, &e) || e.Addr != addr {
		t.Fatalf("Listen on a busy port = %#v, want an *AddrInUseError for %s", err, addr)
	}
	if p, s := port(t, addr), port(t, e.Suggest); s <= p || s > p+10 {
		t.Errorf("suggests %s for %s", e.Suggest, addr)
	}
	want := fmt.Sprintf("%s is already in use: stop the other program or pass --addr %s", addr, e.Suggest)
	if err.Error() != want {
		t.Errorf("error %q, want %q", err, want)
	}
	if err := feed.CheckAddr(addr); !errors.Is(err, feed.ErrAddrInUse) || err.Error() != want {
		t.Errorf("CheckAddr on a busy port = %v", err)
	}
	if err := feed.CheckAddr("127.0.0.1:0"); err != nil {
		t.Errorf("CheckAddr on a free port = %v", err)
	}
}

func TestCloseIdempotent(t *testing.T) {
	s, base := start(t, seeded(t, 30), feed.Fixed(), nil)
	checkFeed(t, get(t, base+"/feed"))
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := client.Get(base + "/feed"); err == nil {
		t.Error("server still answers after Close")
	}
	if err := s.SetKnobs(context.Background(), feed.Broken()); !errors.Is(err, feed.ErrClosed) {
		t.Errorf("SetKnobs after Close = %v", err)
	}
}

func TestBadURLAndKnobs(t *testing.T) {
	s := feed.New("postgres://x:y@127.0.0.1:1/db?sslmode=bogus", feed.Fixed(), nil)
	defer s.Close()
	if err := s.Listen("127.0.0.1:0"); err == nil || !strings.Contains(err.Error(), "invalid database URL") {
		t.Errorf("Listen with a bad URL = %v", err)
	}
	k := feed.Fixed()
	k.MaxConns = 0
	if err := k.Validate(); !errors.Is(err, feed.ErrBadKnobs) {
		t.Errorf("Validate MaxConns 0 = %v", err)
	}
}

func TestPresets(t *testing.T) {
	if feed.Broken().Preset() != "broken" || feed.Fixed().Preset() != "fixed" {
		t.Fatal("preset names")
	}
	k := feed.Fixed()
	k.SlowQuery = 500 * time.Millisecond
	if k.Preset() != "custom" {
		t.Errorf("fixed + slow query is %q", k.Preset())
	}
	b := feed.Broken()
	if b.SharedPool || b.MaxConns != 1 || b.ConnectTimeout != 150*time.Millisecond || !b.ClosePerRequest || b.SlowQuery != 500*time.Millisecond {
		t.Errorf("broken %+v", b)
	}
	f := feed.Fixed()
	if !f.SharedPool || f.MaxConns != 10 || f.ConnectTimeout != 2*time.Second || f.SlowQuery != 0 {
		t.Errorf("fixed %+v", f)
	}
	if _, err := feed.ParsePreset("fast"); !errors.Is(err, feed.ErrUnknownPreset) {
		t.Errorf("ParsePreset(fast) = %v", err)
	}
}

func TestSourceIsTheRunningCode(t *testing.T) {
	for _, name := range feed.SourceFiles {
		b, err := fs.ReadFile(feed.Source, name)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(string(b), "package feed") {
			t.Errorf("%s does not look like Go source", name)
		}
		// The learner reads these files: their comments point at what the
		// learner has seen, not at a Node.js original they never see.
		for _, foreign := range []string{"server.js", "db.end()", "connectionTimeoutMillis", "node-postgres"} {
			if strings.Contains(string(b), foreign) {
				t.Errorf("%s mentions %q, which the learner never sees", name, foreign)
			}
		}
	}
	b, _ := fs.ReadFile(feed.Source, "connect_per_request.go")
	if !strings.Contains(string(b), "func getDbConnection(") {
		t.Error("connect_per_request.go lacks getDbConnection")
	}
}

// concurrently runs n GET /feed at once and returns their replies.
func concurrently(t *testing.T, url string, n int) []reply {
	out := make([]reply, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out[i] = get(t, url)
		}()
	}
	wg.Wait()
	return out
}

// Crash ends the server as a crashed process ends: a request in flight gets no answer at all
// (a connection error, never a status), and the port no longer accepts connections.
func TestCrashDropsRequestsInFlight(t *testing.T) {
	k := feed.Fixed()
	k.SlowQuery = 10 * time.Second // the request stays in flight until the crash
	srv, base := start(t, seeded(t, 50), k, nil)
	errc := make(chan error, 1)
	go func() {
		resp, err := http.Get(base + "/feed")
		if err == nil {
			resp.Body.Close()
			errc <- fmt.Errorf("answered %d", resp.StatusCode)
			return
		}
		errc <- nil
	}()
	eventually(t, "a request in flight", func() bool {
		p, _ := srv.PoolStats()
		return p.Acquired > 0
	})
	srv.Crash()
	if err := <-errc; err != nil {
		t.Errorf("the request in flight: %v, want a connection error", err)
	}
	if c, err := net.Dial("tcp", strings.TrimPrefix(base, "http://")); err == nil {
		c.Close()
		t.Error("the crashed server's port accepts connections")
	}
	srv.Close() // after Crash: nothing more to do, and no hang
}
