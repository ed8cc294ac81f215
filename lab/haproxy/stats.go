package haproxy

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Responses counts HTTP responses by class.
type Responses struct {
	R1xx, R2xx, R3xx, R4xx, R5xx, Other int64
}

// Server is one backend server as HAProxy sees it.
type Server struct {
	Name string
	Addr string

	// Status is HAProxy's: "UP", "DOWN", "MAINT", "DRAIN", "NOLB", "no check"; while checks
	// move a server from one to the other it is "UP 1/2" (up, one failed check of the two
	// that mark it DOWN) or "DOWN 1/2". State is its first word, Transition the rest.
	Status     string
	State      string
	Transition string

	CheckStatus   string        // the last check's result: L7OK, L4CON (connection refused), L4TOUT, L7STS (bad status) ...; "* " prefixed while a check runs
	CheckDesc     string        // the same in words ("Layer7 check passed")
	CheckCode     int           // the HTTP status of the last check, 0 without one
	CheckDuration time.Duration // the last check's duration
	LastChange    time.Duration // since the last UP<->DOWN transition (whole seconds)
	ChecksFailed  int64         // failed checks while the server was up (chkfail)
	Downs         int64         // UP->DOWN transitions (chkdown)
	Downtime      time.Duration // total time DOWN (whole seconds)

	Current  int   // sessions (requests in HTTP) being served now (scur)
	Total    int64 // sessions since the process started (stot); one per request in HTTP mode
	Selected int64 // times the balancer picked this server (lbtot)
	Rate     int   // new sessions per second over the last second: the server's request rate

	Responses       Responses
	ConnErrors      int64         // failed connections to the server (econ)
	ResponseErrors  int64         // responses that failed (eresp), aborts by the server included
	ServerAborts    int64         // data transfers aborted by the server (srv_abrt)
	Retries         int64         // connection retries (wretr)
	Redispatches    int64         // requests sent to another server after failures (wredis)
	AvgResponseTime time.Duration // over the last 1024 requests (rtime)
}

// Frontend is the listener's totals.
type Frontend struct {
	Status        string // "OPEN" while it listens
	Current       int    // client sessions now (scur)
	Total         int64  // client sessions (connections) since the process started (stot)
	Requests      int64  // HTTP requests received (req_tot)
	RequestRate   int    // HTTP requests per second over the last second (req_rate)
	RequestErrors int64  // bad requests (ereq)
	Responses     Responses
}

// BackendTotals is the backend's line: all servers together.
type BackendTotals struct {
	Status     string // "UP" while any server is, else "DOWN"
	Active     int    // servers UP (act)
	Current    int
	Total      int64
	Rate       int
	Responses  Responses
	ConnErrors int64
	Downtime   time.Duration // time with no server UP
}

// Stats is one reading of `show stat`.
type Stats struct {
	Time     time.Time // when it was read
	PID      int       // the haproxy process that answered
	Frontend Frontend
	Backend  BackendTotals
	Servers  []Server // in the configuration's order
}

// Server returns the server named name.
func (s Stats) Server(name string) (Server, bool) {
	for _, sv := range s.Servers {
		if sv.Name == name {
			return sv, true
		}
	}
	return Server{}, false
}

// Stats reads the counters of the running haproxy through its runtime API.
func (p *Proc) Stats(ctx context.Context) (Stats, error) {
	out, err := p.Command(ctx, "show stat")
	if err != nil {
		return Stats{}, err
	}
	st, err := parseStats(out)
	if err != nil {
		return Stats{}, err
	}
	st.PID = p.PID()
	return st, nil
}

// AdminState is what SetServerState asks for.
type AdminState string

// The states a server can be put in through the runtime API.
const (
	Ready AdminState = "ready" // back in rotation (checks decide UP or DOWN)
	Drain AdminState = "drain" // no new users (sticky ones stay), requests in flight finish
	Maint AdminState = "maint" // out of rotation, checks stopped
)

// SetServerState sets a server's administrative state (`set server replicas/<name> state ...`).
func (p *Proc) SetServerState(ctx context.Context, server string, st AdminState) error {
	if !nameRE.MatchString(server) {
		return fmt.Errorf("haproxy: server name %q", server)
	}
	switch st {
	case Ready, Drain, Maint:
	default:
		return fmt.Errorf("haproxy: server state %q: want ready, drain or maint", st)
	}
	out, err := p.Command(ctx, fmt.Sprintf("set server %s/%s state %s", BackendName, server, st))
	if err != nil {
		return err
	}
	if msg := strings.TrimSpace(out); msg != "" {
		return fmt.Errorf("haproxy: set server %s state %s: %s", server, st, msg)
	}
	return nil
}

