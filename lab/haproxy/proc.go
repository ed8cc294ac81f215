package haproxy

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"scalelab/lab/feed"
)

// ErrStartFailed: haproxy exited or never answered on its stats socket; the error text quotes
// its output.
var ErrStartFailed = errors.New("HAProxy did not start")

// ErrClosed: the Proc was closed.
var ErrClosed = errors.New("HAProxy closed")

// Bounds of the process's life.
var (
	startWait     = 10 * time.Second // for a new haproxy to answer on its stats socket
	hardStopAfter = 3 * time.Second  // HAProxy's own bound on a soft-stop (hard-stop-after)
	closeWait     = 5 * time.Second  // after SIGUSR1, before SIGKILL
	restartCalm   = 5 * time.Second  // a haproxy that dies sooner after a (re)start is not started again
)

// Proc is a running HAProxy this process started. Its methods are safe for concurrent use.
type Proc struct {
	bin  string
	dir  string // Config.Dir, fixed at Start
	addr string
	logs *logReader

	life sync.Mutex // held by Reload, Close and the supervisor while they change the process

	mu       sync.Mutex
	cfg      Config          // defaults filled
	cur      *child          // the haproxy serving now
	since    time.Time       // when cur started
	retiring map[*child]bool // old processes finishing their requests after a Reload
	closed   bool
	gone     chan struct{} // closed when haproxy is down for good without Close
	goneErr  error
	wg       sync.WaitGroup // supervisor and retiring-process goroutines
}

// Start runs HAProxy for cfg and returns once it answers on its stats socket. A haproxy left
// in cfg.Dir by a scalelab that is gone is killed first. The listen address is cfg.Listen, or
// with cfg.Listen empty DefaultListen or the first free of the ten ports after it; a busy
// address is a *feed.AddrInUseError (errors.Is feed.ErrAddrInUse).
func Start(ctx context.Context, cfg Config) (*Proc, error) {
	if cfg.Dir == "" {
		dir, err := DefaultDir()
		if err != nil {
			return nil, fmt.Errorf("haproxy: %w", err)
		}
		cfg.Dir = dir
	}
	cfg = cfg.withDefaults()
	if err := cfg.check(); err != nil {
		return nil, err
	}
	bin, err := Find()
	if err != nil {
		return nil, err
	}
	if err := privateDir(cfg.Dir); err != nil {
		return nil, err
	}
	if err := claimDir(ctx, cfg.Dir, cfg.logf); err != nil {
		return nil, err
	}
	addr, err := listenAddr(cfg.Listen)
	if err != nil {
		return nil, err
	}
	logs, err := openLogs(filepath.Join(cfg.Dir, logSock), cfg.OnLog)
	if err != nil {
		return nil, err
	}
	p := &Proc{bin: bin, dir: cfg.Dir, addr: addr, logs: logs, cfg: cfg, retiring: map[*child]bool{}, gone: make(chan struct{})}
	if err := p.writeConfig(ctx, cfg); err != nil {
		p.cleanup()
		return nil, err
	}
	c, err := p.spawn(ctx, nil, true)
	if err != nil {
		p.cleanup()
		return nil, err
	}
	p.cur, p.since = c, time.Now()
	p.wg.Add(1)
	go p.supervise(c)
	return p, nil
}

// privateDir makes dir (0700) or checks that the existing one is a directory of this user's,
// not a link, and makes it 0700: the runtime API's socket in it gives admin rights over the
// balancer.
func privateDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("haproxy: %w", err)
	}
	fi, err := os.Lstat(dir)
	if err != nil {
		return fmt.Errorf("haproxy: %w", err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("haproxy: %s is not a directory (a link?): remove it or choose another", dir)
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok && int(st.Uid) != os.Geteuid() {
		return fmt.Errorf("haproxy: %s belongs to uid %d, not to this user (%d): remove it or choose another", dir, st.Uid, os.Geteuid())
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return fmt.Errorf("haproxy: %w", err)
	}
	return nil
}

// listenAddr resolves Config.Listen.
func listenAddr(listen string) (string, error) {
	if listen == "" {
		return feed.NextFreeAddr(DefaultListen, 10)
	}
	if err := feed.CheckAddr(listen); err != nil {
		return "", err
	}
	return listen, nil
}

// writeConfig writes haproxy.cfg (0600) and checks it with `haproxy -c`.
func (p *Proc) writeConfig(ctx context.Context, cfg Config) error {
	path := filepath.Join(p.dir, configFile)
	tmp := path + ".new"
	if err := os.WriteFile(tmp, []byte(cfg.render(p.addr)), 0o600); err != nil {
		return fmt.Errorf("haproxy: %w", err)
	}
	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	out, err := exec.CommandContext(cctx, p.bin, "-c", "-q", "-f", tmp).CombinedOutput()
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("haproxy: the generated configuration does not pass `haproxy -c`: %v: %s", err, strings.TrimSpace(string(out)))
	}
	return os.Rename(tmp, path)
}

