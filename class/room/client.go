package room

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"syscall"
)

// ErrNoServer is wrapped by a Client's errors when no class server listens on the socket.
var ErrNoServer = errors.New("no class server is running here (start one with `scalelab class serve`)")

// Client talks to a class server through its control socket: the board and export use it.
type Client struct {
	path string
	http *http.Client
}

// Dial makes a client of the control socket at path. It connects on each call, so it may be
// made before the server starts.
func Dial(path string) *Client {
	tr := &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", path)
		},
		MaxIdleConns:      2,
		DisableKeepAlives: false,
	}
	return &Client{path: path, http: &http.Client{Transport: tr}}
}

// Close lets go of the client's idle connections.
func (c *Client) Close() {
	c.http.CloseIdleConnections()
}

// Snapshot is the class now.
func (c *Client) Snapshot(ctx context.Context) (Snapshot, error) {
	var s Snapshot
	err := c.do(ctx, http.MethodGet, "/v1/room", nil, &s)
	return s, err
}

// Wait is the class once its Version is past after: the server answers at the next change,
// or with the current snapshot after its long-poll time (then Version may equal after: call
// again). It returns ctx's error when ctx ends first.
func (c *Client) Wait(ctx context.Context, after uint64) (Snapshot, error) {
	var s Snapshot
	err := c.do(ctx, http.MethodGet, "/v1/room?after="+strconv.FormatUint(after, 10), nil, &s)
	return s, err
}

// Broadcast sends msg to every session's status line (the server cleans it to one line).
func (c *Client) Broadcast(ctx context.Context, msg string) error {
	return c.do(ctx, http.MethodPost, "/v1/broadcast", map[string]string{"message": msg}, nil)
}

// Goto sends every session to step (0-based).
func (c *Client) Goto(ctx context.Context, step int) error {
	return c.do(ctx, http.MethodPost, "/v1/goto", map[string]int{"step": step}, nil)
}

func (c *Client) do(ctx context.Context, method, path string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, "http://class"+path, rd)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if errors.Is(err, os.ErrNotExist) || errors.Is(err, syscall.ENOENT) || errors.Is(err, syscall.ECONNREFUSED) {
			return fmt.Errorf("%w: %s: %w", ErrNoServer, c.path, err)
		}
		return fmt.Errorf("the class server at %s did not answer: %w", c.path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return fmt.Errorf("the class server's answer was cut: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Error string `json:"error"`
		}
		if json.Unmarshal(data, &e) == nil && e.Error != "" {
			return fmt.Errorf("the class server refused: %s", e.Error)
		}
		return fmt.Errorf("the class server answered %s", resp.Status)
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("the class server's answer is not a snapshot this scalelab reads (%v): use the same scalelab version for server and board", err)
	}
	return nil
}
