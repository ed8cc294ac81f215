package loadbalancing

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"scalelab/lab/feed"
	"scalelab/sql"
)

// replicaPoolSize is each replica's connection pool: 8 replicas of it stay well inside the
// private cluster's max_connections.
const replicaPoolSize = 8

// activeWindow is how recently a user must have been served by a replica to count as one of
// its users (kill-replica picks the replica serving the most).
const activeWindow = 3 * time.Second

// replica is one copy of the API: its name, its port (fixed at its first start, so HAProxy
// finds it again after a bring-back) and its counters. run is the server now running, nil
// while it is killed.
type replica struct {
	n    int    // 1-based
	name string // "replica-1": its name in HAProxy (stats, logs, the sticky cookie)
	addr string

	mu     sync.Mutex
	run    *replicaRun
	killed bool
	users  map[int]time.Time // user -> when this replica last served them

	requests atomic.Int64 // requests served since the lab started
}

// replicaRun is one life of a replica, from a start to its crash or stop: as a process would,
// it has its own listener, its own pool and (as shipped) its own sessions in memory.
type replicaRun struct {
	*replica
	store sessionStore
	db    *pgxpool.Pool
	srv   *http.Server
	ln    net.Listener
	done  chan struct{} // closed when Serve returned
}

// post is one post of a feed, as the API sends it.
type post struct {
	ID        int64     `json:"id"`
	UserID    int       `json:"user_id"`
	Content   string    `json:"content"`
	CreatedAt time.Time `json:"created_at"`
}

// start starts a life of r on its port (any free one at the first start) with its own pool
// on dbURL and, with shared, the sessions table as its store.
func (r *replica) start(ctx context.Context, dbURL string, shared bool) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.run != nil {
		return nil
	}
	addr := r.addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("%s: listen on %s: %w", r.name, addr, err)
	}
	db, err := openReplicaPool(ctx, dbURL, r.name)
	if err != nil {
		ln.Close()
		return fmt.Errorf("%s: %w", r.name, err)
	}
	run := &replicaRun{replica: r, db: db, ln: ln, done: make(chan struct{})}
	if shared {
		run.store = tableSessions{db: db}
	} else {
		run.store = newMemorySessions()
	}
	run.srv = &http.Server{Handler: run.routes(), ReadHeaderTimeout: 10 * time.Second, IdleTimeout: time.Minute}
	r.addr, r.run, r.killed = ln.Addr().String(), run, false
	r.users = map[int]time.Time{}
	go func() {
		defer close(run.done)
		run.srv.Serve(ln)
	}()
	return nil
}

// openReplicaPool is a replica's own pool on the lab's database.
func openReplicaPool(ctx context.Context, dbURL, name string) (*pgxpool.Pool, error) {
	pc, err := pgxpool.ParseConfig(dbURL)
	if err != nil {
		return nil, fmt.Errorf("invalid database URL: %w", err)
	}
	pc.MaxConns = replicaPoolSize
	pc.ConnConfig.RuntimeParams["application_name"] = "scalelab-" + name
	return pgxpool.NewWithConfig(ctx, pc)
}

// crash stops r the way a crashed process stops: the listener and every connection close at
// once, requests in flight included (their clients get no answer), and the sessions in its
// memory are gone. It reports false when r was not running.
func (r *replica) crash() bool {
	r.mu.Lock()
	run := r.run
	r.run, r.killed = nil, run != nil || r.killed
	r.mu.Unlock()
	if run == nil {
		return false
	}
	run.srv.Close()
	<-run.done
	go run.db.Close() // waits for the handlers still holding a connection
	return true
}

// stop stops r cleanly: requests in flight get up to 5 s to finish.
func (r *replica) stop() {
	r.mu.Lock()
	run := r.run
	r.run = nil
	r.mu.Unlock()
	if run == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if run.srv.Shutdown(ctx) != nil {
		run.srv.Close()
	}
	<-run.done
	run.db.Close()
}

// isKilled tells whether r was crashed and not brought back.
func (r *replica) isKilled() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.killed
}

// current is r's life now, or nil.
func (r *replica) current() *replicaRun {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.run
}

// seen notes that r just served user.
func (r *replica) seen(user int) {
	r.mu.Lock()
	r.users[user] = time.Now()
	r.mu.Unlock()
}

// activeUsers is how many users r served in the last activeWindow.
func (r *replica) activeUsers() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n, since := 0, time.Now().Add(-activeWindow)
	for u, at := range r.users {
		if at.After(since) {
			n++
		} else {
			delete(r.users, u)
		}
	}
	return n
}

// sessions is how many sessions r's store holds now (-1 while r is down).
func (r *replica) sessions(ctx context.Context) int {
	run := r.current()
	if run == nil {
		return -1
	}
	return run.store.Len(ctx)
}

// routes are the replica's endpoints.
func (r *replicaRun) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /health", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok", "replica": r.name})
	})
	mux.HandleFunc("GET /feed", r.publicFeed)
	mux.HandleFunc("POST /login", r.login)
	mux.HandleFunc("GET /me/feed", r.myFeed)
	mux.HandleFunc("GET /metrics", r.metrics)
	return r.count(mux)
}

// count counts every request but the health checks and names the replica in a header.
func (r *replicaRun) count(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.URL.Path != "/health" {
			r.requests.Add(1)
		}
		w.Header().Set("X-Replica", r.name)
		next.ServeHTTP(w, req)
	})
}

// publicFeed handles GET /feed: the newest posts, for anyone.
func (r *replicaRun) publicFeed(w http.ResponseWriter, req *http.Request) {
	posts, err := r.feed(req.Context())
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "could not read the feed: " + err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, posts)
}

// feed reads the 20 newest posts (Scenario 1's query, with its index).
func (r *replicaRun) feed(ctx context.Context) ([]post, error) {
	rows, err := r.db.Query(ctx, sql.FeedQuery)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make([]post, 0, 20)
	for rows.Next() {
		var p post
		if err := rows.Scan(&p.ID, &p.UserID, &p.Content, &p.CreatedAt); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// metrics handles GET /metrics: the replica's own figures.
func (r *replicaRun) metrics(w http.ResponseWriter, req *http.Request) {
	st := r.db.Stat()
	writeJSON(w, http.StatusOK, map[string]any{
		"replica": r.name, "requests": r.requests.Load(), "sessions": r.store.Len(req.Context()),
		"active_users": r.activeUsers(), "pool": map[string]int32{"in_use": st.AcquiredConns(), "open": st.TotalConns(), "max": st.MaxConns()},
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// listenFree is addr, or when its port is 0 or taken, the first free port of the ten after it
// (a port of the system's choosing for port 0).
func listenFree(addr string) (string, error) {
	a, err := feed.NextFreeAddr(addr, 10)
	if err != nil {
		return "", err
	}
	if _, port, _ := net.SplitHostPort(a); port != "0" {
		return a, nil
	}
	ln, err := net.Listen("tcp", a)
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}
