package room

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unicode"
	"unicode/utf8"

	"scalelab/content/termsafe"
)

// The control socket's limits.
const (
	// MaxMessage is the most runes a broadcast message may have: one status line.
	MaxMessage = 200
	// maxBody bounds a request body: a message of MaxMessage runes fits many times over.
	maxBody = 4 << 10
	// maxSocketPath is the longest unix socket path every platform accepts (sun_path).
	maxSocketPath = 104
)

// longPoll is how long GET /v1/room?after=V waits for a change before it answers with the
// current snapshot (a variable so tests can shorten it).
var longPoll = 25 * time.Second

// Handler is the control socket's HTTP API over r:
//
//	GET  /v1/room            the Snapshot
//	GET  /v1/room?after=V    the Snapshot once its Version is past V (waits up to 25 s, then the current one)
//	POST /v1/broadcast       {"message":"..."}: a one-line message to every session
//	POST /v1/goto            {"step":N}: send every session to step N (0-based)
//
// send delivers a notice to every session; nil sends it with r.Broadcast. Errors answer
// {"error":"..."} with a 4xx or 5xx status.
func Handler(r *Room, send func(Notice) error) http.Handler {
	if send == nil {
		send = func(n Notice) error { r.Broadcast(n); return nil }
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/v1/room", func(w http.ResponseWriter, req *http.Request) {
		if !allow(w, req, http.MethodGet) {
			return
		}
		after := req.URL.Query().Get("after")
		if after == "" {
			writeJSON(w, http.StatusOK, r.Snapshot())
			return
		}
		v, err := strconv.ParseUint(after, 10, 64)
		if err != nil {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("after=%q is not a version: give the Version of the last snapshot you read", after))
			return
		}
		ctx, cancel := context.WithTimeout(req.Context(), longPoll)
		defer cancel()
		s, err := r.Wait(ctx, v)
		if err != nil {
			if req.Context().Err() != nil {
				return // the client went away
			}
			s = r.Snapshot()
		}
		writeJSON(w, http.StatusOK, s)
	})
	mux.HandleFunc("/v1/broadcast", func(w http.ResponseWriter, req *http.Request) {
		if !allow(w, req, http.MethodPost) {
			return
		}
		var body struct {
			Message *string `json:"message"`
		}
		if !readJSON(w, req, &body) {
			return
		}
		if body.Message == nil {
			writeError(w, http.StatusBadRequest, `the body has no "message": send {"message":"..."}`)
			return
		}
		msg, err := CleanMessage(*body.Message)
		if err != nil {
			writeError(w, http.StatusBadRequest, err.Error())
			return
		}
		n := Notice{Message: msg, Goto: GotoNone}
		if err := send(n); err != nil {
			writeError(w, http.StatusInternalServerError, "the message was not sent: "+err.Error())
			return
		}
		writeJSON(w, http.StatusOK, n)
	})
	mux.HandleFunc("/v1/goto", func(w http.ResponseWriter, req *http.Request) {
		if !allow(w, req, http.MethodPost) {
			return
		}
		var body struct {
			Step *int `json:"step"`
		}
		if !readJSON(w, req, &body) {
			return
		}
		switch {
		case body.Step == nil:
			writeError(w, http.StatusBadRequest, `the body has no "step": send {"step":N}, N the 0-based step`)
			return
		case *body.Step < 0:
			writeError(w, http.StatusBadRequest, fmt.Sprintf("step %d does not exist: steps count from 0", *body.Step))
			return
		}
		n := Notice{Goto: *body.Step}
		if err := send(n); err != nil {
			writeError(w, http.StatusInternalServerError, "the step was not sent: "+err.Error())
			return
		}
		writeJSON(w, http.StatusOK, n)
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, req *http.Request) {
		writeError(w, http.StatusNotFound, fmt.Sprintf("no %s here: the control socket serves /v1/room, /v1/broadcast and /v1/goto", req.URL.Path))
	})
	return mux
}

