package feed_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"scalelab/lab/feed"
	"scalelab/lab/pg/pgtest"
	"scalelab/lab/posts"
	"scalelab/lab/telemetry"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// seeded returns the URL of a fresh database with rows posts.
func seeded(t testing.TB, rows int) string {
	t.Helper()
	url := pgtest.NewDatabase(t)
	seedURL(t, url, rows)
	return url
}

func seedURL(t testing.TB, url string, rows int) {
	t.Helper()
	db, err := pgxpool.New(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := posts.Setup(context.Background(), db, rows, nil); err != nil {
		t.Fatal(err)
	}
}

// start serves a feed API on 127.0.0.1:0 and returns it with its base URL.
func start(t testing.TB, dbURL string, k feed.Knobs, rec *telemetry.Recorder) (*feed.Server, string) {
	t.Helper()
	s := feed.New(dbURL, k, rec)
	if err := s.Listen("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, "http://" + s.Addr()
}

var client = &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 200}}

type reply struct {
	Status int
	Header http.Header
	Body   []byte
}

func (r reply) errBody(t testing.TB) map[string]string {
	t.Helper()
	var m map[string]string
	if err := json.Unmarshal(r.Body, &m); err != nil {
		t.Fatalf("error body is not a JSON object: %q", r.Body)
	}
	if m["error"] == "" {
		t.Fatalf("error body without an error: %q", r.Body)
	}
	return m
}

func do(t testing.TB, method, url string, body []byte) reply {
	t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return reply{resp.StatusCode, resp.Header, b}
}

func get(t testing.TB, url string) reply { t.Helper(); return do(t, "GET", url, nil) }

// eventually polls cond every 50ms until it holds or 60s pass (a bound, not a timing assertion).
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("gave up waiting: %s", what)
}

// doPatient is do, retried (up to 20 times) while the answer is a connect
// timeout: the broken preset's 150 ms to connect is tight on a busy machine
// (or under -race), and one slow connection must not fail a functional test.
func doPatient(t testing.TB, method, url string, body []byte) reply {
	t.Helper()
	var r reply
	for range 20 {
		r = do(t, method, url, body)
		if r.Header.Get("X-Scalelab-Cause") != "connect_timeout" {
			break
		}
	}
	return r
}
