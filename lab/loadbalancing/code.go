package loadbalancing

import (
	"embed"
	"io/fs"

	"scalelab/lab"
)

// source is the code the replicas run, for the code view: the session handlers and stores
// first, then the server around them.
//
//go:embed sessions.go replica.go
var source embed.FS

func (l *lbLab) Code() (fs.FS, []string) { return source, []string{"sessions.go", "replica.go"} }

// Highlights marks the session store the replicas use now (stickiness, Fix A, lives in
// HAProxy's configuration, not in this code).
func (l *lbLab) Highlights() map[string][]string {
	l.mu.Lock()
	set := l.set
	l.mu.Unlock()
	if set.shared {
		return map[string][]string{"sessions.go": {"s.db.QueryRow(ctx, selectSession, id)", "s.db.Exec(ctx, insertSession, id, user)"},
			"replica.go": {"run.store = tableSessions{db: db}"}}
	}
	return map[string][]string{"sessions.go": {"s.m[id] = user", "user, ok := s.m[id]"}, "replica.go": {"run.store = newMemorySessions()"}}
}

var _ lab.CodeViewer = (*lbLab)(nil)