// CleanMessage makes text one status line: control characters and escape sequences taken out
// (termsafe), line breaks and tabs turned to spaces, runs of spaces squeezed, trimmed. An
// empty result or one over MaxMessage runes is an error.
func CleanMessage(text string) (string, error) {
	s := termsafe.StripBidi(termsafe.Clean(text))
	s = strings.Join(strings.FieldsFunc(s, unicode.IsSpace), " ")
	switch n := utf8.RuneCountInString(s); {
	case n == 0:
		return "", errors.New("the message is empty: write something to send")
	case n > MaxMessage:
		return "", fmt.Errorf("the message is %d characters long: keep it to %d (one status line)", n, MaxMessage)
	}
	return s, nil
}

func allow(w http.ResponseWriter, req *http.Request, method string) bool {
	if req.Method == method {
		return true
	}
	w.Header().Set("Allow", method)
	writeError(w, http.StatusMethodNotAllowed, fmt.Sprintf("%s %s is not allowed: use %s", req.Method, req.URL.Path, method))
	return false
}

// readJSON decodes the request's body (at most maxBody bytes, one JSON object) into v.
func readJSON(w http.ResponseWriter, req *http.Request, v any) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, req.Body, maxBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("the body is over %d bytes: send less", maxBody))
		} else {
			writeError(w, http.StatusBadRequest, "the body is not the JSON expected: "+err.Error())
		}
		return false
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		writeError(w, http.StatusBadRequest, "the body holds more than one JSON object: send one")
		return false
	}
	return true
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}

// Listen opens the control socket at path: its directory is made 0700 if missing and must
// be private to this user, a stale socket file left by a server that died is removed, and a
// socket another server still answers on is refused. The socket file is 0600.
func Listen(path string) (net.Listener, error) {
	if len(path) > maxSocketPath {
		return nil, fmt.Errorf("the control socket path %s is %d bytes long, over the %d a unix socket allows: use a shorter data directory", path, len(path), maxSocketPath)
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("cannot make the control socket's directory: %w", err)
	}
	info, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("cannot read the control socket's directory: %w", err)
	}
	if perm := info.Mode().Perm(); perm&0o077 != 0 {
		return nil, fmt.Errorf("the control socket's directory %s is open to other users (mode %04o): make it private (chmod 700 %s) or use another data directory", dir, perm, dir)
	}
	if fi, err := os.Lstat(path); err == nil {
		if fi.Mode().Type() != fs.ModeSocket {
			return nil, fmt.Errorf("%s exists and is not a control socket: move it away", path)
		}
		c, err := net.DialTimeout("unix", path, time.Second)
		if err == nil {
			c.Close()
			return nil, fmt.Errorf("a class server is already running here (%s answers): stop it, or start this one with another data directory", path)
		}
		if !errors.Is(err, syscall.ECONNREFUSED) {
			return nil, fmt.Errorf("cannot tell whether a class server still listens on %s (%v): stop it, or remove the file if none runs", path, err)
		}
		if err := os.Remove(path); err != nil {
			return nil, fmt.Errorf("cannot remove the stale control socket %s: %w", path, err)
		}
	}
	ln, err := net.Listen("unix", path)
	if err != nil {
		return nil, fmt.Errorf("cannot open the control socket: %w", err)
	}
	// the directory is private, so nobody else reaches the socket before this
	if err := os.Chmod(path, 0o600); err != nil {
		ln.Close()
		return nil, fmt.Errorf("cannot make the control socket private: %w", err)
	}
	return ln, nil
}

// Serve serves h on the control socket at path (see Listen) until ctx ends, then stops,
// removes the socket and returns nil. Requests' contexts end with ctx, so long polls return.
func Serve(ctx context.Context, path string, h http.Handler) error {
	ln, err := Listen(path)
	if err != nil {
		return err
	}
	return ServeListener(ctx, ln, h)
}

// ServeListener is Serve on a socket opened with Listen.
func ServeListener(ctx context.Context, ln net.Listener, h http.Handler) error {
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		BaseContext:       func(net.Listener) context.Context { return ctx },
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		return fmt.Errorf("the control socket stopped: %w", err)
	case <-ctx.Done():
	}
	shut, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := srv.Shutdown(shut); err != nil {
		srv.Close()
	}
	<-done
	return nil
}
