package loadbalancing

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"sync"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// sessionCookie is the cookie POST /login sets and GET /me/feed reads.
const sessionCookie = "session"

// sessionStore is where a replica looks up who a session belongs to.
type sessionStore interface {
	// Create starts a session for user and returns its id.
	Create(ctx context.Context, user int) (string, error)
	// User is the user of session id; ok is false when the store does not know it.
	User(ctx context.Context, id string) (user int, ok bool, err error)
	// Len is how many sessions the store holds.
	Len(ctx context.Context) int
}

// memorySessions is the store as shipped: a map in this replica's memory. Another replica has
// its own map and knows none of these sessions; a crash or a restart empties it.
type memorySessions struct {
	mu sync.Mutex
	m  map[string]int
}

func newMemorySessions() *memorySessions { return &memorySessions{m: map[string]int{}} }

func (s *memorySessions) Create(_ context.Context, user int) (string, error) {
	id, err := newSessionID()
	if err != nil {
		return "", err
	}
	s.mu.Lock()
	s.m[id] = user
	s.mu.Unlock()
	return id, nil
}

func (s *memorySessions) User(_ context.Context, id string) (int, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	user, ok := s.m[id]
	return user, ok, nil
}

func (s *memorySessions) Len(context.Context) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.m)
}

// Fix B: the sessions live in PostgreSQL, which every replica reads. Any replica serves any
// user, and a replica that crashes loses nothing.
const (
	sessionsSchema = `CREATE TABLE IF NOT EXISTS sessions (
    id         text        PRIMARY KEY,
    user_id    integer     NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
)`
	insertSession = `INSERT INTO sessions (id, user_id) VALUES ($1, $2)`
	selectSession = `SELECT user_id FROM sessions WHERE id = $1`
	countSessions = `SELECT count(*) FROM sessions`
)

// tableSessions is Fix B's store: the sessions table, through the replica's own pool.
type tableSessions struct{ db *pgxpool.Pool }

func (s tableSessions) Create(ctx context.Context, user int) (string, error) {
	id, err := newSessionID()
	if err != nil {
		return "", err
	}
	_, err = s.db.Exec(ctx, insertSession, id, user)
	return id, err
}

func (s tableSessions) User(ctx context.Context, id string) (int, bool, error) {
	var user int
	err := s.db.QueryRow(ctx, selectSession, id).Scan(&user)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, false, nil
	}
	return user, err == nil, err
}

func (s tableSessions) Len(ctx context.Context) int {
	var n int
	if s.db.QueryRow(ctx, countSessions).Scan(&n) != nil {
		return 0
	}
	return n
}

// newSessionID is 16 random bytes in hex: a session id nobody can guess.
func newSessionID() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}

// login handles POST /login {"user": 42}: it starts a session in this replica's store and
// sets the session cookie.
func (r *replicaRun) login(w http.ResponseWriter, req *http.Request) {
	var body struct {
		User int `json:"user"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, req.Body, 1<<10)).Decode(&body); err != nil || body.User <= 0 {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": `send {"user": <a positive id>}`})
		return
	}
	id, err := r.store.Create(req.Context(), body.User)
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "could not start a session: " + err.Error()})
		return
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: id, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode})
	r.seen(body.User)
	writeJSON(w, http.StatusOK, map[string]any{"user": body.User, "replica": r.name})
}

// myFeed handles GET /me/feed: the feed of the user whose session the cookie names. A
// session this replica's store does not know is a 401: to this replica, the user is logged out.
func (r *replicaRun) myFeed(w http.ResponseWriter, req *http.Request) {
	c, err := req.Cookie(sessionCookie)
	if err != nil {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "not logged in: POST /login first"})
		return
	}
	user, ok, err := r.store.User(req.Context(), c.Value)
	switch {
	case err != nil:
		writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "could not read the session: " + err.Error()})
		return
	case !ok:
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "logged out: " + r.name + " does not know this session"})
		return
	}
	r.seen(user)
	posts, err := r.feed(req.Context())
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "could not read the feed: " + err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"user": user, "replica": r.name, "posts": posts})
}