// Command sends one command to the runtime API (stats.sock) and returns its answer. Without a
// deadline in ctx it gives up after 5 seconds. After Close it is ErrClosed.
func (p *Proc) Command(ctx context.Context, cmd string) (string, error) {
	p.mu.Lock()
	closed := p.closed
	p.mu.Unlock()
	if closed {
		return "", ErrClosed
	}
	if strings.ContainsAny(cmd, "\n;") {
		return "", fmt.Errorf("haproxy: one command at a time: %q", cmd)
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, "unix", filepath.Join(p.dir, statsSock))
	if err != nil {
		return "", fmt.Errorf("haproxy runtime API: %w", err)
	}
	defer conn.Close()
	dl, _ := ctx.Deadline()
	conn.SetDeadline(dl)
	if _, err := io.WriteString(conn, cmd+"\n"); err != nil {
		return "", fmt.Errorf("haproxy runtime API: %w", err)
	}
	b, err := io.ReadAll(conn)
	if err != nil {
		return "", fmt.Errorf("haproxy runtime API: %s: %w", cmd, err)
	}
	return string(b), nil
}

// parseStats reads `show stat` CSV: a header line "# pxname,svname,..." then one line per
// frontend, backend and server. Columns are found by name, so fields added by newer HAProxy
// versions do not matter.
func parseStats(out string) (Stats, error) {
	out, ok := strings.CutPrefix(out, "# ")
	if !ok {
		return Stats{}, fmt.Errorf("haproxy: show stat: not CSV: %q", firstLine(out))
	}
	r := csv.NewReader(strings.NewReader(out))
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	header, err := r.Read()
	if err != nil {
		return Stats{}, fmt.Errorf("haproxy: show stat: %w", err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[h] = i
	}
	st := Stats{Time: time.Now()}
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return Stats{}, fmt.Errorf("haproxy: show stat: %w", err)
		}
		row := statRow{rec, col}
		switch {
		case row.s("pxname") == FrontendName && row.s("svname") == "FRONTEND":
			st.Frontend = Frontend{
				Status: row.s("status"), Current: row.n("scur"), Total: row.n64("stot"),
				Requests: row.n64("req_tot"), RequestRate: row.n("req_rate"),
				RequestErrors: row.n64("ereq"), Responses: row.responses(),
			}
		case row.s("pxname") != BackendName:
		case row.s("svname") == "BACKEND":
			st.Backend = BackendTotals{
				Status: row.s("status"), Active: row.n("act"), Current: row.n("scur"),
				Total: row.n64("stot"), Rate: row.n("rate"), Responses: row.responses(),
				ConnErrors: row.n64("econ"), Downtime: row.secs("downtime"),
			}
		default:
			st.Servers = append(st.Servers, row.server())
		}
	}
	return st, nil
}

type statRow struct {
	rec []string
	col map[string]int
}

func (r statRow) s(name string) string {
	i, ok := r.col[name]
	if !ok || i >= len(r.rec) {
		return ""
	}
	return r.rec[i]
}

func (r statRow) n64(name string) int64 { v, _ := strconv.ParseInt(r.s(name), 10, 64); return v }
func (r statRow) n(name string) int     { return int(r.n64(name)) }
func (r statRow) secs(name string) time.Duration {
	return time.Duration(r.n64(name)) * time.Second
}

func (r statRow) responses() Responses {
	return Responses{
		R1xx: r.n64("hrsp_1xx"), R2xx: r.n64("hrsp_2xx"), R3xx: r.n64("hrsp_3xx"),
		R4xx: r.n64("hrsp_4xx"), R5xx: r.n64("hrsp_5xx"), Other: r.n64("hrsp_other"),
	}
}

func (r statRow) server() Server {
	status := r.s("status")
	state, transition, _ := strings.Cut(status, " ")
	if status == "no check" {
		state, transition = status, ""
	}
	return Server{
		Name: r.s("svname"), Addr: r.s("addr"),
		Status: status, State: state, Transition: transition,
		CheckStatus: r.s("check_status"), CheckDesc: r.s("check_desc"), CheckCode: r.n("check_code"),
		CheckDuration: time.Duration(r.n64("check_duration")) * time.Millisecond,
		LastChange:    r.secs("lastchg"), ChecksFailed: r.n64("chkfail"), Downs: r.n64("chkdown"),
		Downtime: r.secs("downtime"),
		Current:  r.n("scur"), Total: r.n64("stot"), Selected: r.n64("lbtot"), Rate: r.n("rate"),
		Responses: r.responses(), ConnErrors: r.n64("econ"), ResponseErrors: r.n64("eresp"),
		ServerAborts: r.n64("srv_abrt"), Retries: r.n64("wretr"), Redispatches: r.n64("wredis"),
		AvgResponseTime: time.Duration(r.n64("rtime")) * time.Millisecond,
	}
}