// spawn starts `haproxy -db` on the current haproxy.cfg, telling old (when not nil) to
// soft-stop once the new one has bound its ports, and waits until the new one answers.
// fresh starts haproxy.log over; a reload appends to it.
func (p *Proc) spawn(ctx context.Context, old *child, fresh bool) (*child, error) {
	flags := os.O_CREATE | os.O_WRONLY | os.O_APPEND
	if fresh {
		flags |= os.O_TRUNC
	}
	out, err := os.OpenFile(filepath.Join(p.dir, outFile), flags, 0o600)
	if err != nil {
		return nil, fmt.Errorf("haproxy: %w", err)
	}
	defer out.Close()
	st, _ := out.Stat()
	var from int64
	if st != nil {
		from = st.Size()
	}
	args := []string{"-db", "-f", filepath.Join(p.dir, configFile)}
	if old != nil {
		args = append(args, "-sf", strconv.Itoa(old.Pid()))
	}
	cmd := exec.Command(p.bin, args...)
	cmd.Dir = p.dir
	cmd.Stdout, cmd.Stderr = out, out
	c, err := startChild(cmd)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrStartFailed, err)
	}
	if err := p.waitReady(ctx, c); err != nil {
		c.Cmd.Process.Kill()
		<-c.Done()
		return nil, p.startError(err, from)
	}
	if err := writePidRecord(p.dir, pidRecord{c.Pid(), os.Getpid()}); err != nil {
		c.stop(closeWait)
		return nil, fmt.Errorf("haproxy: %w", err)
	}
	return c, nil
}

