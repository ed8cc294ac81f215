package haproxy

import (
	"errors"
	"fmt"
	"net"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Log is one line HAProxy logged.
type Log struct {
	Time    time.Time   // when this process received it
	Text    string      // the line as HAProxy sent it
	Request *RequestLog // the parsed fields of a request's line, else nil
	Change  *Change     // the parsed fields of a server's state change, else nil
}

// Change is a server going UP or DOWN, as HAProxy logs it when the health checks (or the
// runtime API) change its state.
type Change struct {
	Backend, Server string
	State           string // "UP", "DOWN" or "MAINT"
	Reason          string // "Layer4 connection problem", "Layer7 check passed", ...; "" for maintenance
	Info            string // the check's detail, e.g. "Connection refused"; often ""
}

var (
	changeRE = regexp.MustCompile(`^Server ([^/\s]+)/(\S+) is (?:going )?(UP|DOWN)\b`)
	reasonRE = regexp.MustCompile(`reason: ([^,.]+)`)
	infoRE   = regexp.MustCompile(`info: "([^"]*)"`)
)

// parseChange reads a state change line ("Server replicas/a is DOWN, reason: Layer4 connection
// problem, info: \"Connection refused\", ..."); ok is false for any other line.
func parseChange(text string) (c Change, ok bool) {
	m := changeRE.FindStringSubmatch(text)
	if m == nil {
		return Change{}, false
	}
	c = Change{Backend: m[1], Server: m[2], State: m[3]}
	if c.State == "DOWN" && strings.Contains(text, "maintenance") {
		c.State = "MAINT"
	}
	if r := reasonRE.FindStringSubmatch(text); r != nil {
		c.Reason = strings.TrimSpace(r[1])
	}
	if i := infoRE.FindStringSubmatch(text); i != nil {
		c.Info = i[1]
	}
	return c, true
}

// RequestLog is what HAProxy logs of one request once it ended.
type RequestLog struct {
	Client   string // ip:port
	Frontend string
	Backend  string
	Server   string // the backend server that served it; "<NOSRV>" when none could (a 503 with every server DOWN)
	Status   int    // the status sent to the client; -1 when none was (the client went away)

	// Queue, Connect, Response and Active are HAProxy's timers Tw, Tc, Tr and Ta: waiting for a
	// server, connecting to it, waiting for its response headers, and the whole request. -1 (as
	// HAProxy writes it) means the phase was never reached.
	Queue, Connect, Response, Active time.Duration

	// Termination is HAProxy's termination state with cookie status (%tsc), "----" for a
	// request that ended normally. Its first letter says who ended it (C client, S server,
	// P proxy, ...), the second in which phase (R request, Q queue, C connect, H headers, D data).
	// "SC--" is a server that refused the connection; "SH--" one that closed it before answering.
	Termination string
	Retries     int // connection retries (HAProxy's %rc)
	Method      string
	Path        string
}

// parseLog reads a line of logFormat; ok is false for any other line.
func parseLog(text string) (r RequestLog, ok bool) {
	f := strings.Fields(text)
	if len(f) != 14 || f[0] != "req" {
		return RequestLog{}, false
	}
	r = RequestLog{Client: f[1], Frontend: f[2], Backend: f[3], Server: f[4], Termination: f[10], Method: f[12], Path: f[13]}
	var err error
	if r.Status, err = strconv.Atoi(f[5]); err != nil {
		return RequestLog{}, false
	}
	for i, d := range []*time.Duration{&r.Queue, &r.Connect, &r.Response, &r.Active} {
		ms, err := strconv.Atoi(f[6+i])
		if err != nil {
			return RequestLog{}, false
		}
		if ms < 0 {
			*d = -1
		} else {
			*d = time.Duration(ms) * time.Millisecond
		}
	}
	if r.Retries, err = strconv.Atoi(strings.TrimPrefix(f[11], "+")); err != nil {
		return RequestLog{}, false
	}
	return r, true
}

// logReader receives HAProxy's log datagrams on a unix socket.
type logReader struct {
	conn    *net.UnixConn
	path    string
	file    os.FileInfo // the socket as bound, to remove it only while it is still this one
	handler atomic.Pointer[func(Log)]
	done    chan struct{}
	once    sync.Once
}

// openLogs listens on path (a stale socket there is replaced) and hands each line to onLog.
func openLogs(path string, onLog func(Log)) (*logReader, error) {
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("haproxy: %w", err)
	}
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		return nil, fmt.Errorf("haproxy: the log socket: %w", err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		conn.Close()
		return nil, fmt.Errorf("haproxy: %w", err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("haproxy: %w", err)
	}
	conn.SetReadBuffer(4 << 20) // a burst of requests must not overflow it while a handler runs
	l := &logReader{conn: conn, path: path, file: fi, done: make(chan struct{})}
	l.setHandler(onLog)
	go l.read()
	return l, nil
}

func (l *logReader) setHandler(onLog func(Log)) {
	if onLog == nil {
		l.handler.Store(nil)
		return
	}
	l.handler.Store(&onLog)
}

func (l *logReader) read() {
	defer close(l.done)
	buf := make([]byte, 64<<10)
	for {
		n, err := l.conn.Read(buf)
		if err != nil {
			return
		}
		h := l.handler.Load()
		if h == nil {
			continue
		}
		text := strings.TrimSpace(string(buf[:n]))
		line := Log{Time: time.Now(), Text: text}
		if r, ok := parseLog(text); ok {
			line.Request = &r
		} else if c, ok := parseChange(text); ok {
			line.Change = &c
		}
		(*h)(line)
	}
}

// close stops reading, waits for the reader and removes the socket unless another reader
// has replaced it.
func (l *logReader) close() {
	l.once.Do(func() {
		l.conn.Close()
		<-l.done
		if fi, err := os.Stat(l.path); err == nil && os.SameFile(fi, l.file) {
			os.Remove(l.path)
		}
	})
}