// waitReady polls the stats socket until the process c itself answers `show info`.
func (p *Proc) waitReady(ctx context.Context, c *child) error {
	ctx, cancel := context.WithTimeout(ctx, startWait)
	defer cancel()
	want := "Pid: " + strconv.Itoa(c.Pid()) + "\n"
	for {
		select {
		case <-c.Done():
			return fmt.Errorf("haproxy exited: %v", c.Err())
		default:
		}
		if info, err := p.Command(ctx, "show info"); err == nil && strings.Contains(info, want) {
			return nil
		}
		select {
		case <-c.Done():
		case <-ctx.Done():
			return fmt.Errorf("no answer on %s within %v", filepath.Join(p.dir, statsSock), startWait)
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// startError quotes what haproxy wrote to haproxy.log from offset from; a port taken meanwhile
// becomes a *feed.AddrInUseError.
func (p *Proc) startError(err error, from int64) error {
	tail := logTail(filepath.Join(p.dir, outFile), from)
	if strings.Contains(tail, "Address already in use") {
		return &feed.AddrInUseError{Addr: p.addr, Suggest: suggestAddr(p.addr)}
	}
	if tail == "" {
		return fmt.Errorf("%w: %v", ErrStartFailed, err)
	}
	return fmt.Errorf("%w: %v; its output:\n%s", ErrStartFailed, err, tail)
}

// suggestAddr is a free address after addr's port, for a busy-port error.
func suggestAddr(addr string) string {
	if a, err := feed.NextFreeAddr(addr, 10); err == nil && a != addr {
		return a
	}
	return "127.0.0.1:0"
}

// logTail returns the last lines of path from offset from (at most 2 KiB).
func logTail(path string, from int64) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.Size()-from > 2048 {
		from = st.Size() - 2048
	}
	f.Seek(from, io.SeekStart)
	b, _ := io.ReadAll(f)
	return string(bytes.TrimSpace(b))
}

// supervise waits for c to exit. A haproxy that exits while it is the current one (a crash, a
// kill) is started again with the same configuration, unless it had run less than restartCalm
// (it would only die again) or another Start took over the directory; then Done is closed.
func (p *Proc) supervise(c *child) {
	defer p.wg.Done()
	for {
		<-c.Done()
		p.life.Lock()
		p.mu.Lock()
		current, closed, since := p.cur == c, p.closed, p.since
		p.mu.Unlock()
		if closed || !current {
			p.life.Unlock()
			return // closed, or replaced by a Reload (whose new child has its own supervisor)
		}
		why := fmt.Sprintf("haproxy pid %d exited (%v)", c.Pid(), c.Err())
		next, err := p.restart(c, since)
		if err != nil {
			p.mu.Lock()
			p.goneErr = fmt.Errorf("%s; not started again: %w", why, err)
			close(p.gone)
			p.mu.Unlock()
			p.life.Unlock()
			p.cfg.logf("haproxy: %v", p.goneErr)
			return
		}
		p.cfg.logf("haproxy: %s; started it again (pid %d)", why, next.Pid())
		p.mu.Lock()
		p.cur, p.since = next, time.Now()
		p.mu.Unlock()
		p.life.Unlock()
		c = next
	}
}

// restart starts haproxy again after dead, the current one started at since, died, when that
// makes sense: not when it died young, nor when haproxy.pid names another process (a Start,
// here or in another scalelab, took the directory over and killed it).
func (p *Proc) restart(dead *child, since time.Time) (*child, error) {
	if time.Since(since) < restartCalm {
		return nil, fmt.Errorf("it ran only %v", time.Since(since).Round(time.Millisecond))
	}
	r, err := readPidRecord(p.dir)
	if err != nil || r.HAProxy != dead.Pid() || r.Owner != os.Getpid() {
		return nil, errors.New("its directory was taken over")
	}
	return p.spawn(context.Background(), nil, false)
}

// Reload switches to cfg (defaults filled) without refusing a connection: a new haproxy binds
// next to the old one, which then finishes its requests and exits (see the package doc).
// cfg.Dir and the listen address stay those of Start; cfg.Listen is ignored. A cfg that does
// not pass `haproxy -c` leaves the running haproxy as it is. After Done, Reload fails: Close
// and Start again.
func (p *Proc) Reload(ctx context.Context, cfg Config) error {
	p.life.Lock()
	defer p.life.Unlock()
	p.mu.Lock()
	old, closed, goneErr := p.cur, p.closed, p.goneErr
	cfg.Dir, cfg.Listen = p.dir, p.cfg.Listen
	p.mu.Unlock()
	if closed {
		return ErrClosed
	}
	if goneErr != nil {
		return fmt.Errorf("haproxy is gone (Close, then Start again): %w", goneErr)
	}
	cfg = cfg.withDefaults()
	if err := cfg.check(); err != nil {
		return err
	}
	if err := p.writeConfig(ctx, cfg); err != nil {
		return err
	}
	if old.Exited() {
		old = nil
	}
	c, err := p.spawn(ctx, old, false)
	if err != nil {
		return err
	}
	p.mu.Lock()
	p.cfg, p.cur, p.since = cfg, c, time.Now()
	if old != nil {
		p.retiring[old] = true
	}
	p.mu.Unlock()
	p.logs.setHandler(cfg.OnLog)
	if old != nil {
		p.wg.Add(1)
		go p.retire(old)
	}
	p.wg.Add(1)
	go p.supervise(c)
	return nil
}

// retire waits for an old process to finish its soft-stop, killing it after closeWait.
func (p *Proc) retire(c *child) {
	defer p.wg.Done()
	select {
	case <-c.Done():
	case <-time.After(closeWait):
		c.Cmd.Process.Kill()
		<-c.Done()
	}
	p.mu.Lock()
	delete(p.retiring, c)
	p.mu.Unlock()
}

// Close stops haproxy (soft-stop, SIGKILL after closeWait) and waits until it has exited. It
// is idempotent.
func (p *Proc) Close() error {
	p.life.Lock()
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		p.life.Unlock()
		return nil
	}
	p.closed = true
	kids := []*child{p.cur}
	for c := range p.retiring {
		kids = append(kids, c)
	}
	p.mu.Unlock()
	var wg sync.WaitGroup
	for _, c := range kids {
		wg.Add(1)
		go func() { defer wg.Done(); c.stop(closeWait) }()
	}
	wg.Wait()
	p.life.Unlock()
	p.wg.Wait()
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cleanup()
	return nil
}

// cleanup closes the log socket and removes the run's files while they are still this Proc's
// (another Start may have taken the directory over), keeping haproxy.cfg and haproxy.log for a
// look after the fact.
func (p *Proc) cleanup() {
	p.logs.close()
	if p.cur == nil {
		return
	}
	if r, err := readPidRecord(p.dir); err == nil && r.HAProxy == p.cur.Pid() && r.Owner == os.Getpid() {
		os.Remove(filepath.Join(p.dir, pidFile))
		os.Remove(filepath.Join(p.dir, statsSock))
	}
}

// Addr is the address HAProxy listens on (host:port).
func (p *Proc) Addr() string { return p.addr }

// URL is http://Addr.
func (p *Proc) URL() string { return "http://" + p.addr }

// PID is the current haproxy process's pid.
func (p *Proc) PID() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.cur.Pid()
}

// Config is the configuration running now, defaults filled.
func (p *Proc) Config() Config {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.cfg
}

// Dir is the directory of the configuration, sockets and pid file.
func (p *Proc) Dir() string { return p.dir }

// Done is closed when haproxy has exited by itself and was not started again; Err says why.
// Close does not close it.
func (p *Proc) Done() <-chan struct{} { return p.gone }

// Err says why Done was closed; nil before.
func (p *Proc) Err() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.goneErr
}
